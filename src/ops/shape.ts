import { isFloat, promoteTypes } from '../backend/dtype.js';
import { isContiguous } from '../backend/js/strided.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import {
  broadcastShapes,
  checkShape,
  contiguousStrides,
  formatShape,
  normalizeAxis,
  shapesEqual,
  sizeOf,
} from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sumToShape } from './reduce.js';
import { checkInteger } from './util.js';
import { Variable } from './variable.js';
import { where } from './where.js';

/** A view sharing `x`'s storage; a variable's value is snapshotted so later assignments leave it alone. */
function view(x: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  const source = x instanceof Variable ? x.snapshot() : x;
  return new Tensor(source.storage, shape, x.dtype, strides, offset);
}

// ---------------------------------------------------------------- reshape

export const reshapeOp = defineOp<{ shape: number[] }>({
  name: 'reshape',
  infer: ([x], { shape }) => ({ shape, dtype: x!.dtype }),
  kernel: (backend, [x], { shape }) => {
    if (isContiguous(x!.shape, x!.strides)) return view(x!, shape, contiguousStrides(shape), x!.offset);
    return new Tensor(backend.cast(x!, x!.dtype), shape, x!.dtype);
  },
  grad: (dy, { inputs }) => [reshape(dy, inputs[0]!.shape)],
});

