/**
 * The iterators behind Dataset's transformations, as async generators over the upstream dataset (a
 * fresh upstream pass per call), plus their counterparts on row-index orders for in-memory columns.
 */
import { Tensor } from '../tensor/tensor.js';

/** A scalar tensor or boolean as a JS truth value (filter predicates may return either). */
export function truthy(opName: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (value instanceof Tensor) {
    if (value.size !== 1) {
      throw new TypeError(
        `${opName}: the predicate returned a tensor of shape [${value.shape.join(',')}]; expected a boolean or a scalar tensor`,
      );
    }
    return value.contiguousData()[0] !== 0;
  }
  throw new TypeError(
    `${opName}: the predicate returned ${typeof value}; expected a boolean or a scalar tensor`,
  );
}

export async function* take<T>(input: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  if (count === 0) return;
  let k = 0;
  for await (const x of input) {
    yield x;
    if (++k >= count) return;
  }
}

export async function* skip<T>(input: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  let k = 0;
  for await (const x of input) {
    if (k < count) k++;
    else yield x;
  }
}

/** `count` passes (forever when infinite); stops early when a pass is empty, so an empty dataset ends. */
export async function* repeat<T>(input: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  for (let pass = 0; pass < count; pass++) {
    let any = false;
    for await (const x of input) {
      any = true;
      yield x;
    }
    if (!any) return;
  }
}

export function* takeOrder(input: Iterator<number>, count: number): Generator<number> {
  for (let k = 0; k < count; k++) {
    const r = input.next();
    if (r.done) return;
    yield r.value;
  }
  input.return?.();
}

export function* skipOrder(input: Iterator<number>, count: number): Generator<number> {
  let k = 0;
  for (let r = input.next(); !r.done; r = input.next()) {
    if (k < count) k++;
    else yield r.value;
  }
}

export function* repeatOrder(pass: () => Iterator<number>, count: number): Generator<number> {
  for (let p = 0; p < count; p++) {
    const it = pass();
    let any = false;
    for (let r = it.next(); !r.done; r = it.next()) {
      any = true;
      yield r.value;
    }
    if (!any) return;
  }
}

/**
 * Keeps up to `depth` requests to the upstream iterator in flight, each mapped through `transform`,
 * and yields their results in order: `prefetch` (identity transform, depth = buffer + 1) and
 * `map` with parallel calls. Promises that are read ahead get a no-op rejection handler, so an error
 * surfaces when (and only if) the consumer reaches that element.
 */
export async function* readAhead<T, U>(
  upstream: AsyncIterator<T>,
  depth: number,
  transform: (x: T) => U | Promise<U>,
): AsyncGenerator<U> {
  const queue: Promise<IteratorResult<U, undefined>>[] = [];
  let finished = false;
  const pull = () => {
    const p = upstream
      .next()
      .then(
        async (r): Promise<IteratorResult<U, undefined>> =>
          r.done ? { done: true, value: undefined } : { done: false, value: await transform(r.value) },
      );
    p.catch(() => {});
    queue.push(p);
  };
  try {
    for (;;) {
      while (queue.length < depth) pull();
      const r = await queue.shift()!;
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) await upstream.return?.();
  }
}

/** Zips iterators: stops at the first that ends, closing the others. */
export async function* zipIterators(iterators: AsyncIterator<unknown>[]): AsyncGenerator<unknown[]> {
  let ended = -1;
  try {
    for (;;) {
      const results = await Promise.all(iterators.map((it) => it.next()));
      ended = results.findIndex((r) => r.done);
      if (ended >= 0) return;
      yield results.map((r) => r.value);
    }
  } finally {
    await Promise.all(iterators.map((it, i) => (i === ended ? undefined : it.return?.())));
  }
}
