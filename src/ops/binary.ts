import type { BinaryKind } from '../backend/backend.js';
import { type DType, isFloat, promoteTypes } from '../backend/dtype.js';
import type { TensorLike } from '../tensor/convert.js';
import type { GradRule } from '../tensor/node.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sumToShape } from './reduce.js';
import { log, neg, square } from './unary.js';
import { binaryOperands, floatOf } from './util.js';
import { where } from './where.js';

/** How a binary op's output dtype follows from its (promoted) inputs. */
type DTypeRule = 'arithmetic' | 'float' | 'compare' | 'logical' | 'keep';

function outDtype(name: string, rule: DTypeRule, a: Tensor, b: Tensor): DType {
  const promoted = promoteTypes(a.dtype, b.dtype);
  switch (rule) {
    case 'arithmetic':
      return promoted === 'bool' ? 'int32' : promoted;
    case 'keep':
      return promoted;
    case 'float':
      return floatOf(promoted);
    case 'compare':
      return 'bool';
    case 'logical':
      if (a.dtype !== 'bool' || b.dtype !== 'bool') {
        throw new TypeError(
          `${name}: expected bool tensors, got ${formatShape(a.shape)} ${a.dtype} and ${formatShape(b.shape)} ${b.dtype}`,
        );
      }
      return 'bool';
  }
}

function binaryDef(
  name: string,
  kind: BinaryKind,
  rule: DTypeRule,
  grad: GradRule<undefined> | null,
): OpDef<undefined> {
  return defineOp<undefined>({
    name,
    infer: ([a, b]) => ({
      shape: broadcastShapes(name, a!.shape, b!.shape),
      dtype: outDtype(name, rule, a!, b!),
    }),
    kernel: (backend, [a, b], _attrs, out) =>
      new Tensor(backend.binary(kind, a!, b!, out.shape, out.dtype), out.shape, out.dtype),
    prepare: (backend, [a, b], _attrs, out) =>
      backend.prepare?.binary(kind, a!, b!, out.shape, out.dtype) ?? null,
    grad,
  });
}

/** Gradient rule from the two partial derivatives, reduced back over broadcast axes. */
const partials =
  (
    da: ((a: Tensor, b: Tensor, dy: Tensor, y: Tensor) => Tensor) | null,
    db: typeof da,
  ): GradRule<undefined> =>
  (dy, { inputs, output }, needs) => {
    const [a, b] = inputs as [Tensor, Tensor];
    return [
      needs[0] && da && isFloat(a.dtype) ? sumToShape(da(a, b, dy, output), a.shape) : null,
      needs[1] && db && isFloat(b.dtype) ? sumToShape(db(a, b, dy, output), b.shape) : null,
    ];
  };

/** Share of the gradient `a` receives in maximum/minimum: 1 where it wins, 1/2 at ties (as PyTorch). */
function winnerWeight(a: Tensor, b: Tensor, wins: 'greater' | 'less', dtype: DType): Tensor {
  const won = cast(wins === 'greater' ? greater(a, b) : less(a, b), dtype);
  return add(won, mul(cast(equal(a, b), dtype), 0.5));
}

export type BinaryOpName =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'mod'
  | 'atan2'
  | 'floorDiv'
  | 'equal'
  | 'notEqual'
  | 'less'
  | 'lessEqual'
  | 'greater'
  | 'greaterEqual'
  | 'logicalAnd'
  | 'logicalOr'
  | 'logicalXor'
  | 'reluBackprop';

