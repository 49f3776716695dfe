/** Shape arithmetic shared by every layer: sizes, strides, broadcasting and axis normalisation. */

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Checks that every dimension is a non-negative integer; names the op and the offending value. */
export function checkShape(opName: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${opName}: shape must be an array of non-negative integers, got ${String(shape)}`);
  }
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(
        `${opName}: shape must contain non-negative integers, got [${shape.map(String).join(',')}]`,
      );
    }
  }
  return shape as number[];
}

/** NumPy broadcasting of two shapes; the error names both shapes and the first clashing axis. */
export function broadcastShapes(opName: string, a: Shape, b: Shape): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RangeError(
        `${opName}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(axis ${i - rank} has sizes ${da} and ${db}; each pair must be equal or one of them 1)`,
      );
    }
  }
  return out;
}

/** Strides that read a tensor of `shape`/`strides` as if it had the broadcast shape `target`. */
export function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[offset + i] = shape[i] === 1 ? 0 : strides[i]!;
  return out;
}

/** Maps a possibly negative axis into [0, rank). */
export function normalizeAxis(opName: string, axis: number, rank: number): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new RangeError(
      `${opName}: axis ${String(axis)} is out of range for a tensor of rank ${rank} (expected an integer in [${-rank}, ${Math.max(rank - 1, 0)}])`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Normalises an axis list (undefined = all axes), sorted, rejecting duplicates. */
export function normalizeAxes(
  opName: string,
  axis: number | readonly number[] | undefined | null,
  rank: number,
): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list
    .map((a) => normalizeAxis(opName, a, rank === 0 ? 1 : rank))
    .map((a) => (rank === 0 ? 0 : a));
  if (rank === 0) return [];
  out.sort((x, y) => x - y);
  for (let i = 1; i < out.length; i++) {
    if (out[i] === out[i - 1])
      throw new RangeError(`${opName}: axis ${out[i]} is repeated in [${list.join(',')}]`);
  }
  return out;
}
