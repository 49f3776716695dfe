/**
 * `tf.data.Dataset`: a re-iterable, asynchronous sequence of elements with TensorFlow's
 * transformations. Iterating (`for await (const x of ds)`) starts a fresh pass over the whole
 * pipeline each time, which is what `fit` does once per epoch. Elements are tensors, numbers,
 * booleans, strings, or tuples (arrays) and records (plain objects) of them.
 *
 * Datasets over in-memory columns (`fromTensorSlices`, `csv`) keep the columns and transform only
 * the order of row indices through shuffle/take/skip/repeat/cache/prefetch, so a following `batch`
 * copies each batch's rows in one pass per column (see slices.ts).
 */
import type { Tensor } from '../tensor/tensor.js';
import {
  readAhead,
  repeat,
  repeatOrder,
  skip,
  skipOrder,
  take,
  takeOrder,
  truthy,
  zipIterators,
} from './pipeline.js';
import { ShuffleSeeds, shuffleAsync, shuffleSync } from './shuffle.js';
import { batchAt, columnsFromInput, elementAt, rangeOrder, type SliceSource } from './slices.js';
import {
  type Batched,
  batchLength,
  elementRow,
  type Sliced,
  stackElements,
  type Unbatched,
} from './structure.js';

/** `cardinality()` of a dataset that never ends (TensorFlow's value). */
export const INFINITE_CARDINALITY = -1;
/** `cardinality()` of a dataset whose size is not known without iterating it. */
export const UNKNOWN_CARDINALITY = -2;
/** Lets `prefetch` and `map`'s `numParallelCalls` pick their own depth. */
export const AUTOTUNE = -1;
const AUTOTUNE_DEPTH = 4;

/** The element type of a dataset. */
export type ElementOf<D> = D extends Dataset<infer T> ? T : never;

export interface MapOptions {
  /** How many calls of an async function run at once (results keep their order); default 1. */
  numParallelCalls?: number;
}

type GeneratorSource<T> = Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T>;

