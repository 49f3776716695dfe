import { type DType, isDType, isFloat } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { Tensor } from '../tensor/tensor.js';
import { defineOp, runOp } from './op.js';

export const castOp = defineOp<{ dtype: DType }>({
  name: 'cast',
  infer: ([x], { dtype }) => ({ shape: x!.shape, dtype }),
  kernel: (backend, [x], { dtype }) => new Tensor(backend.cast(x!, dtype), x!.shape, dtype),
  // Only a float-to-float cast carries a gradient; through an integer it is lost, as in TensorFlow.
  grad: (dy, { inputs }) => [isFloat(inputs[0]!.dtype) ? cast(dy, inputs[0]!.dtype) : null],
});

/** Converts to `dtype` (float to int truncates toward zero; nonzero to bool is true). */
export function cast(x: TensorLike, dtype: DType): Tensor {
  if (!isDType(dtype)) {
    throw new TypeError(`cast: unknown dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`);
  }
  const t = toTensor(x, 'cast');
  if (t.dtype === dtype) return t;
  return runOp(castOp, [t], { dtype });
}