export const binaryOps: Record<BinaryOpName, OpDef<undefined>> = {
  add: binaryDef(
    'add',
    'add',
    'arithmetic',
    partials(
      (_a, _b, dy) => dy,
      (_a, _b, dy) => dy,
    ),
  ),
  sub: binaryDef(
    'sub',
    'sub',
    'arithmetic',
    partials(
      (_a, _b, dy) => dy,
      (_a, _b, dy) => neg(dy),
    ),
  ),
  mul: binaryDef(
    'mul',
    'mul',
    'arithmetic',
    partials(
      (_a, b, dy) => mul(dy, b),
      (a, _b, dy) => mul(dy, a),
    ),
  ),
  div: binaryDef(
    'div',
    'div',
    'float',
    partials(
      (_a, b, dy) => div(dy, b),
      (a, b, dy) => neg(div(mul(dy, a), square(b))),
    ),
  ),
  pow: binaryDef(
    'pow',
    'pow',
    'arithmetic',
    partials(
      (a, b, dy) => mul(dy, mul(b, pow(a, sub(b, 1)))),
      // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TensorFlow does) instead of NaN.
      (a, _b, dy, y) => {
        const positive = greater(a, 0);
        return mul(dy, mul(y, log(where(positive, a, 1))));
      },
    ),
  ),
  maximum: binaryDef(
    'maximum',
    'maximum',
    'keep',
    partials(
      (a, b, dy) => mul(dy, winnerWeight(a, b, 'greater', dy.dtype)),
      (a, b, dy) => mul(dy, winnerWeight(b, a, 'greater', dy.dtype)),
    ),
  ),
  minimum: binaryDef(
    'minimum',
    'minimum',
    'keep',
    partials(
      (a, b, dy) => mul(dy, winnerWeight(a, b, 'less', dy.dtype)),
      (a, b, dy) => mul(dy, winnerWeight(b, a, 'less', dy.dtype)),
    ),
  ),
  mod: binaryDef(
    'mod',
    'mod',
    'arithmetic',
    partials(
      (_a, _b, dy) => dy,
      (a, b, dy) => neg(mul(dy, floorDiv(a, b))),
    ),
  ),
  atan2: binaryDef(
    'atan2',
    'atan2',
    'float',
    partials(
      (a, b, dy) => div(mul(dy, b), add(square(a), square(b))),
      (a, b, dy) => neg(div(mul(dy, a), add(square(a), square(b)))),
    ),
  ),
  // Piecewise constant or boolean: no gradient.
  floorDiv: binaryDef('floorDiv', 'floorDiv', 'arithmetic', null),
  equal: binaryDef('equal', 'equal', 'compare', null),
  notEqual: binaryDef('notEqual', 'notEqual', 'compare', null),
  less: binaryDef('less', 'less', 'compare', null),
  lessEqual: binaryDef('lessEqual', 'lessEqual', 'compare', null),
  greater: binaryDef('greater', 'greater', 'compare', null),
  greaterEqual: binaryDef('greaterEqual', 'greaterEqual', 'compare', null),
  logicalAnd: binaryDef('logicalAnd', 'logicalAnd', 'logical', null),
  logicalOr: binaryDef('logicalOr', 'logicalOr', 'logical', null),
  logicalXor: binaryDef('logicalXor', 'logicalXor', 'logical', null),
  // relu's gradient in one pass instead of dy * step(x): dy where x > 0, else 0 (PyTorch's
  // threshold_backward). x may be relu's input or its output (both are positive at the same places).
  reluBackprop: binaryDef(
    'reluBackprop',
    'reluBackprop',
    'keep',
    partials((_dy, x, ddy) => reluBackprop(ddy, x), null),
  ),
};

function run(def: OpDef<undefined>, a: TensorLike, b: TensorLike): Tensor {
  return runOp(def, binaryOperands(def.name, a, b), undefined);
}

export const add = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.add, a, b);
/** dy where x > 0, else 0: the gradient of relu at x (or at its output) applied to dy. */
export const reluBackprop = (dy: TensorLike, x: TensorLike): Tensor => run(binaryOps.reluBackprop, dy, x);
export const sub = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.sub, a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.mul, a, b);
/** True division: integer inputs give float32, as in NumPy and PyTorch. */
export const div = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.div, a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.pow, a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.maximum, a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.minimum, a, b);
/** Floored modulo: the result takes the divisor's sign (TensorFlow's floormod). */
export const mod = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.mod, a, b);
export const floorDiv = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.floorDiv, a, b);
export const atan2 = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.atan2, a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.equal, a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.notEqual, a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.less, a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.lessEqual, a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.greater, a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.greaterEqual, a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.logicalAnd, a, b);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.logicalOr, a, b);
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => run(binaryOps.logicalXor, a, b);

/** (a - b)^2, TensorFlow's squared_difference. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return square(sub(a, b));
}

export { add as plus, sub as subtract, mul as multiply, div as divide };
