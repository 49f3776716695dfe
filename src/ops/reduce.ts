import type { ReduceKind } from '../backend/backend.js';
import type { DType } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { normalizeAxes, normalizeAxis, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, div, equal, mul, sub } from './binary.js';
import { cast } from './cast.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { broadcastTo, reshape } from './shape.js';
import { abs, exp, isFinite, log, sqrt, square, stopGradient } from './unary.js';
import { floatOf } from './util.js';
import { where } from './where.js';

export type Axis = number | readonly number[] | null | undefined;

interface ReduceAttrs {
  axes: number[];
  keepDims: boolean;
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]!);
  }
  return out;
}

/** dy of a reduction, broadcast back over the reduced axes to the input's shape. */
function expandGrad(dy: Tensor, x: Tensor, { axes }: ReduceAttrs): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

function reduceDef(
  kind: ReduceKind,
  dtypeOf: (d: DType) => DType,
  grad: OpDef<ReduceAttrs>['grad'],
): OpDef<ReduceAttrs> {
  return defineOp<ReduceAttrs>({
    name: kind,
    infer: ([x], { axes, keepDims }) => ({
      shape: reducedShape(x!.shape, axes, keepDims),
      dtype: dtypeOf(x!.dtype),
    }),
    kernel: (backend, [x], { axes }, out) =>
      new Tensor(backend.reduce(kind, x!, axes, out.dtype), out.shape, out.dtype),
    prepare: (backend, [x], { axes }, out) => backend.prepare?.reduce(kind, x!, axes, out.dtype) ?? null,
    grad,
  });
}

const sumDtype = (d: DType): DType => (d === 'bool' ? 'int32' : d);

/** Gradient of max/min: shared equally among the elements that attain the extreme (as TF and PyTorch). */
const extremeGrad: OpDef<ReduceAttrs>['grad'] = (dy, { inputs, output, attrs }) => {
  const x = inputs[0]!;
  const y = broadcastTo(reshape(output, reducedShape(x.shape, attrs.axes, true)), x.shape);
  const hits = cast(equal(x, y), x.dtype);
  const count = reshape(sum(hits, attrs.axes, true), reducedShape(x.shape, attrs.axes, attrs.keepDims));
  return [mul(hits, expandGrad(div(dy, count), x, attrs))];
};

export const reduceOps = {
  sum: reduceDef('sum', sumDtype, (dy, { inputs, attrs }) => [expandGrad(dy, inputs[0]!, attrs)]),
  prod: reduceDef('prod', sumDtype, (dy, { inputs, output, attrs }) => [
    prodGrad(dy, inputs[0]!, output, attrs),
  ]),
  max: reduceDef('max', (d) => d, extremeGrad),
  min: reduceDef('min', (d) => d, extremeGrad),
  any: reduceDef('any', () => 'bool', null),
  all: reduceDef('all', () => 'bool', null),
};

/**
 * d prod / d x_i is the product of the others. Dividing y by x_i fails at zeros, so: with no zero in
 * the slice use y / x_i; with exactly one zero only that element gets the product of the rest; with
 * more, everything is 0.
 */
function prodGrad(dy: Tensor, x: Tensor, y: Tensor, attrs: ReduceAttrs): Tensor {
  const keep = (t: Tensor) => broadcastTo(reshape(t, reducedShape(x.shape, attrs.axes, true)), x.shape);
  const isZero = equal(x, 0);
  const zeroCount = keep(sum(cast(isZero, 'int32'), attrs.axes, attrs.keepDims));
  const nonzero = where(isZero, 1, x);
  const restProduct = keep(prod(nonzero, attrs.axes, attrs.keepDims));
  const local = where(
    equal(zeroCount, 0),
    div(keep(y), nonzero),
    where(isZero, where(equal(zeroCount, 1), restProduct, 0), 0),
  );
  return mul(expandGrad(dy, x, attrs), local);
}

function runReduce(def: OpDef<ReduceAttrs>, x: TensorLike, axis: Axis, keepDims: boolean): Tensor {
  const t = toTensor(x, def.name);
  const axes = normalizeAxes(def.name, axis, t.rank);
  return runOp(def, [t], { axes, keepDims });
}

export const sum = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.sum, x, axis, keepDims);
export const prod = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.prod, x, axis, keepDims);
export const max = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.max, x, axis, keepDims);
export const min = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.min, x, axis, keepDims);
export const any = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.any, x, axis, keepDims);
export const all = (x: TensorLike, axis?: Axis, keepDims = false) =>
  runReduce(reduceOps.all, x, axis, keepDims);

function countOf(opName: string, x: Tensor, axis: Axis): number {
  const axes = normalizeAxes(opName, axis, x.rank);
  let n = 1;
  for (const a of axes) n *= x.shape[a]!;
  return n;
}

/** Mean over axes; integer input gives float32. The mean of nothing is NaN, as in NumPy. */
export function mean(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toTensor(x, 'mean');
  const n = countOf('mean', t, axis);
  const f = cast(t, floatOf(t.dtype));
  return div(sum(f, axis, keepDims), n);
}

/** Variance (biased by default, as TensorFlow; `correction: 1` gives PyTorch's unbiased default). */
export function variance(x: TensorLike, axis?: Axis, keepDims = false, correction = 0): Tensor {
  const t = toTensor(x, 'variance');
  const n = countOf('variance', t, axis);
  const f = cast(t, floatOf(t.dtype));
  const centered = sub(f, mean(f, axis, true));
  return div(sum(square(centered), axis, keepDims), n - correction);
}

