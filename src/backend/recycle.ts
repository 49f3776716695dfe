import type { TypedArray } from './dtype.js';

/**
 * Storage handed back for reuse where its owner knows it is dead, so that a training step can allocate
 * its large gradients from the previous step's instead of from fresh memory. Freshly allocated arrays
 * cost more than their kernel on the native backend: V8 collects ArrayBuffers only when external
 * memory pressure forces a garbage collection, and until then every step's dead gradients add to the
 * process's memory (the MLP's 400 KB weight gradient alone adds 64 MB between collections).
 *
 * Only arrays allocated while `trackAllocations` is on may come back (the gradients a step computed
 * itself, never a tensor the user made or holds), and only large ones (small arrays are cheap).
 */

/** Arrays at least this long are tracked and pooled. */
export const RECYCLE_MIN_ELEMENTS = 4096;
/**
 * At most this many arrays of one type and length wait in the pool, and this many bytes in all (a step
 * of a small model makes a dozen activations and gradients of one shape).
 */
const PER_KIND = 16;
const MAX_BYTES = 64 << 20;

const pool = new Map<string, TypedArray[]>();
let pooledBytes = 0;
/** Arrays allocated while tracking was on and not reused since: the only ones `recycle` accepts. */
let born = new WeakSet<TypedArray>();
let tracking = 0;
/** Lists that `collectAllocations` is filling (innermost last). */
const collectors: TypedArray[][] = [];

function kind(ctor: { name: string }, length: number): string {
  return `${ctor.name}:${length}`;
}

/** A pooled array of this type and length (its contents are stale), or undefined. */
export function takeRecycled<T extends TypedArray>(ctor: { name: string }, length: number): T | undefined {
  if (pooledBytes === 0 || length < RECYCLE_MIN_ELEMENTS) return undefined;
  const list = pool.get(kind(ctor, length));
  const a = list?.pop() as T | undefined;
  if (a !== undefined) {
    pooledBytes -= a.byteLength;
    noteAllocation(a);
  }
  return a;
}

/** Called for every new (or reused) array: remembers it when allocations are being tracked. */
export function noteAllocation(a: TypedArray): void {
  if (a.length < RECYCLE_MIN_ELEMENTS) return;
  if (tracking > 0) {
    born.add(a);
    collectors.at(-1)?.push(a);
  } else {
    born.delete(a);
  }
}

/** Runs `fn` remembering the large arrays it allocates (they become eligible for `recycle`). */
export function trackAllocations<T>(fn: () => T): T {
  tracking++;
  try {
    return fn();
  } finally {
    tracking--;
  }
}

/** As trackAllocations, and appends each large array allocated meanwhile to `into` (repeats possible). */
export function collectAllocations<T>(into: TypedArray[], fn: () => T): T {
  collectors.push(into);
  try {
    return trackAllocations(fn);
  } finally {
    collectors.pop();
  }
}

/**
 * Hands back arrays that nothing references any more; each must have been allocated under
 * `trackAllocations` (others are ignored). The caller guarantees that no tensor still uses them.
 */
export function recycle(arrays: Iterable<TypedArray>): void {
  for (const a of arrays) {
    if (!born.has(a) || pooledBytes + a.byteLength > MAX_BYTES) continue;
    born.delete(a);
    const key = kind(a.constructor, a.length);
    let list = pool.get(key);
    if (list === undefined) pool.set(key, (list = []));
    if (list.length >= PER_KIND) continue;
    list.push(a);
    pooledBytes += a.byteLength;
  }
}

/** Empties the pool (tests). */
export function clearRecycled(): void {
  pool.clear();
  pooledBytes = 0;
  born = new WeakSet();
}