function checkCount(opName: string, what: string, n: unknown, min: number): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${opName}: ${what} must be an integer >= ${min}, got ${String(n)}`);
  }
  return n;
}

/** Cardinality arithmetic with INFINITE as +infinity and UNKNOWN absorbing. */
function known(n: number): boolean {
  return n >= 0;
}

async function* sliceElements<T>(source: SliceSource): AsyncGenerator<T> {
  const { root, n } = await source.load();
  const order = source.order(n);
  for (let r = order.next(); !r.done; r = order.next()) yield elementAt(root, r.value) as T;
}

export class Dataset<T> implements AsyncIterable<T> {
  /**
   * A dataset whose passes come from `source` (called once per iteration). `cardinality` is the
   * number of elements when known, else INFINITE_CARDINALITY or UNKNOWN_CARDINALITY.
   * Most code uses the static constructors instead.
   */
  constructor(
    private readonly source: () => AsyncIterator<T>,
    private readonly size: number = UNKNOWN_CARDINALITY,
    /** @internal In-memory columns and row order, when the dataset still is a plain view of them. */
    readonly slices?: SliceSource,
  ) {}

  /** @internal A dataset of the rows of `slices` in the order it gives. */
  static fromSliceSource<T>(slices: SliceSource, cardinality: number): Dataset<T> {
    return new Dataset<T>(() => sliceElements<T>(slices), cardinality, slices);
  }

  // ------------------------------------------------------------------ sources

  /**
   * Slices along axis 0: a tensor (or typed array, or nested numeric array) gives its rows; a tuple
   * or record of them gives tuples or records of rows (all components need the same first
   * dimension). `fromTensorSlices([images, labels])` yields `[image, label]` pairs. Rows are views
   * of the input, so nothing is copied until a batch needs it.
   */
  static fromTensorSlices<const X>(x: X): Dataset<Sliced<X>> {
    const columns = columnsFromInput('fromTensorSlices', x);
    return Dataset.fromSliceSource({ load: () => columns, order: rangeOrder }, columns.n);
  }

  /**
   * A dataset from a function returning an iterator or iterable (a generator function, sync or
   * async). The function is called again for every pass.
   */
  static fromGenerator<T>(fn: () => GeneratorSource<T>): Dataset<T> {
    if (typeof fn !== 'function') {
      throw new TypeError(
        'fromGenerator: expected a function that returns an iterator (e.g. a generator function), so that every pass can start afresh',
      );
    }
    return new Dataset<T>(async function* () {
      const g = fn() as unknown;
      if (g !== null && typeof g === 'object' && (Symbol.asyncIterator in g || Symbol.iterator in g)) {
        yield* g as AsyncIterable<T> | Iterable<T>;
      } else if (g !== null && typeof g === 'object' && typeof (g as Iterator<T>).next === 'function') {
        const it = g as AsyncIterator<T>;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      } else {
        throw new TypeError(`fromGenerator: the function returned ${String(g)}, not an iterator or iterable`);
      }
    });
  }

  /** Numbers from `start` (inclusive) to `stop` (exclusive) by `step`; `range(n)` is 0 .. n-1. */
  static range(start: number, stop?: number, step = 1): Dataset<number> {
    if (stop === undefined) [start, stop] = [0, start];
    for (const [name, v] of [
      ['start', start],
      ['stop', stop],
      ['step', step],
    ] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new TypeError(`range: ${name} must be a finite number, got ${String(v)}`);
      }
    }
    if (step === 0) throw new RangeError('range: step must not be zero');
    const count = Math.max(0, Math.ceil((stop - start) / step));
    return new Dataset(async function* () {
      for (let i = 0; i < count; i++) yield start + i * step;
    }, count);
  }

  /**
   * Elements of several datasets side by side: an array of datasets gives tuples, a record gives
   * records. Ends with the shortest dataset.
   */
  static zip<const D extends readonly Dataset<unknown>[]>(
    datasets: D,
  ): Dataset<{ -readonly [K in keyof D]: ElementOf<D[K]> }>;
  static zip<D extends Record<string, Dataset<unknown>>>(
    datasets: D,
  ): Dataset<{ [K in keyof D]: ElementOf<D[K]> }>;
  static zip(datasets: readonly Dataset<unknown>[] | Record<string, Dataset<unknown>>): Dataset<unknown> {
    const isArray = Array.isArray(datasets);
    const keys = isArray ? [] : Object.keys(datasets);
    const list: Dataset<unknown>[] = isArray ? [...datasets] : Object.values(datasets);
    if (list.length === 0) throw new RangeError('zip: expected at least one dataset');
    list.forEach((d, i) => {
      if (!(d instanceof Dataset)) {
        throw new TypeError(`zip: entry ${isArray ? i : keys[i]} is not a Dataset`);
      }
    });
    const sizes = list.map((d) => d.size);
    let size: number;
    if (sizes.some((s) => s === UNKNOWN_CARDINALITY)) size = UNKNOWN_CARDINALITY;
    else if (sizes.every((s) => s === INFINITE_CARDINALITY)) size = INFINITE_CARDINALITY;
    else size = Math.min(...sizes.filter(known));
    return new Dataset(async function* () {
      for await (const values of zipIterators(list.map((d) => d[Symbol.asyncIterator]()))) {
        yield isArray ? values : Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      }
    }, size);
  }

  // ------------------------------------------------------------------ iteration

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source();
  }

  /** An iterator over a fresh pass (TensorFlow.js's spelling; `for await` does the same). */
  iterator(): AsyncIterator<T> {
    return this.source();
  }

  /** The number of elements, or INFINITE_CARDINALITY (-1) or UNKNOWN_CARDINALITY (-2). */
  cardinality(): number {
    return this.size;
  }

  /** All elements of one pass, in an array. */
  async toArray(): Promise<T[]> {
    if (this.size === INFINITE_CARDINALITY) {
      throw new RangeError('toArray: the dataset is infinite (repeat() without a count); take(n) first');
    }
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }

  /** Calls `fn` on every element of one pass, awaiting it before the next. */
  async forEachAsync(fn: (x: T) => void | Promise<void>): Promise<void> {
    for await (const x of this) await fn(x);
  }

  // ------------------------------------------------------------------ transformations

  /** `fn` applied to each element, in order; `fn` may be async (see `numParallelCalls`). */
  map<U>(fn: (x: T) => U | Promise<U>, options: MapOptions = {}): Dataset<Awaited<U>> {
    let parallel = options.numParallelCalls ?? 1;
    if (parallel === AUTOTUNE) parallel = AUTOTUNE_DEPTH;
    checkCount('map', 'numParallelCalls', parallel, 1);
    const upstream = this;
    if (parallel > 1) {
      return new Dataset(
        () => readAhead(upstream.source(), parallel, fn) as AsyncGenerator<Awaited<U>>,
        this.size,
      );
    }
    return new Dataset(async function* () {
      for await (const x of upstream) yield await fn(x);
    }, this.size);
  }

  /** The elements for which `predicate` returns true (a boolean or a scalar tensor; may be async). */
  filter(predicate: (x: T) => boolean | Tensor | Promise<boolean | Tensor>): Dataset<T> {
    const upstream = this;
    const size = this.size === INFINITE_CARDINALITY ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY;
    return new Dataset(async function* () {
      for await (const x of upstream) if (truthy('filter', await predicate(x))) yield x;
    }, size);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements, as TensorFlow does: fill the buffer, emit a
   * random entry, put the next element in its place. A buffer as large as the dataset gives a
   * uniform permutation. The order is determined by `seed` (drawn from the global generator when
   * absent, so `tf.random.setSeed` makes it reproducible); each pass reshuffles unless
   * `reshuffleEachIteration` is false.
   */
  shuffle(bufferSize: number, seed?: number, reshuffleEachIteration = true): Dataset<T> {
    checkCount('shuffle', 'bufferSize', bufferSize, 1);
    if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
      throw new TypeError(`shuffle: seed must be a finite number, got ${String(seed)}`);
    }
    const seeds = new ShuffleSeeds(seed, reshuffleEachIteration);
    const up = this.slices;
    if (up) {
      return Dataset.fromSliceSource(
        { load: up.load, order: (n) => shuffleSync(up.order(n), bufferSize, seeds.next()) },
        this.size,
      );
    }
    return new Dataset(() => shuffleAsync(this.source(), bufferSize, seeds.next()), this.size);
  }

  /**
   * Groups `batchSize` consecutive elements into one: tensors are stacked along a new axis 0,
   * numbers become float32 tensors, booleans bool tensors, strings string arrays; tuples and records
   * are batched component by component. The last, smaller batch is dropped with `dropRemainder`.
   */
  batch(batchSize: number, dropRemainder = false): Dataset<Batched<T>> {
    checkCount('batch', 'batchSize', batchSize, 1);
    let size = this.size;
    if (known(size)) size = dropRemainder ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
    const up = this.slices;
    if (up) {
      return new Dataset(async function* () {
        const { root, n } = await up.load();
        const order = up.order(n);
        let indices: number[] = [];
        for (let r = order.next(); !r.done; r = order.next()) {
          indices.push(r.value);
          if (indices.length === batchSize) {
            yield batchAt(root, indices) as Batched<T>;
            indices = [];
          }
        }
        if (indices.length > 0 && !dropRemainder) yield batchAt(root, indices) as Batched<T>;
      }, size);
    }
    const upstream = this;
    return new Dataset(async function* () {
      let buffer: T[] = [];
      for await (const x of upstream) {
        buffer.push(x);
        if (buffer.length === batchSize) {
          yield stackElements('batch', buffer) as Batched<T>;
          buffer = [];
        }
      }
      if (buffer.length > 0 && !dropRemainder) yield stackElements('batch', buffer) as Batched<T>;
    }, size);
  }

  /** Splits each element along axis 0 into its rows (the inverse of `batch`). */
  unbatch(): Dataset<Unbatched<T>> {
    const upstream = this;
    const size = this.size === INFINITE_CARDINALITY ? INFINITE_CARDINALITY : UNKNOWN_CARDINALITY;
    return new Dataset(async function* () {
      for await (const x of upstream) {
        const n = batchLength('unbatch', x);
        for (let i = 0; i < n; i++) yield elementRow(x, i) as Unbatched<T>;
      }
    }, size);
  }

  /** `count` passes over the dataset (forever when `count` is absent or negative). */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined) checkCount('repeat', 'count', count, -1);
    const times = count === undefined || count < 0 ? Number.POSITIVE_INFINITY : count;
    let size: number;
    if (this.size === 0 || times === 0) size = 0;
    else if (times === Number.POSITIVE_INFINITY) size = known(this.size) ? INFINITE_CARDINALITY : this.size;
    else size = known(this.size) ? this.size * times : this.size;
    const up = this.slices;
    if (up) {
      return Dataset.fromSliceSource(
        { load: up.load, order: (n) => repeatOrder(() => up.order(n), times) },
        size,
      );
    }
    return new Dataset(() => repeat(this, times), size);
  }

  /** The first `count` elements (all of them when `count` is -1). */
  take(count: number): Dataset<T> {
    checkCount('take', 'count', count, -1);
    if (count < 0) return this;
    let size = this.size;
    if (known(size)) size = Math.min(size, count);
    else if (size === INFINITE_CARDINALITY) size = count;
    const up = this.slices;
    if (up)
      return Dataset.fromSliceSource({ load: up.load, order: (n) => takeOrder(up.order(n), count) }, size);
    return new Dataset(() => take(this, count), size);
  }

  /** All but the first `count` elements (none when `count` is -1). */
  skip(count: number): Dataset<T> {
    checkCount('skip', 'count', count, -1);
    const all = count < 0 ? Number.POSITIVE_INFINITY : count;
    let size = this.size;
    if (known(size)) size = Math.max(0, size - all);
    else if (size === INFINITE_CARDINALITY && count < 0) size = 0;
    const up = this.slices;
    if (up)
      return Dataset.fromSliceSource({ load: up.load, order: (n) => skipOrder(up.order(n), all) }, size);
    return new Dataset(() => skip(this, all), size);
  }

  /**
   * Reads up to `bufferSize` elements ahead while the consumer works on the current one
   * (AUTOTUNE picks a small depth). Rows of in-memory columns are already at hand, so there it only
   * passes them through.
   */
  prefetch(bufferSize: number = AUTOTUNE): Dataset<T> {
    if (bufferSize !== AUTOTUNE) checkCount('prefetch', 'bufferSize', bufferSize, 0);
    const depth = bufferSize === AUTOTUNE ? AUTOTUNE_DEPTH : bufferSize;
    if (depth === 0 || this.slices) return this;
    return new Dataset(() => readAhead(this.source(), depth + 1, (x: T) => x), this.size);
  }

  /**
   * Keeps the elements of the first complete pass in memory and replays them on later passes (a
   * pass that stops early caches nothing). A shuffle before `cache` is therefore frozen.
   */
  cache(): Dataset<T> {
    const up = this.slices;
    if (up) {
      let recorded: number[] | undefined;
      return Dataset.fromSliceSource(
        {
          load: up.load,
          order: function* (n) {
            if (recorded) return yield* recorded;
            const order = up.order(n);
            const seen: number[] = [];
            for (let r = order.next(); !r.done; r = order.next()) {
              seen.push(r.value);
              yield r.value;
            }
            recorded = seen;
          },
        },
        this.size,
      );
    }
    const upstream = this;
    let cached: T[] | undefined;
    return new Dataset(async function* () {
      if (cached) return yield* cached;
      const seen: T[] = [];
      for await (const x of upstream) {
        seen.push(x);
        yield x;
      }
      cached = seen;
    }, this.size);
  }

  /** Pairs `[index, element]`, counting from `start`. */
  enumerate(start = 0): Dataset<[number, T]> {
    if (typeof start !== 'number' || !Number.isInteger(start)) {
      throw new TypeError(`enumerate: start must be an integer, got ${String(start)}`);
    }
    const upstream = this;
    return new Dataset(async function* () {
      let i = start;
      for await (const x of upstream) yield [i++, x] as [number, T];
    }, this.size);
  }

  /** This dataset's elements followed by `other`'s. */
  concatenate<U>(other: Dataset<U>): Dataset<T | U> {
    if (!(other instanceof Dataset)) throw new TypeError('concatenate: expected a Dataset');
    const a = this.size;
    const b = other.size;
    let size: number;
    if (a === INFINITE_CARDINALITY || b === INFINITE_CARDINALITY) size = INFINITE_CARDINALITY;
    else if (known(a) && known(b)) size = a + b;
    else size = UNKNOWN_CARDINALITY;
    const upstream = this;
    return new Dataset<T | U>(async function* () {
      yield* upstream;
      yield* other;
    }, size);
  }
}

export function isDataset(value: unknown): value is Dataset<unknown> {
  return value instanceof Dataset;
}
