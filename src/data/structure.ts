/**
 * Element structures of a Dataset: a leaf (a Tensor, a number, a boolean or a string) or a tuple
 * (array) or record (plain object) of structures, nested to any depth. This file walks them: the type
 * mappings for `batch`/`unbatch`/`fromTensorSlices`, stacking a list of elements into one batch and
 * splitting a batch back into elements.
 */
import type { TypedArray } from '../backend/dtype.js';
import { stack } from '../ops/shape.js';
import { noGrad } from '../tensor/recording.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** What `batch` makes of an element type: tensors and numbers stack into a tensor, strings into a list. */
export type Batched<T> = T extends Tensor | number | boolean
  ? Tensor
  : T extends string
    ? string[]
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Batched<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Batched<T[K]> }
        : never;

/** What `unbatch` makes of a batched element type. */
export type Unbatched<T> = T extends Tensor
  ? Tensor
  : T extends readonly string[]
    ? string
    : T extends readonly unknown[]
      ? { -readonly [K in keyof T]: Unbatched<T[K]> }
      : T extends object
        ? { -readonly [K in keyof T]: Unbatched<T[K]> }
        : never;

type NumericArray = readonly (number | boolean | NumericArray)[];

/** What `fromTensorSlices` yields for an input: each tensor (or nested numeric array) becomes a slice. */
export type Sliced<X> = X extends Tensor | TypedArray
  ? Tensor
  : X extends NumericArray
    ? Tensor
    : X extends readonly string[]
      ? string
      : X extends readonly unknown[]
        ? { -readonly [K in keyof X]: Sliced<X[K]> }
        : X extends object
          ? { -readonly [K in keyof X]: Sliced<X[K]> }
          : never;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** `path` plus one step, for error messages: `[0]`, `.label`, `[1].x`. */
export function childPath(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : `${path}.${key}`;
}

/** Names a position for an error message ("element" for the root). */
export function where(path: string): string {
  return path === '' ? 'the element' : `component ${path}`;
}

function describe(value: unknown): string {
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || value === undefined) return String(value);
  if (isPlainObject(value)) return `a record with keys {${Object.keys(value).join(', ')}}`;
  return `${typeof value} ${String(value)}`;
}

/** An array of strings is a batched string column (what `batch` makes of string leaves). */
function isStringColumn(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}

/**
 * Stacks `elements` (all with the same structure) into one batch: tensors with `stack` (all must
 * have one shape and dtype), numbers into a float32 tensor, booleans into a bool tensor, strings
 * into a string array; tuples and records recursively.
 */
export function stackElements(opName: string, elements: readonly unknown[], path = ''): unknown {
  const first = elements[0];
  const mismatch = (k: number, expected: string): never => {
    throw new TypeError(
      `${opName}: elements differ in structure at ${where(path)}: element ${k} is ${describe(elements[k])}, but element 0 is ${expected}`,
    );
  };
  if (first instanceof Tensor) {
    for (let k = 1; k < elements.length; k++) {
      const t = elements[k];
      if (!(t instanceof Tensor)) mismatch(k, describe(first));
      else if (!shapesEqual(t.shape, first.shape) || t.dtype !== first.dtype) {
        throw new RangeError(
          `${opName}: cannot stack ${where(path)}: element ${k} is ${describe(t)} but element 0 is ${describe(first)} (pad or reshape them to one shape first)`,
        );
      }
    }
    return noGrad(() => stack(elements as Tensor[]));
  }
  if (typeof first === 'number' || typeof first === 'boolean') {
    const kind = typeof first;
    const data = kind === 'number' ? new Float32Array(elements.length) : new Uint8Array(elements.length);
    for (let k = 0; k < elements.length; k++) {
      const v = elements[k];
      if (typeof v !== kind) mismatch(k, describe(first));
      data[k] = Number(v);
    }
    return new Tensor(data, [elements.length], kind === 'number' ? 'float32' : 'bool');
  }
  if (typeof first === 'string') {
    for (let k = 1; k < elements.length; k++) if (typeof elements[k] !== 'string') mismatch(k, 'a string');
    return [...(elements as string[])];
  }
  if (Array.isArray(first)) {
    for (let k = 1; k < elements.length; k++) {
      const e = elements[k];
      if (!Array.isArray(e) || e.length !== first.length) mismatch(k, describe(first));
    }
    return first.map((_, i) =>
      stackElements(
        opName,
        elements.map((e) => (e as unknown[])[i]),
        childPath(path, i),
      ),
    );
  }
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (let k = 1; k < elements.length; k++) {
      const e = elements[k];
      if (!isPlainObject(e) || Object.keys(e).length !== keys.length || keys.some((key) => !(key in e))) {
        mismatch(k, describe(first));
      }
    }
    for (const key of keys) {
      out[key] = stackElements(
        opName,
        elements.map((e) => (e as Record<string, unknown>)[key]),
        childPath(path, key),
      );
    }
    return out;
  }
  throw new TypeError(
    `${opName}: cannot batch ${where(path)}: it is ${describe(first)} (expected tensors, numbers, booleans, strings, or arrays and records of them)`,
  );
}

/** Row `i` of `t` along axis 0, as a view sharing storage (no copy, nothing recorded). */
export function rowView(t: Tensor, i: number): Tensor {
  return new Tensor(t.storage, t.shape.slice(1), t.dtype, t.strides.slice(1), t.offset + i * t.strides[0]!);
}

/** Rows `start .. start + count - 1` of `t`, as a view. */
export function rowsView(t: Tensor, start: number, count: number): Tensor {
  return new Tensor(
    t.storage,
    [count, ...t.shape.slice(1)],
    t.dtype,
    t.strides,
    t.offset + start * t.strides[0]!,
  );
}

/**
 * The number of rows of a batched element (the common size of axis 0 of its tensors and the length
 * of its string columns); an error names the components when they disagree.
 */
export function batchLength(opName: string, element: unknown): number {
  const sizes: [string, number, string][] = [];
  const visit = (value: unknown, path: string): void => {
    if (value instanceof Tensor) {
      if (value.rank === 0) {
        throw new RangeError(`${opName}: ${where(path)} is a scalar tensor; every component needs rank >= 1`);
      }
      sizes.push([path, value.shape[0]!, formatShape(value.shape)]);
    } else if (isStringColumn(value)) {
      sizes.push([path, value.length, `${value.length} strings`]);
    } else if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) visit(v, childPath(path, i));
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, childPath(path, k));
    } else {
      throw new TypeError(`${opName}: ${where(path)} is ${describe(value)}; expected tensors of rank >= 1`);
    }
  };
  visit(element, '');
  if (sizes.length === 0) throw new TypeError(`${opName}: the element has no tensors to split`);
  const n = sizes[0]![1];
  if (sizes.some(([, m]) => m !== n)) {
    const list = sizes.map(([p, , s]) => `${p === '' ? 'element' : p}: ${s}`).join(', ');
    throw new RangeError(`${opName}: components differ in their size along axis 0: ${list}`);
  }
  return n;
}

/** Row `i` of a batched element: tensors as views, string columns as their `i`th string. */
export function elementRow(element: unknown, i: number): unknown {
  if (element instanceof Tensor) return rowView(element, i);
  if (isStringColumn(element)) return element[i];
  if (Array.isArray(element)) return element.map((v) => elementRow(v, i));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(element as Record<string, unknown>)) out[k] = elementRow(v, i);
  return out;
}
