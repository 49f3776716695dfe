import { type DType, isFloat } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Converts both operands of a binary op, letting a JS number or array take the tensor's dtype. */
export function binaryOperands(opName: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, toTensor(b, opName, a.dtype)];
  if (b instanceof Tensor) return [toTensor(a, opName, b.dtype), b];
  return [toTensor(a, opName), toTensor(b, opName)];
}

export function describeTensor(t: Tensor): string {
  return `${formatShape(t.shape)} ${t.dtype}`;
}

export function requireFloat(opName: string, t: Tensor): void {
  if (!isFloat(t.dtype)) {
    throw new TypeError(`${opName}: expected a float32 or float64 tensor, got ${describeTensor(t)}`);
  }
}

/** int32 and bool become float32 for ops whose result is a real number (exp, div, mean...). */
export function floatOf(dtype: DType): DType {
  return isFloat(dtype) ? dtype : 'float32';
}

export function checkInteger(opName: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${opName}: ${name} must be an integer, got ${String(value)}`);
  }
  return value;
}