export function std(x: TensorLike, axis?: Axis, keepDims = false, correction = 0): Tensor {
  const t = toTensor(x, 'std');
  countOf('std', t, axis);
  return sqrt(variance(t, axis, keepDims, correction));
}

/** Mean and (biased) variance together, as tf.nn.moments. */
export function moments(x: TensorLike, axis?: Axis, keepDims = false): { mean: Tensor; variance: Tensor } {
  return { mean: mean(x, axis, keepDims), variance: variance(x, axis, keepDims) };
}

/** log(sum(exp(x))) computed stably by shifting with the (gradient-free) maximum. */
export function logSumExp(x: TensorLike, axis?: Axis, keepDims = false): Tensor {
  const t = toTensor(x, 'logSumExp');
  const axes = normalizeAxes('logSumExp', axis, t.rank);
  const f = cast(t, floatOf(t.dtype));
  const top = stopGradient(max(f, axis, true));
  const shift = where(isFinite(top), top, 0);
  const result = add(log(sum(exp(sub(f, shift)), axis, true)), shift);
  if (keepDims) return result;
  return reshape(result, reducedShape(f.shape, axes, false));
}

/** Vector norm over axes: ord 2 (euclidean, default), 1, Infinity, or any p > 0. */
export function norm(
  x: TensorLike,
  ord: number | 'euclidean' = 'euclidean',
  axis?: Axis,
  keepDims = false,
): Tensor {
  const t = toTensor(x, 'norm');
  normalizeAxes('norm', axis, t.rank);
  const f = cast(t, floatOf(t.dtype));
  const p = ord === 'euclidean' ? 2 : ord;
  if (p === 2) return sqrt(sum(square(f), axis, keepDims));
  if (p === 1) return sum(abs(f), axis, keepDims);
  if (p === Number.POSITIVE_INFINITY) return max(abs(f), axis, keepDims);
  if (typeof p !== 'number' || !(p > 0)) {
    throw new RangeError(
      `norm: ord must be 'euclidean', 1, 2, Infinity or a positive number, got ${String(ord)}`,
    );
  }
  return pow_(sum(pow_(abs(f), p), axis, keepDims), 1 / p);
}

function pow_(a: Tensor, p: number): Tensor {
  return exp(mul(log(a), p));
}

const argDef = (kind: 'argmax' | 'argmin') =>
  defineOp<{ axis: number }>({
    name: kind,
    infer: ([x], { axis }) => ({ shape: x!.shape.filter((_, i) => i !== axis), dtype: 'int32' }),
    kernel: (backend, [x], { axis }, out) =>
      new Tensor(backend.argReduce(kind, x!, axis), out.shape, 'int32'),
    grad: null,
  });

export const argOps = { argmax: argDef('argmax'), argmin: argDef('argmin') };

function runArg(kind: 'argmax' | 'argmin', x: TensorLike, axis?: number): Tensor {
  let t = toTensor(x, kind);
  // Without an axis, NumPy's rule: the index into the flattened tensor.
  if (axis === undefined || axis === null) {
    t = reshape(t, [t.size]);
    axis = 0;
  }
  if (t.size === 0 || t.shape[normalizeAxis(kind, axis, t.rank)] === 0) {
    throw new RangeError(`${kind}: cannot take the ${kind} of an empty axis (shape [${t.shape.join(',')}])`);
  }
  return runOp(argOps[kind], [t], { axis: normalizeAxis(kind, axis, t.rank) });
}

/** Index of the largest value along `axis` (flattened when omitted), int32; not differentiable. */
export const argmax = (x: TensorLike, axis?: number) => runArg('argmax', x, axis);
export const argmin = (x: TensorLike, axis?: number) => runArg('argmin', x, axis);

interface CumsumAttrs {
  axis: number;
  exclusive: boolean;
  reverse: boolean;
}

export const cumsumOp = defineOp<CumsumAttrs>({
  name: 'cumsum',
  infer: ([x]) => ({ shape: x!.shape, dtype: sumDtype(x!.dtype) }),
  kernel: (backend, [x], { axis, exclusive, reverse }, out) => {
    const src = x!.dtype === out.dtype ? x! : cast(x!, out.dtype);
    return new Tensor(backend.cumsum(src, axis, exclusive, reverse), x!.shape, out.dtype);
  },
  grad: (dy, { attrs }) => [cumsum(dy, attrs.axis, attrs.exclusive, !attrs.reverse)],
});

/** Running sum along `axis` (default 0), TensorFlow's `exclusive`/`reverse` options. */
export function cumsum(x: TensorLike, axis = 0, exclusive = false, reverse = false): Tensor {
  const t = toTensor(x, 'cumsum');
  if (t.rank === 0) throw new RangeError('cumsum: expected a tensor of rank >= 1, got a scalar');
  return runOp(cumsumOp, [t], { axis: normalizeAxis('cumsum', axis, t.rank), exclusive, reverse });
}

/** Sums a broadcast gradient back to `shape`: over leading extra axes and axes where `shape` is 1. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length ? sum(g, axes, true) : g;
  return reshape(summed, shape);
}

// TensorFlow's reduce_* names for the same functions.
export {
  sum as reduceSum,
  mean as reduceMean,
  max as reduceMax,
  min as reduceMin,
  prod as reduceProd,
  any as reduceAny,
  all as reduceAll,
  logSumExp as reduceLogSumExp,
  variance as reduceVariance,
  std as reduceStd,
};
