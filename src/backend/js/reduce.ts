import { allocate, type DType, type TypedArray } from '../dtype.js';
import { copyToContiguous, isContiguous, permuteView, type StridedView } from './strided.js';

export type ReduceKind = 'sum' | 'prod' | 'max' | 'min' | 'any' | 'all';
export type ArgReduceKind = 'argmax' | 'argmin';

/** Per kind: the starting accumulator and how one value folds in (NaN propagates through max/min). */
const FOLD: Record<ReduceKind, { init: string; step: string }> = {
  sum: { init: '0', step: 'acc += v;' },
  prod: { init: '1', step: 'acc *= v;' },
  max: { init: '-Infinity', step: 'if (v > acc || v !== v) acc = v;' },
  min: { init: 'Infinity', step: 'if (v < acc || v !== v) acc = v;' },
  any: { init: '0', step: 'if (v !== 0) acc = 1;' },
  all: { init: '1', step: 'if (v === 0) acc = 0;' },
};

type Loop = (X: TypedArray, O: TypedArray, outer: number, inner: number) => void;
const loops = new Map<string, Loop>();

function reduceLoop(kind: ReduceKind): Loop {
  let fn = loops.get(kind);
  if (!fn) {
    const { init, step } = FOLD[kind];
    // max/min keep NaN once seen: `v > acc` is false for acc = NaN, and v !== v only for NaN.
    const guard = kind === 'max' || kind === 'min' ? 'if (acc !== acc) break;' : '';
    fn = new Function(
      'X',
      'O',
      'outer',
      'inner',
      `'use strict';
for (let o = 0, p = 0; o < outer; o++, p += inner) {
  let acc = ${init};
  for (let j = 0; j < inner; j++) { const v = X[p + j]; ${step} ${guard} }
  O[o] = acc;
}`,
    ) as Loop;
    loops.set(kind, fn);
  }
  return fn;
}

/** Reorders the view so kept axes come first and reduced axes last, then lays it out contiguously. */
function keptThenReduced(
  x: StridedView,
  axes: readonly number[],
): { data: TypedArray; outer: number; inner: number } {
  const reduced = new Set(axes);
  const order = [...x.shape.keys()].filter((i) => !reduced.has(i)).concat([...axes]);
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < x.shape.length; i++) {
    if (reduced.has(i)) inner *= x.shape[i]!;
    else outer *= x.shape[i]!;
  }
  const inOrder = order.every((axis, i) => axis === i);
  if (inOrder && isContiguous(x.shape, x.strides)) {
    const data = x.offset === 0 ? x.storage : x.storage.subarray(x.offset, x.offset + outer * inner);
    return { data, outer, inner };
  }
  return { data: copyToContiguous(permuteView(x, order)), outer, inner };
}

/** Reduces `axes` (sorted, distinct) away; the result is laid out over the kept axes in order. */
export function reduce(
  kind: ReduceKind,
  x: StridedView,
  axes: readonly number[],
  outDtype: DType,
): TypedArray {
  const { data, outer, inner } = keptThenReduced(x, axes);
  const out = allocate(outDtype, outer);
  reduceLoop(kind)(data, out, outer, inner);
  return out;
}

/** Index of the first maximum (or minimum) along one axis; a NaN counts as the extreme, as in NumPy. */
export function argReduce(kind: ArgReduceKind, x: StridedView, axis: number): Int32Array {
  const { data, outer, inner } = keptThenReduced(x, [axis]);
  const out = new Int32Array(outer);
  const better =
    kind === 'argmax' ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let o = 0, p = 0; o < outer; o++, p += inner) {
    let best = data[p]!;
    let at = 0;
    if (best === best) {
      for (let j = 1; j < inner; j++) {
        const v = data[p + j]!;
        if (v !== v) {
          at = j;
          break;
        }
        if (better(v, best)) {
          best = v;
          at = j;
        }
      }
    }
    out[o] = at;
  }
  return out;
}

/** Running sum along one axis, optionally exclusive (shifted by one) and/or from the end. */
export function cumsum(x: StridedView, axis: number, exclusive: boolean, reverse: boolean): TypedArray {
  const data = copyToContiguous(x);
  const n = x.shape[axis]!;
  let inner = 1;
  for (let i = axis + 1; i < x.shape.length; i++) inner *= x.shape[i]!;
  const outer = n === 0 || inner === 0 ? 0 : data.length / (n * inner);
  const out = allocate(x.dtype, data.length);
  for (let o = 0; o < outer; o++) {
    for (let k = 0; k < inner; k++) {
      const base = o * n * inner + k;
      let acc = 0;
      for (let s = 0; s < n; s++) {
        const j = reverse ? n - 1 - s : s;
        const p = base + j * inner;
        const v = data[p]!;
        if (exclusive) {
          out[p] = acc;
          acc += v;
        } else {
          acc += v;
          out[p] = acc;
        }
      }
    }
  }
  return out;
}
