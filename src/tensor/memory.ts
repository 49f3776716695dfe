import type { TypedArray } from '../backend/dtype.js';

/**
 * Live-object accounting for `tf.memory()`. Tensors are garbage collected; a FinalizationRegistry tells
 * us when a tensor object and when a storage array are gone, so tests can assert a loop does not grow.
 *
 * Registering every object with a FinalizationRegistry costs more than a small op itself (it made the
 * seed training loop 3-4x slower), so counting starts with the first call to `memory()` (or
 * `trackMemory()`): the figures cover the tensors created since then that are still alive.
 */
let tracking = false;
let liveTensors = 0;
let liveBuffers = 0;
let liveBytes = 0;

const tensorRegistry = new FinalizationRegistry<null>(() => {
  liveTensors--;
});
const bufferRegistry = new FinalizationRegistry<number>((bytes) => {
  liveBuffers--;
  liveBytes -= bytes;
});
const trackedBuffers = new WeakSet<object>();

export function trackTensor(tensor: object): void {
  if (!tracking) return;
  liveTensors++;
  tensorRegistry.register(tensor, null);
}

/**
 * Counts a storage array once, however many tensors view it. Keyed by the typed array itself: reading
 * `.buffer` would force V8 to move a small on-heap array off the heap.
 */
export function trackBuffer(data: TypedArray): void {
  if (!tracking || trackedBuffers.has(data)) return;
  trackedBuffers.add(data);
  liveBuffers++;
  liveBytes += data.byteLength;
  bufferRegistry.register(data, data.byteLength);
}

export interface MemoryInfo {
  /** Tensor objects created since tracking began and not yet garbage collected. */
  numTensors: number;
  /** Distinct storage arrays created since tracking began and not yet garbage collected. */
  numDataBuffers: number;
  /** Bytes held by those arrays. */
  numBytes: number;
}

/** Starts counting live tensors and bytes (idempotent). */
export function trackMemory(): void {
  tracking = true;
}

/** Live tensors and bytes since tracking began; the first call starts tracking and reports zeros. */
export function memory(): MemoryInfo {
  trackMemory();
  return { numTensors: liveTensors, numDataBuffers: liveBuffers, numBytes: liveBytes };
}
