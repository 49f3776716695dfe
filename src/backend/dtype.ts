import { noteAllocation, RECYCLE_MIN_ELEMENTS, takeRecycled } from './recycle.js';

/** The element types a tensor can hold, ordered by promotion rank (bool < int32 < float32 < float64). */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

export type FloatArray = Float32Array | Float64Array;
/** bool is stored one byte per element (0 or 1). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export type FloatDType = 'float32' | 'float64';

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

export function isDType(value: unknown): value is DType {
  return value === 'float32' || value === 'float64' || value === 'int32' || value === 'bool';
}

export function arrayConstructor(dtype: DType) {
  switch (dtype) {
    case 'float32':
      return Float32Array;
    case 'float64':
      return Float64Array;
    case 'int32':
      return Int32Array;
    case 'bool':
      return Uint8Array;
  }
}

/** A zero-filled array (a recycled one when the pool has one of this type and size). */
export function allocate(dtype: DType, size: number): TypedArray {
  const Ctor = arrayConstructor(dtype);
  if (size < RECYCLE_MIN_ELEMENTS) return new Ctor(size);
  const reused = takeRecycled<TypedArray>(Ctor, size);
  if (reused !== undefined) return reused.fill(0);
  const a = new Ctor(size);
  noteAllocation(a);
  return a;
}

type NodeBuffer = {
  allocUnsafeSlow(bytes: number): { buffer: ArrayBuffer; byteOffset: number };
  compare(a: Uint8Array, b: Uint8Array): number;
};
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/**
 * An output array the kernel overwrites entirely, left uninitialised: zeroing megabytes that the kernel
 * writes again right after is a whole extra pass over memory. Only for kernels that write every element.
 */
export function allocateForOverwrite(dtype: DType, size: number): TypedArray {
  const Ctor = arrayConstructor(dtype);
  if (size < RECYCLE_MIN_ELEMENTS) return new Ctor(size);
  const reused = takeRecycled<TypedArray>(Ctor, size);
  if (reused !== undefined) return reused;
  let a: TypedArray;
  if (nodeBuffer) {
    const b = nodeBuffer.allocUnsafeSlow(size * Ctor.BYTES_PER_ELEMENT);
    a = new Ctor(b.buffer, b.byteOffset, size);
  } else {
    a = new Ctor(size);
  }
  noteAllocation(a);
  return a;
}

/** Whether two byte arrays are equal (Node's memcmp where there is one). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (nodeBuffer) return nodeBuffer.compare(a, b) === 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function bytesPerElement(dtype: DType): number {
  return arrayConstructor(dtype).BYTES_PER_ELEMENT;
}

export function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int32Array) return 'int32';
  return 'bool';
}

/** NumPy/PyTorch promotion between two tensors: the higher of the two ranks. */
export function promoteTypes(a: DType, b: DType): DType {
  return DTYPES.indexOf(a) >= DTYPES.indexOf(b) ? a : b;
}
