import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape, normalizeAxis } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { defineOp, runOp } from './op.js';
import { reshape } from './shape.js';

interface GatherAttrs {
  axis: number;
}

/**
 * Index tensors made by tapeflow's own kernels (max-pool winners) with their exclusive upper bound: they
 * are in range by construction, so the per-step gradient skips a pass over them. Kernels still skip any
 * index outside [0, size) (a window lying wholly in padding has winner -1: its gradient goes nowhere).
 */
const trustedIndices = new WeakMap<Tensor, number>();

/** @internal Marks `indices` (int32) as produced by a kernel with every entry below `bound` or negative. */
export function trustIndices(indices: Tensor, bound: number): Tensor {
  trustedIndices.set(indices, bound);
  return indices;
}

/** Checks and returns indices as a flat Int32Array, naming the first out-of-range index. */
function checkedIndices(
  opName: string,
  indices: Tensor,
  size: number,
  xShape: readonly number[],
  axis: number,
): Int32Array {
  if (indices.dtype !== 'int32') {
    throw new TypeError(
      `${opName}: indices must be int32, got ${indices.dtype} with shape ${formatShape(indices.shape)}`,
    );
  }
  const flat = indices.contiguousData() as Int32Array;
  const bound = trustedIndices.get(indices);
  if (bound !== undefined && bound <= size) return flat;
  for (let i = 0; i < flat.length; i++) {
    const k = flat[i]!;
    if (k < 0 || k >= size) {
      throw new RangeError(
        `${opName}: index ${k} is out of range for axis ${axis} of shape ${formatShape(xShape)} (expected 0 <= index < ${size})`,
      );
    }
  }
  return flat;
}

export const gatherOp = defineOp<GatherAttrs>({
  name: 'gather',
  infer: ([x, indices], { axis }) => ({
    shape: [...x!.shape.slice(0, axis), ...indices!.shape, ...x!.shape.slice(axis + 1)],
    dtype: x!.dtype,
  }),
  kernel: (backend, [x, indices], { axis }, out) => {
    const flat = checkedIndices('gather', indices!, x!.shape[axis]!, x!.shape, axis);
    return new Tensor(backend.gather(x!, flat, axis), out.shape, x!.dtype);
  },
  grad: (dy, { inputs, attrs }) => {
    const [x, indices] = inputs as [Tensor, Tensor];
    const a = attrs.axis;
    // Flatten the index dims of dy into one axis, then scatter-add back along the gathered axis.
    const flatShape = [...x.shape.slice(0, a), indices.size, ...x.shape.slice(a + 1)];
    return [scatterAdd(reshape(dy, flatShape), reshape(indices, [indices.size]), a, x.shape[a]!), null];
  },
});

export const scatterAddOp = defineOp<GatherAttrs & { size: number }>({
  name: 'scatterAdd',
  infer: ([updates], { axis, size }) => {
    const shape = [...updates!.shape];
    shape[axis] = size;
    return { shape, dtype: updates!.dtype };
  },
  kernel: (backend, [updates, indices], { axis, size }, out) => {
    const flat = checkedIndices('scatterAdd', indices!, size, out.shape, axis);
    return new Tensor(backend.scatterAdd(updates!, flat, axis, size), out.shape, updates!.dtype);
  },
  grad: (dy, { inputs, attrs }) => [runOp(gatherOp, [dy, inputs[1]!], { axis: attrs.axis }), null],
});

/** Adds slices of `updates` (indexed along `axis` by a 1-D `indices`) into zeros with `size` entries on that axis. */
export function scatterAdd(updates: TensorLike, indices: TensorLike, axis: number, size: number): Tensor {
  const u = toTensor(updates, 'scatterAdd');
  const idx = toTensor(indices, 'scatterAdd', 'int32');
  const a = normalizeAxis('scatterAdd', axis, u.rank);
  if (idx.rank !== 1 || idx.shape[0] !== u.shape[a]) {
    throw new RangeError(
      `scatterAdd: indices of shape ${formatShape(idx.shape)} must be 1-D with one entry per slice of updates ${formatShape(u.shape)} along axis ${a}`,
    );
  }
  return runOp(scatterAddOp, [u, idx], { axis: a, size });
}

/** Slices of `x` along `axis` at `indices` (any shape); the result has indices' shape in place of that axis. */
export function gather(x: TensorLike, indices: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'gather');
  const idx = toTensor(indices, 'gather', 'int32');
  if (t.rank === 0) throw new RangeError('gather: cannot gather from a scalar');
  return runOp(gatherOp, [t, idx], { axis: normalizeAxis('gather', axis, t.rank) });
}
