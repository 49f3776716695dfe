import { arrayConstructor, type DType, dtypeOfArray, isDType, type TypedArray } from '../backend/dtype.js';
import { formatShape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Anything a tapeflow function accepts where it expects a tensor. */
export type TensorLike = Tensor | number | boolean | TypedArray | readonly TensorLikeArray[];
type TensorLikeArray = number | boolean | readonly TensorLikeArray[];

export function isTypedArray(value: unknown): value is TypedArray {
  return (
    value instanceof Float32Array ||
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array
  );
}

/** Infers the shape of a nested array and checks it is rectangular with numbers or booleans only. */
function inferShape(opName: string, value: unknown): { shape: number[]; isBool: boolean } {
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  let isBool = typeof level === 'boolean';
  const check = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof v === 'number') {
        if (isBool) throw new TypeError(`${opName}: mixed booleans and numbers at ${path}`);
        return;
      }
      if (typeof v === 'boolean') {
        if (!isBool) throw new TypeError(`${opName}: mixed booleans and numbers at ${path}`);
        return;
      }
      throw new TypeError(`${opName}: expected a number or boolean at ${path}, got ${describe(v)}`);
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new RangeError(
        `${opName}: nested array is not rectangular: ${path} has ${Array.isArray(v) ? `length ${v.length}` : describe(v)}, expected length ${shape[axis]} (inferred shape ${formatShape(shape)})`,
      );
    }
    for (let i = 0; i < v.length; i++) check(v[i], axis + 1, `${path}[${i}]`);
  };
  check(value, 0, 'values');
  if (shape.length > 0 && shape[shape.length - 1] === 0) isBool = false;
  return { shape, isBool };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return `${typeof v} ${String(v)}`;
}

/** Builds a tensor from JS values. Typed arrays are used without a copy when the dtype matches. */
export function fromValues(
  opName: string,
  values: unknown,
  dtype?: DType,
  shape?: readonly number[],
): Tensor {
  if (dtype !== undefined && !isDType(dtype)) {
    throw new TypeError(
      `${opName}: unknown dtype '${String(dtype)}' (expected float32, float64, int32 or bool)`,
    );
  }
  if (values instanceof Tensor) {
    throw new TypeError(`${opName}: expected JS values, got a Tensor (use tf.cast or reshape)`);
  }
  let data: TypedArray;
  let inferred: number[];
  if (isTypedArray(values)) {
    const own = dtypeOfArray(values);
    const target = dtype ?? own;
    data = target === own ? values : arrayConstructor(target).from(values as ArrayLike<number>);
    inferred = [values.length];
    dtype = target;
  } else if (typeof values === 'number' || typeof values === 'boolean') {
    const target = dtype ?? (typeof values === 'boolean' ? 'bool' : 'float32');
    data = new (arrayConstructor(target))(1);
    data[0] = Number(values);
    inferred = [];
    dtype = target;
  } else if (Array.isArray(values)) {
    const { shape: s, isBool } = inferShape(opName, values);
    const target = dtype ?? (isBool ? 'bool' : 'float32');
    const flat = (values as unknown[]).flat(Number.POSITIVE_INFINITY) as (number | boolean)[];
    data = new (arrayConstructor(target))(flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = Number(flat[i]);
    inferred = s;
    dtype = target;
  } else {
    throw new TypeError(
      `${opName}: expected a number, boolean, (nested) array or typed array, got ${describe(values)}`,
    );
  }
  if (dtype === 'int32' && !isTypedArray(values)) checkIntegers(opName, values);
  if (shape !== undefined) {
    const size = sizeOf(shape);
    if (size !== data.length) {
      if (data.length === 1 && inferred.length === 0) {
        // A scalar with a shape fills it, as tf.tensor(5, [2, 2]) does.
        const filled = new (arrayConstructor(dtype))(size);
        filled.fill(data[0]!);
        return new Tensor(filled, [...shape], dtype);
      }
      throw new RangeError(
        `${opName}: ${data.length} values do not fill shape ${formatShape(shape)} (${size} elements expected)`,
      );
    }
    return new Tensor(data, [...shape], dtype);
  }
  return new Tensor(data, inferred, dtype);
}

function checkIntegers(opName: string, values: unknown): void {
  const flat =
    typeof values === 'number'
      ? [values]
      : Array.isArray(values)
        ? values.flat(Number.POSITIVE_INFINITY)
        : [];
  for (const v of flat) {
    if (typeof v === 'number' && !Number.isInteger(v)) {
      throw new TypeError(`${opName}: value ${v} is not an integer, but the dtype is int32`);
    }
  }
}

/**
 * Converts an op argument to a tensor. A JS number (or array) is "weak": it takes `like`'s dtype, as a
 * Python scalar does in NumPy and PyTorch, except that a fractional number next to an integer or bool
 * tensor becomes float32 so that 0.5 is never truncated to 0.
 */
export function toTensor(value: TensorLike, opName: string, like?: DType): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value === 'number') {
    let dtype: DType = like ?? 'float32';
    if ((dtype === 'int32' || dtype === 'bool') && !Number.isInteger(value)) dtype = 'float32';
    else if (dtype === 'bool') dtype = 'int32';
    return scalar(value, dtype);
  }
  if (typeof value === 'boolean') return scalar(value ? 1 : 0, 'bool');
  if (Array.isArray(value) && like !== undefined) {
    const t = fromValues(opName, value);
    if (t.dtype === 'bool' || like === 'bool' || like === 'float32') return t;
    // Re-read the JS numbers in the target dtype (going through float32 would lose float64 precision).
    const flat = (value as unknown[]).flat(Number.POSITIVE_INFINITY) as number[];
    const dtype = like === 'int32' && !flat.every((v) => Number.isInteger(v)) ? 'float32' : like;
    return dtype === 'float32' ? t : fromValues(opName, value, dtype);
  }
  return fromValues(opName, value);
}

const scalarCache = new Map<string, Tensor>();

/** Scalars for weak numbers; small integers are cached since they recur in every loop. */
export function scalar(value: number, dtype: DType): Tensor {
  if (Number.isInteger(value) && value >= -2 && value <= 2) {
    const key = `${dtype}:${value}`;
    let t = scalarCache.get(key);
    if (!t) {
      t = newScalar(value, dtype);
      scalarCache.set(key, t);
    }
    return t;
  }
  return newScalar(value, dtype);
}

function newScalar(value: number, dtype: DType): Tensor {
  const data = new (arrayConstructor(dtype))(1);
  data[0] = value;
  return new Tensor(data, [], dtype);
}

export type { NestedArray };
