import { allocate, arrayConstructor, type DType, isDType } from '../backend/dtype.js';
import { fromValues, type TensorLike, toTensor } from '../tensor/convert.js';
import { checkShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { checkInteger } from './util.js';

export interface TensorOptions {
  shape?: readonly number[];
  dtype?: DType;
  /** PyTorch's flag: record operations on this tensor for `backward()`. */
  requiresGrad?: boolean;
}

/**
 * A tensor from a number, boolean, nested array or typed array (used without a copy when its type
 * matches). `tf.tensor(values, { shape, dtype, requiresGrad })`, or TensorFlow.js's
 * `tf.tensor(values, shape, dtype)`.
 */
export function tensor(
  values: TensorLike,
  options?: TensorOptions | readonly number[],
  dtype?: DType,
): Tensor {
  const opts: TensorOptions = Array.isArray(options)
    ? { shape: options as readonly number[], ...(dtype ? { dtype } : {}) }
    : { ...((options as TensorOptions | undefined) ?? {}), ...(dtype ? { dtype } : {}) };
  if (opts.shape !== undefined) checkShape('tensor', opts.shape);
  const t =
    values instanceof Tensor
      ? fromValues('tensor', values.dataSync(), opts.dtype ?? values.dtype, opts.shape ?? values.shape)
      : fromValues('tensor', values, opts.dtype, opts.shape);
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** TensorFlow's `tf.constant(value, dtype?, shape?)`. */
export function constant(value: TensorLike, dtype?: DType, shape?: readonly number[]): Tensor {
  return tensor(value, { ...(dtype ? { dtype } : {}), ...(shape ? { shape } : {}) });
}

function checkDtype(opName: string, dtype: DType): DType {
  if (!isDType(dtype)) {
    throw new TypeError(
      `${opName}: unknown dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`,
    );
  }
  return dtype;
}

export function fill(
  shape: readonly number[],
  value: number | boolean,
  dtype?: DType,
  opName = 'fill',
): Tensor {
  checkShape(opName, shape);
  const dt = checkDtype(opName, dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32'));
  const data = allocate(dt, sizeOf(shape));
  if (value !== 0 && value !== false) data.fill(Number(value));
  return new Tensor(data, [...shape], dt);
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 0, dtype, 'zeros');
}

export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return fill(shape, 1, dtype, 'ones');
}

export function zerosLike(x: TensorLike): Tensor {
  const t = toTensor(x, 'zerosLike');
  return fill(t.shape, 0, t.dtype);
}

export function onesLike(x: TensorLike): Tensor {
  const t = toTensor(x, 'onesLike');
  return fill(t.shape, 1, t.dtype);
}

/** Identity matrix [n, m] (m defaults to n). */
export function eye(n: number, m: number = n, dtype: DType = 'float32'): Tensor {
  checkShape('eye', [n, m]);
  const data = allocate(checkDtype('eye', dtype), n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m], dtype);
}

/**
 * `range(stop)` or `range(start, stop, step = 1)`: start + i*step for i < ceil((stop-start)/step),
 * computed in float64 and then stored, as NumPy's arange does.
 */
export function range(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  for (const [name, v] of [
    ['start', start],
    ['stop', stop],
    ['step', step],
  ] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(`range: ${name} must be a finite number, got ${String(v)}`);
    }
  }
  if (step === 0) throw new RangeError('range: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(checkDtype('range', dtype), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype);
}

/** `num` evenly spaced values from start to stop inclusive (float32 unless a dtype is given). */
export function linspace(start: number, stop: number, num: number, dtype: DType = 'float32'): Tensor {
  checkInteger('linspace', 'num', num);
  if (num < 0) throw new RangeError(`linspace: num must be non-negative, got ${num}`);
  const data = allocate(checkDtype('linspace', dtype), num);
  const delta = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = start + i * delta;
  if (num > 1) data[num - 1] = stop;
  return new Tensor(data, [num], dtype);
}

/** One-hot encoding along a new last axis; indices outside [0, depth) give an all-off row. */
export function oneHot(
  indices: TensorLike,
  depth: number,
  onValue = 1,
  offValue = 0,
  dtype: DType = 'float32',
): Tensor {
  const idx = toTensor(indices, 'oneHot', 'int32');
  if (idx.dtype !== 'int32') {
    throw new TypeError(
      `oneHot: indices must be int32, got ${idx.dtype} with shape [${idx.shape.join(',')}]`,
    );
  }
  checkInteger('oneHot', 'depth', depth);
  const flat = idx.contiguousData();
  const data = new (arrayConstructor(dtype))(flat.length * depth);
  if (offValue !== 0) data.fill(offValue);
  for (let i = 0; i < flat.length; i++) {
    const k = flat[i]!;
    if (k >= 0 && k < depth) data[i * depth + k] = onValue;
  }
  return new Tensor(data, [...idx.shape, depth], dtype);
}

export { fromValues };
