import type { UnaryKind } from '../backend/backend.js';
import type { DType } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import type { GradRule } from '../tensor/node.js';
import { Tensor } from '../tensor/tensor.js';
import { add, div, mul, reluBackprop, sub } from './binary.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { floatOf } from './util.js';

/** How a unary op's output dtype follows from its input's. */
type DTypeRule = 'float' | 'same' | 'numeric' | 'bool';

function outDtype(rule: DTypeRule, dtype: DType): DType {
  switch (rule) {
    case 'float':
      return floatOf(dtype);
    case 'same':
      return dtype;
    case 'numeric':
      return dtype === 'bool' ? 'int32' : dtype;
    case 'bool':
      return 'bool';
  }
}

function unaryDef(
  name: string,
  kind: UnaryKind,
  rule: DTypeRule,
  grad: GradRule<undefined> | null,
): OpDef<undefined> {
  return defineOp<undefined>({
    name,
    infer: ([x]) => ({ shape: x!.shape, dtype: outDtype(rule, x!.dtype) }),
    kernel: (backend, [x], _attrs, out) =>
      new Tensor(backend.unary(kind, x!, out.dtype), x!.shape, out.dtype),
    prepare: (backend, [x], _attrs, out) => backend.prepare?.unary(kind, x!, out.dtype) ?? null,
    grad,
  });
}

/** Gradient rule for y = f(x) given df/dx as a function of x and y. */
const chain =
  (derivative: (x: Tensor, y: Tensor) => Tensor): GradRule<undefined> =>
  (dy, { inputs, output }) => [mul(dy, derivative(inputs[0]!, output))];

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export type UnaryOpName =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'rsqrt'
  | 'square'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'asinh'
  | 'acosh'
  | 'atanh'
  | 'sigmoid'
  | 'relu'
  | 'erf'
  | 'step'
  | 'floor'
  | 'ceil'
  | 'round'
  | 'isNaN'
  | 'isFinite'
  | 'isInf'
  | 'logicalNot'
  | 'stopGradient';

export const unaryOps: Record<UnaryOpName, OpDef<undefined>> = {
  neg: unaryDef('neg', 'neg', 'numeric', (dy) => [neg(dy)]),
  abs: unaryDef(
    'abs',
    'abs',
    'numeric',
    chain((x) => sign(x)),
  ),
  sign: unaryDef('sign', 'sign', 'numeric', (dy) => [mul(dy, 0)]),
  exp: unaryDef(
    'exp',
    'exp',
    'float',
    chain((_x, y) => y),
  ),
  expm1: unaryDef(
    'expm1',
    'expm1',
    'float',
    chain((_x, y) => add(y, 1)),
  ),
  log: unaryDef('log', 'log', 'float', (dy, { inputs }) => [div(dy, inputs[0]!)]),
  log1p: unaryDef('log1p', 'log1p', 'float', (dy, { inputs }) => [div(dy, add(inputs[0]!, 1))]),
  sqrt: unaryDef('sqrt', 'sqrt', 'float', (dy, { output }) => [div(dy, mul(output, 2))]),
  rsqrt: unaryDef(
    'rsqrt',
    'rsqrt',
    'float',
    chain((_x, y) => mul(mul(y, mul(y, y)), -0.5)),
  ),
  square: unaryDef(
    'square',
    'square',
    'numeric',
    chain((x) => mul(x, 2)),
  ),
  reciprocal: unaryDef(
    'reciprocal',
    'reciprocal',
    'float',
    chain((_x, y) => neg(mul(y, y))),
  ),
  sin: unaryDef(
    'sin',
    'sin',
    'float',
    chain((x) => cos(x)),
  ),
  cos: unaryDef(
    'cos',
    'cos',
    'float',
    chain((x) => neg(sin(x))),
  ),
  tan: unaryDef(
    'tan',
    'tan',
    'float',
    chain((_x, y) => add(mul(y, y), 1)),
  ),
  asin: unaryDef(
    'asin',
    'asin',
    'float',
    chain((x) => rsqrt(sub(1, mul(x, x)))),
  ),
  acos: unaryDef(
    'acos',
    'acos',
    'float',
    chain((x) => neg(rsqrt(sub(1, mul(x, x))))),
  ),
  atan: unaryDef(
    'atan',
    'atan',
    'float',
    chain((x) => reciprocal(add(mul(x, x), 1))),
  ),
  sinh: unaryDef(
    'sinh',
    'sinh',
    'float',
    chain((x) => cosh(x)),
  ),
  cosh: unaryDef(
    'cosh',
    'cosh',
    'float',
    chain((x) => sinh(x)),
  ),
  tanh: unaryDef(
    'tanh',
    'tanh',
    'float',
    chain((_x, y) => sub(1, mul(y, y))),
  ),
  asinh: unaryDef(
    'asinh',
    'asinh',
    'float',
    chain((x) => rsqrt(add(mul(x, x), 1))),
  ),
  acosh: unaryDef(
    'acosh',
    'acosh',
    'float',
    chain((x) => rsqrt(sub(mul(x, x), 1))),
  ),
  atanh: unaryDef(
    'atanh',
    'atanh',
    'float',
    chain((x) => reciprocal(sub(1, mul(x, x)))),
  ),
  sigmoid: unaryDef(
    'sigmoid',
    'sigmoid',
    'float',
    chain((_x, y) => mul(y, sub(1, y))),
  ),
  relu: unaryDef('relu', 'relu', 'numeric', (dy, { inputs }) => [reluBackprop(dy, inputs[0]!)]),
  erf: unaryDef(
    'erf',
    'erf',
    'float',
    chain((x) => mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)),
  ),
  // Piecewise constant: TensorFlow returns no gradient for these, and so do we.
  step: unaryDef('step', 'step', 'float', null),
  floor: unaryDef('floor', 'floor', 'same', null),
  ceil: unaryDef('ceil', 'ceil', 'same', null),
  round: unaryDef('round', 'round', 'same', null),
  isNaN: unaryDef('isNaN', 'isNaN', 'bool', null),
  isFinite: unaryDef('isFinite', 'isFinite', 'bool', null),
  isInf: unaryDef('isInf', 'isInf', 'bool', null),
  logicalNot: unaryDef('logicalNot', 'logicalNot', 'bool', null),
  stopGradient: unaryDef('stopGradient', 'identity', 'same', null),
};

