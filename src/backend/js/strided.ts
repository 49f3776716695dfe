import { allocate, type DType, type TypedArray } from '../dtype.js';

/** A read-only description of (possibly non-contiguous) tensor memory, as kernels see it. */
export interface StridedView {
  readonly storage: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

export function isContiguous(shape: readonly number[], strides: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    if (d !== 1 && strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * Merges adjacent axes that are laid out contiguously with respect to each other in every operand, so
 * strided loops run over as few (and as long) axes as possible. `stridesList` holds one strides array
 * per operand, all for the same `shape`. Size-1 axes are dropped.
 */
export function collapseAxes(
  shape: readonly number[],
  stridesList: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = stridesList.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i]!;
    if (d === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0) {
      let mergeable = true;
      for (let k = 0; k < stridesList.length; k++) {
        if (outStrides[k]![last] !== stridesList[k]![i]! * d) {
          mergeable = false;
          break;
        }
      }
      if (mergeable) {
        outShape[last] = outShape[last]! * d;
        for (let k = 0; k < stridesList.length; k++) outStrides[k]![last] = stridesList[k]![i]!;
        continue;
      }
    }
    outShape.push(d);
    for (let k = 0; k < stridesList.length; k++) outStrides[k]!.push(stridesList[k]![i]!);
  }
  return { shape: outShape, strides: outStrides };
}

/** The view with its axes in `order` (a transpose; no copy). */
export function permuteView(view: StridedView, order: readonly number[]): StridedView {
  return {
    storage: view.storage,
    shape: order.map((i) => view.shape[i]!),
    strides: order.map((i) => view.strides[i]!),
    offset: view.offset,
    dtype: view.dtype,
  };
}

/**
 * Visits every element of a strided view in row-major order and writes it to a fresh contiguous array
 * of `dtype` (a cast when the dtypes differ; bool stores 0/1).
 */
export function copyToContiguous(view: StridedView, dtype: DType = view.dtype): TypedArray {
  let size = 1;
  for (const d of view.shape) size *= d;
  const out = allocate(dtype, size);
  if (size === 0) return out;
  const { storage: data, offset } = view;
  const toBool = dtype === 'bool' && view.dtype !== 'bool';
  const toInt = dtype === 'int32' && (view.dtype === 'float32' || view.dtype === 'float64');
  const { shape, strides } = collapseAxes(view.shape, [view.strides]);
  const st = strides[0]!;
  const rank = shape.length;
  if (rank === 0) {
    out[0] = convert(data[offset]!, toBool, toInt);
    return out;
  }
  if (rank === 1 && st[0] === 1 && !toBool && !toInt) {
    out.set(data.subarray(offset, offset + size));
    return out;
  }
  const inner = shape[rank - 1]!;
  const innerStride = st[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  let base = offset;
  let o = 0;
  for (;;) {
    if (toBool || toInt) {
      for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o++] = convert(data[p]!, toBool, toInt);
    } else {
      for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o++] = data[p]!;
    }
    let axis = rank - 2;
    while (axis >= 0) {
      index[axis]!++;
      base += st[axis]!;
      if (index[axis]! < shape[axis]!) break;
      base -= st[axis]! * shape[axis]!;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return out;
}

function convert(v: number, toBool: boolean, toInt: boolean): number {
  if (toBool) return v !== 0 ? 1 : 0;
  if (toInt) return Number.isFinite(v) ? Math.trunc(v) : 0;
  return v;
}