/** Resolves one -1 and checks the element count; errors name both shapes. */
function resolveShape(opName: string, from: readonly number[], to: readonly number[]): number[] {
  if (!Array.isArray(to)) throw new TypeError(`${opName}: shape must be an array, got ${String(to)}`);
  const size = sizeOf(from);
  let unknown = -1;
  let known = 1;
  to.forEach((d, i) => {
    if (d === -1 && unknown < 0) unknown = i;
    else if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${opName}: invalid target shape ${formatShape(to)} (dimensions must be non-negative integers, one may be -1)`,
      );
    } else known *= d;
  });
  const out = [...to];
  if (unknown >= 0) {
    if (known === 0 || size % known !== 0) {
      throw new RangeError(
        `${opName}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(to)}`,
      );
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new RangeError(
      `${opName}: cannot reshape ${formatShape(from)} (${size} elements) into ${formatShape(to)} (${known} elements)`,
    );
  }
  return out;
}

export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'reshape');
  const target = resolveShape('reshape', t.shape, shape);
  if (shapesEqual(target, t.shape)) return t;
  return runOp(reshapeOp, [t], { shape: target });
}

export function expandDims(x: TensorLike, axis = 0): Tensor {
  const t = toTensor(x, 'expandDims');
  const a = normalizeAxis('expandDims', axis, t.rank + 1);
  const shape = [...t.shape];
  shape.splice(a, 0, 1);
  return reshape(t, shape);
}

/** Removes size-1 axes (all of them, or those listed; listing an axis that is not 1 is an error). */
export function squeeze(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'squeeze');
  if (axis === undefined)
    return reshape(
      t,
      t.shape.filter((d) => d !== 1),
    );
  const axes = (typeof axis === 'number' ? [axis] : axis).map((a) => normalizeAxis('squeeze', a, t.rank));
  for (const a of axes) {
    if (t.shape[a] !== 1) {
      throw new RangeError(
        `squeeze: axis ${a} of shape ${formatShape(t.shape)} has size ${t.shape[a]}, expected 1`,
      );
    }
  }
  return reshape(
    t,
    t.shape.filter((_, i) => !axes.includes(i)),
  );
}

// ---------------------------------------------------------------- transpose

export const transposeOp = defineOp<{ perm: number[] }>({
  name: 'transpose',
  infer: ([x], { perm }) => ({ shape: perm.map((p) => x!.shape[p]!), dtype: x!.dtype }),
  kernel: (_b, [x], { perm }, out) =>
    view(
      x!,
      out.shape,
      perm.map((p) => x!.strides[p]!),
      x!.offset,
    ),
  grad: (dy, { attrs }) => {
    const inverse = new Array<number>(attrs.perm.length);
    attrs.perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [transpose(dy, inverse)];
  },
});

/** Permutes axes (reverses them by default); a view, no copy. */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x, 'transpose');
  const p = perm ? [...perm] : [...t.shape.keys()].reverse();
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== t.rank || sorted.some((v, i) => v !== i)) {
    throw new RangeError(
      `transpose: perm [${p.join(',')}] is not a permutation of the ${t.rank} axes of shape ${formatShape(t.shape)}`,
    );
  }
  if (p.every((v, i) => v === i)) return t;
  return runOp(transposeOp, [t], { perm: p });
}

// ---------------------------------------------------------------- broadcastTo

export const broadcastToOp = defineOp<{ shape: number[] }>({
  name: 'broadcastTo',
  infer: ([x], { shape }) => ({ shape, dtype: x!.dtype }),
  kernel: (_b, [x], { shape }) => {
    const lead = shape.length - x!.rank;
    const strides = shape.map((_, i) => (i < lead || x!.shape[i - lead] === 1 ? 0 : x!.strides[i - lead]!));
    return view(x!, shape, strides, x!.offset);
  },
  grad: (dy, { inputs }) => [sumToShape(dy, inputs[0]!.shape)],
});

export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'broadcastTo');
  checkShape('broadcastTo', shape);
  const out = broadcastShapes('broadcastTo', t.shape, shape);
  if (!shapesEqual(out, shape)) {
    throw new RangeError(`broadcastTo: cannot broadcast ${formatShape(t.shape)} to ${formatShape(shape)}`);
  }
  if (shapesEqual(t.shape, shape)) return t;
  return runOp(broadcastToOp, [t], { shape: [...shape] });
}

// ---------------------------------------------------------------- slice and its adjoint

interface SliceAttrs {
  begin: number[];
  size: number[];
  steps: number[];
}

export const sliceOp = defineOp<SliceAttrs>({
  name: 'slice',
  infer: ([x], { size }) => ({ shape: size, dtype: x!.dtype }),
  kernel: (_b, [x], { begin, size, steps }) => {
    let offset = x!.offset;
    for (let i = 0; i < begin.length; i++) offset += begin[i]! * x!.strides[i]!;
    return view(
      x!,
      size,
      x!.strides.map((s, i) => s * steps[i]!),
      offset,
    );
  },
  grad: (dy, { inputs, attrs }) => [unslice(dy, inputs[0]!.shape, attrs.begin, attrs.steps)],
});

export const unsliceOp = defineOp<{ begin: number[]; steps: number[]; shape: number[] }>({
  name: 'unslice',
  infer: ([x], { shape }) => ({ shape, dtype: x!.dtype }),
  kernel: (backend, [x], { begin, steps, shape }) =>
    new Tensor(backend.unslice(x!, begin, steps, shape), shape, x!.dtype),
  grad: (dy, { inputs, attrs }) => [
    runOp(sliceOp, [dy], { begin: attrs.begin, size: [...inputs[0]!.shape], steps: attrs.steps }),
  ],
});

/** Places `x` into zeros of `shape` at begin + i * steps: the adjoint of a strided slice. */
export function unslice(
  x: Tensor,
  shape: readonly number[],
  begin: readonly number[],
  steps: readonly number[],
): Tensor {
  return runOp(unsliceOp, [x], { begin: [...begin], steps: [...steps], shape: [...shape] });
}

/**
 * `slice(x, begin, size)` as TensorFlow (size -1 = to the end), with optional positive `steps`
 * for strided slicing (x[b:e:s]). A view, no copy.
 */
export function slice(
  x: TensorLike,
  begin: number | readonly number[],
  size?: number | readonly number[],
  steps?: readonly number[],
): Tensor {
  const t = toTensor(x, 'slice');
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  const st = steps ? [...steps] : [];
  if (b.length > t.rank) {
    throw new RangeError(
      `slice: begin [${b.join(',')}] has more entries than the rank ${t.rank} of ${formatShape(t.shape)}`,
    );
  }
  const fullBegin: number[] = [];
  const fullSize: number[] = [];
  const fullSteps: number[] = [];
  for (let i = 0; i < t.rank; i++) {
    const dim = t.shape[i]!;
    const step = st[i] ?? 1;
    checkInteger('slice', 'step', step);
    if (step < 1)
      throw new RangeError(
        `slice: steps must be positive integers, got [${st.join(',')}] (use flip to reverse)`,
      );
    let start = b[i] ?? 0;
    checkInteger('slice', 'begin', start);
    if (start < 0) start += dim;
    const available = Math.max(0, Math.ceil((dim - start) / step));
    let n = s[i] ?? -1;
    checkInteger('slice', 'size', n);
    if (n === -1) n = available;
    if (start < 0 || start > dim || n < 0 || n > available) {
      throw new RangeError(
        `slice: begin [${b.join(',')}] and size [${s.join(',')}] are out of range for shape ${formatShape(t.shape)} (axis ${i})`,
      );
    }
    fullBegin.push(n === 0 ? 0 : start);
    fullSize.push(n);
    fullSteps.push(step);
  }
  if (fullBegin.every((v) => v === 0) && shapesEqual(fullSize, t.shape) && fullSteps.every((v) => v === 1))
    return t;
  return runOp(sliceOp, [t], { begin: fullBegin, size: fullSize, steps: fullSteps });
}

// ---------------------------------------------------------------- flip

export const flipOp: OpDef<{ axes: number[] }> = defineOp<{ axes: number[] }>({
  name: 'flip',
  infer: ([x]) => ({ shape: x!.shape, dtype: x!.dtype }),
  kernel: (_b, [x], { axes }) => {
    let offset = x!.offset;
    const strides = [...x!.strides];
    for (const a of axes) {
      if (x!.shape[a]! > 0) offset += (x!.shape[a]! - 1) * strides[a]!;
      strides[a] = -strides[a]!;
    }
    return view(x!, x!.shape, strides, offset);
  },
  grad: (dy, { attrs }) => [runOp(flipOp, [dy], attrs)],
});

/** Reverses the order along the given axes (all by default); a view with negative strides. */
export function flip(x: TensorLike, axis?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'flip');
  const list = axis === undefined ? [...t.shape.keys()] : typeof axis === 'number' ? [axis] : [...axis];
  const axes = [...new Set(list.map((a) => normalizeAxis('flip', a, t.rank)))];
  if (axes.length === 0) return t;
  return runOp(flipOp, [t], { axes });
}

// ---------------------------------------------------------------- concat, stack, split

export const concatOp = defineOp<{ axis: number }>({
  name: 'concat',
  infer: (inputs, { axis }) => {
    const first = inputs[0]!;
    let total = 0;
    let dtype = first.dtype;
    for (const [k, t] of inputs.entries()) {
      if (t.rank !== first.rank || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
        throw new RangeError(
          `concat: tensor ${k} has shape ${formatShape(t.shape)}, which does not match ${formatShape(first.shape)} except along axis ${axis}`,
        );
      }
      total += t.shape[axis]!;
      dtype = promoteTypes(dtype, t.dtype);
    }
    const shape = [...first.shape];
    shape[axis] = total;
    return { shape, dtype };
  },
  kernel: (backend, inputs, { axis }, out) =>
    new Tensor(backend.concat(inputs, axis, out.shape, out.dtype), out.shape, out.dtype),
  grad: (dy, { inputs, attrs }, needs) => {
    let start = 0;
    return inputs.map((t, k) => {
      const begin = t.shape.map((_, i) => (i === attrs.axis ? start : 0));
      start += t.shape[attrs.axis]!;
      return needs[k] && isFloat(t.dtype) ? slice(dy, begin, t.shape) : null;
    });
  },
});

export function concat(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RangeError('concat: expected a non-empty array of tensors');
  }
  const ts = tensors.map((t) => toTensor(t, 'concat'));
  const a = normalizeAxis('concat', axis, ts[0]!.rank);
  if (ts.length === 1) return ts[0]!;
  return runOp(concatOp, ts, { axis: a });
}

export function stack(tensors: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new RangeError('stack: expected a non-empty array of tensors');
  const ts = tensors.map((t) => toTensor(t, 'stack'));
  for (const [k, t] of ts.entries()) {
    if (!shapesEqual(t.shape, ts[0]!.shape)) {
      throw new RangeError(
        `stack: tensor ${k} has shape ${formatShape(t.shape)}, expected ${formatShape(ts[0]!.shape)} like tensor 0`,
      );
    }
  }
  const a = normalizeAxis('stack', axis, ts[0]!.rank + 1);
  return concat(
    ts.map((t) => expandDims(t, a)),
    a,
  );
}

export function unstack(x: TensorLike, axis = 0): Tensor[] {
  const t = toTensor(x, 'unstack');
  const a = normalizeAxis('unstack', axis, t.rank);
  const size = [...t.shape];
  size[a] = 1;
  const out: Tensor[] = [];
  for (let i = 0; i < t.shape[a]!; i++) {
    const begin = t.shape.map((_, j) => (j === a ? i : 0));
    out.push(squeeze(slice(t, begin, size), a));
  }
  return out;
}

/** Splits into `n` equal parts or parts of the given sizes (one may be -1) along `axis`. */
export function split(x: TensorLike, numOrSizes: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, 'split');
  const a = normalizeAxis('split', axis, t.rank);
  const dim = t.shape[a]!;
  let sizes: number[];
  if (typeof numOrSizes === 'number') {
    checkInteger('split', 'num', numOrSizes);
    if (numOrSizes <= 0 || dim % numOrSizes !== 0) {
      throw new RangeError(
        `split: axis ${a} of shape ${formatShape(t.shape)} (size ${dim}) cannot be split into ${numOrSizes} equal parts`,
      );
    }
    sizes = new Array<number>(numOrSizes).fill(dim / numOrSizes);
  } else {
    sizes = [...numOrSizes];
    const unknown = sizes.indexOf(-1);
    const known = sizes.reduce((s, v) => (v === -1 ? s : s + v), 0);
    if (unknown >= 0) sizes[unknown] = dim - known;
    if (sizes.some((v) => v < 0) || sizes.reduce((s, v) => s + v, 0) !== dim) {
      throw new RangeError(
        `split: sizes [${numOrSizes.join(',')}] do not add up to ${dim} (axis ${a} of ${formatShape(t.shape)})`,
      );
    }
  }
  let start = 0;
  return sizes.map((n) => {
    const begin = t.shape.map((_, j) => (j === a ? start : 0));
    const size = t.shape.map((d, j) => (j === a ? n : d));
    start += n;
    return slice(t, begin, size);
  });
}

/** Repeats the tensor `reps[i]` times along axis i: a broadcast view of an expanded shape, reshaped. */
export function tile(x: TensorLike, reps: readonly number[]): Tensor {
  const t = toTensor(x, 'tile');
  if (!Array.isArray(reps) || reps.length !== t.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new RangeError(
      `tile: reps [${String(reps)}] must list one non-negative integer per axis of ${formatShape(t.shape)}`,
    );
  }
  const expanded: number[] = [];
  const target: number[] = [];
  t.shape.forEach((d, i) => {
    expanded.push(1, d);
    target.push(reps[i]!, d);
  });
  return reshape(
    broadcastTo(reshape(t, expanded), target),
    t.shape.map((d, i) => d * reps[i]!),
  );
}

/** Pads with a constant: `paddings[i] = [before, after]` for each axis. */
export function pad(
  x: TensorLike,
  paddings: readonly (readonly [number, number])[],
  constantValue = 0,
): Tensor {
  const t = toTensor(x, 'pad');
  if (!Array.isArray(paddings) || paddings.length !== t.rank) {
    throw new RangeError(
      `pad: paddings must have one [before, after] pair per axis of ${formatShape(t.shape)}`,
    );
  }
  for (const p of paddings) {
    if (!Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new RangeError(
        `pad: each padding must be [before, after] with non-negative integers, got ${JSON.stringify(paddings)}`,
      );
    }
  }
  const shape = t.shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
  const begin = paddings.map((p) => p[0]);
  const ones = t.shape.map(() => 1);
  const placed = unslice(t, shape, begin, ones);
  if (constantValue === 0) return placed;
  const mask = unslice(new Tensor(new Uint8Array(t.size).fill(1), t.shape, 'bool'), shape, begin, ones);
  return where(mask, placed, cast(toTensor(constantValue, 'pad', t.dtype), t.dtype));
}
