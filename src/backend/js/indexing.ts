import { allocate, type DType, type TypedArray } from '../dtype.js';
import { copyToContiguous, isContiguous, type StridedView } from './strided.js';

/** Splits a shape around `axis` into (outer, n, inner) element counts. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

/** The view's elements in row-major order: the storage itself when already contiguous (no copy). */
function rowMajor(x: StridedView): { data: TypedArray; base: number } {
  if (isContiguous(x.shape, x.strides)) return { data: x.storage, base: x.offset };
  return { data: copyToContiguous(x), base: 0 };
}

export function gather(x: StridedView, indices: Int32Array, axis: number): TypedArray {
  const { data, base } = rowMajor(x);
  const [outer, n, inner] = around(x.shape, axis);
  const m = indices.length;
  const out = allocate(x.dtype, outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = indices[j]!;
      if (k < 0 || k >= n) continue; // a kernel-made "nowhere" index (see ops/gather.ts): stays 0
      const src = base + (o * n + k) * inner;
      out.set(data.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
  return out;
}

export function scatterAdd(
  updates: StridedView,
  indices: Int32Array,
  axis: number,
  size: number,
): TypedArray {
  const data = copyToContiguous(updates);
  const [outer, m, inner] = around(updates.shape, axis);
  const out = allocate(updates.dtype, outer * size * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const k = indices[j]!;
      // only kernel-made (trusted) indices reach here unchecked; -1 marks "nowhere" (see ops/gather.ts)
      if (k < 0 || k >= size) continue;
      const dst = (o * size + k) * inner;
      const src = (o * m + j) * inner;
      for (let k = 0; k < inner; k++) out[dst + k]! += data[src + k];
    }
  }
  return out;
}

export function concat(
  parts: readonly StridedView[],
  axis: number,
  outShape: readonly number[],
  dtype: DType,
): TypedArray {
  const [outer, total, inner] = around(outShape, axis);
  const out = allocate(dtype, outer * total * inner);
  let start = 0;
  for (const part of parts) {
    const n = part.shape[axis]!;
    const data = part.dtype === dtype ? copyToContiguous(part) : copyToContiguous(part, dtype);
    const chunk = n * inner;
    for (let o = 0; o < outer; o++)
      out.set(data.subarray(o * chunk, (o + 1) * chunk), (o * total + start) * inner);
    start += n;
  }
  return out;
}

export function unslice(
  x: StridedView,
  begin: readonly number[],
  steps: readonly number[],
  outShape: readonly number[],
): TypedArray {
  let size = 1;
  for (const d of outShape) size *= d;
  const out = allocate(x.dtype, size);
  const data = copyToContiguous(x);
  if (data.length === 0) return out;
  const rank = outShape.length;
  const outStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    outStrides[i] = s;
    s *= outShape[i]!;
  }
  let base = 0;
  for (let i = 0; i < rank; i++) base += begin[i]! * outStrides[i]!;
  if (rank === 0) {
    out[0] = data[0]!;
    return out;
  }
  const stepStrides = outStrides.map((st, i) => st * steps[i]!);
  const index = new Array<number>(rank).fill(0);
  const inner = x.shape[rank - 1]!;
  const innerStep = stepStrides[rank - 1]!;
  let p = base;
  let k = 0;
  for (;;) {
    for (let j = 0; j < inner; j++) out[p + j * innerStep] = data[k++]!;
    let axis = rank - 2;
    while (axis >= 0) {
      index[axis]!++;
      p += stepStrides[axis]!;
      if (index[axis]! < x.shape[axis]!) break;
      p -= stepStrides[axis]! * x.shape[axis]!;
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
  return out;
}