function run(def: OpDef<undefined>, x: TensorLike): Tensor {
  return runOp(def, [toTensor(x, def.name)], undefined);
}

export const neg = (x: TensorLike): Tensor => run(unaryOps.neg, x);
export const abs = (x: TensorLike): Tensor => run(unaryOps.abs, x);
export const sign = (x: TensorLike): Tensor => run(unaryOps.sign, x);
export const exp = (x: TensorLike): Tensor => run(unaryOps.exp, x);
export const expm1 = (x: TensorLike): Tensor => run(unaryOps.expm1, x);
export const log = (x: TensorLike): Tensor => run(unaryOps.log, x);
export const log1p = (x: TensorLike): Tensor => run(unaryOps.log1p, x);
export const sqrt = (x: TensorLike): Tensor => run(unaryOps.sqrt, x);
export const rsqrt = (x: TensorLike): Tensor => run(unaryOps.rsqrt, x);
export const square = (x: TensorLike): Tensor => run(unaryOps.square, x);
export const reciprocal = (x: TensorLike): Tensor => run(unaryOps.reciprocal, x);
export const sin = (x: TensorLike): Tensor => run(unaryOps.sin, x);
export const cos = (x: TensorLike): Tensor => run(unaryOps.cos, x);
export const tan = (x: TensorLike): Tensor => run(unaryOps.tan, x);
export const asin = (x: TensorLike): Tensor => run(unaryOps.asin, x);
export const acos = (x: TensorLike): Tensor => run(unaryOps.acos, x);
export const atan = (x: TensorLike): Tensor => run(unaryOps.atan, x);
export const sinh = (x: TensorLike): Tensor => run(unaryOps.sinh, x);
export const cosh = (x: TensorLike): Tensor => run(unaryOps.cosh, x);
export const tanh = (x: TensorLike): Tensor => run(unaryOps.tanh, x);
export const asinh = (x: TensorLike): Tensor => run(unaryOps.asinh, x);
export const acosh = (x: TensorLike): Tensor => run(unaryOps.acosh, x);
export const atanh = (x: TensorLike): Tensor => run(unaryOps.atanh, x);
export const sigmoid = (x: TensorLike): Tensor => run(unaryOps.sigmoid, x);
export const relu = (x: TensorLike): Tensor => run(unaryOps.relu, x);
export const erf = (x: TensorLike): Tensor => run(unaryOps.erf, x);
/** 1 where x > 0, else 0 (the derivative of relu); not differentiable. */
export const step = (x: TensorLike): Tensor => run(unaryOps.step, x);
export const floor = (x: TensorLike): Tensor => run(unaryOps.floor, x);
export const ceil = (x: TensorLike): Tensor => run(unaryOps.ceil, x);
/** Rounds half to even, as TensorFlow and NumPy do. */
export const round = (x: TensorLike): Tensor => run(unaryOps.round, x);
export const isNaN = (x: TensorLike): Tensor => run(unaryOps.isNaN, x);
export const isFinite = (x: TensorLike): Tensor => run(unaryOps.isFinite, x);
export const isInf = (x: TensorLike): Tensor => run(unaryOps.isInf, x);
export const logicalNot = (x: TensorLike): Tensor => run(unaryOps.logicalNot, toTensor(x, 'logicalNot'));
/** The same values, with no gradient flowing back (TensorFlow's tf.stop_gradient). */
export const stopGradient = (x: TensorLike): Tensor => run(unaryOps.stopGradient, x);
