import { isFloat, promoteTypes } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { broadcastShapes, formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { zerosLike } from './creation.js';
import { defineOp, runOp } from './op.js';
import { sumToShape } from './reduce.js';
import { binaryOperands } from './util.js';

export const whereOp = defineOp({
  name: 'where',
  infer: ([cond, a, b]) => {
    if (cond!.dtype !== 'bool') {
      throw new TypeError(
        `where: condition must be a bool tensor, got ${formatShape(cond!.shape)} ${cond!.dtype}`,
      );
    }
    const shape = broadcastShapes('where', broadcastShapes('where', cond!.shape, a!.shape), b!.shape);
    return { shape, dtype: promoteTypes(a!.dtype, b!.dtype) };
  },
  kernel: (backend, [cond, a, b], _attrs, out) =>
    new Tensor(backend.where(cond!, a!, b!, out.shape, out.dtype), out.shape, out.dtype),
  grad: (dy, { inputs }, needs) => {
    const [cond, a, b] = inputs as [Tensor, Tensor, Tensor];
    const zero = zerosLike(dy);
    return [
      null,
      needs[1] && isFloat(a.dtype) ? sumToShape(where(cond, dy, zero), a.shape) : null,
      needs[2] && isFloat(b.dtype) ? sumToShape(where(cond, zero, dy), b.shape) : null,
    ];
  },
});

/** Elementwise choice: `a` where `cond` is true, else `b`, all three broadcast together. */
export function where(cond: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  const c = toTensor(cond, 'where');
  const [ta, tb] = binaryOperands('where', a, b);
  return runOp(whereOp, [c, ta, tb], undefined);
}
