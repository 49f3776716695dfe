/**
 * In-memory columns that a Dataset slices along axis 0 (`fromTensorSlices`, `csv`). A dataset built
 * on them keeps them, together with the order in which it visits rows (an iterator of row indices
 * that shuffle, take, skip, repeat and cache transform), until an operation that needs the elements
 * themselves (map, filter, ...). `batch` on such a dataset copies each batch's rows straight out of
 * the columns (a view when the rows are consecutive) instead of slicing rows and stacking them.
 */
import { allocate, type TypedArray } from '../backend/dtype.js';
import { Variable } from '../ops/variable.js';
import { fromValues } from '../tensor/convert.js';
import { contiguousStrides, formatShape, shapesEqual, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { childPath, isPlainObject, rowsView, rowView } from './structure.js';

/** A column: a tensor sliced along axis 0, or a list of strings. */
export type Column = Tensor | readonly string[];

/** Columns in a structure (a column, or tuples/records of them) that all have `n` rows. */
export interface Columns {
  readonly root: unknown;
  readonly n: number;
}

export interface SliceSource {
  /** The columns; loaded on the first iteration when they come from a file. */
  load(): Columns | Promise<Columns>;
  /** The row indices of one pass, in the order the dataset visits them. */
  order(n: number): Iterator<number>;
}

function isNumericArray(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return true;
  return Array.isArray(value) && value.every(isNumericArray);
}

function isTypedArray(value: unknown): value is TypedArray {
  return (
    value instanceof Float32Array ||
    value instanceof Float64Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array
  );
}

/**
 * Converts the argument of `fromTensorSlices` into columns: a tensor, a typed array or a nested
 * numeric array is one column; other arrays are tuples and plain objects records of columns.
 * Variables are snapshotted, so later assignments do not change the dataset.
 */
export function columnsFromInput(opName: string, input: unknown): Columns {
  const shapes: [string, readonly number[]][] = [];
  const convert = (value: unknown, path: string): unknown => {
    let t: Tensor | undefined;
    if (value instanceof Variable) t = value.snapshot();
    else if (value instanceof Tensor) t = value;
    else if (isTypedArray(value) || (Array.isArray(value) && isNumericArray(value))) {
      t = fromValues(opName, value);
    }
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) {
      shapes.push([path, [value.length]]);
      return [...value];
    }
    if (t !== undefined) {
      if (t.rank === 0) {
        throw new RangeError(
          `${opName}: ${path === '' ? 'the input' : `component ${path}`} is a scalar; every component needs rank >= 1 to be sliced along axis 0`,
        );
      }
      shapes.push([path, t.shape]);
      return t;
    }
    if (Array.isArray(value)) {
      if (value.length === 0)
        throw new TypeError(`${opName}: empty tuple at ${path === '' ? 'the input' : path}`);
      return value.map((v, i) => convert(v, childPath(path, i)));
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = convert(v, childPath(path, k));
      return out;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      throw new RangeError(
        `${opName}: ${path === '' ? 'the input' : `component ${path}`} is a scalar (${String(value)}); every component needs rank >= 1 to be sliced along axis 0`,
      );
    }
    const what = value === null || value === undefined ? String(value) : typeof value;
    throw new TypeError(
      `${opName}: cannot slice ${path === '' ? 'the input' : `component ${path}`} (${what}); expected a tensor, a (typed) array, or an array or record of them`,
    );
  };
  const root = convert(input, '');
  if (shapes.length === 0) throw new TypeError(`${opName}: the input holds no tensors`);
  const n = shapes[0]![1][0]!;
  if (shapes.some(([, s]) => s[0] !== n)) {
    const list = shapes.map(([p, s]) => `${p === '' ? 'input' : p}: ${formatShape(s)}`).join(', ');
    throw new RangeError(`${opName}: all components must have the same size along axis 0, got ${list}`);
  }
  return { root, n };
}

/** Row `i` of the columns: tensors as views (nothing copied), strings as they are. */
export function elementAt(root: unknown, i: number): unknown {
  if (root instanceof Tensor) return rowView(root, i);
  if (Array.isArray(root)) {
    if (root.length > 0 && typeof root[0] === 'string') return root[i];
    return root.map((c) => elementAt(c, i));
  }
  const out: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(root as Record<string, unknown>)) out[k] = elementAt(c, i);
  return out;
}

/** Copies rows `indices` of `t` into a new contiguous tensor of shape [indices.length, ...]. */
function gatherRows(t: Tensor, indices: readonly number[]): Tensor {
  const rowShape = t.shape.slice(1);
  const inner = sizeOf(rowShape);
  const out = allocate(t.dtype, indices.length * inner);
  const rowsContiguous = shapesEqual(t.strides.slice(1), contiguousStrides(rowShape)) || inner <= 1;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j]!;
    if (rowsContiguous) {
      const start = t.offset + i * t.strides[0]!;
      out.set(t.storage.subarray(start, start + inner), j * inner);
    } else {
      out.set(rowView(t, i).dataSync(), j * inner);
    }
  }
  return new Tensor(out, [indices.length, ...rowShape], t.dtype);
}

/** The batch made of rows `indices`: one copy per column, or a view when the rows are consecutive. */
export function batchAt(root: unknown, indices: readonly number[]): unknown {
  if (root instanceof Tensor) {
    const start = indices[0]!;
    let consecutive = true;
    for (let j = 1; j < indices.length && consecutive; j++) consecutive = indices[j] === start + j;
    return consecutive ? rowsView(root, start, indices.length) : gatherRows(root, indices);
  }
  if (Array.isArray(root)) {
    if (root.length > 0 && typeof root[0] === 'string') return indices.map((i) => root[i] as string);
    return root.map((c) => batchAt(c, indices));
  }
  const out: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(root as Record<string, unknown>)) out[k] = batchAt(c, indices);
  return out;
}

export function* rangeOrder(n: number): Iterator<number> {
  for (let i = 0; i < n; i++) yield i;
}
