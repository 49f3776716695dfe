import type { TypedArray } from '../backend/dtype.js';

/**
 * Live-object accounting for `tf.memory()`. Tensors are garbage collected; a FinalizationRegistry tells
 * us when a tensor object and when a storage buffer are gone, so tests can assert a loop does not grow.
 */
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
  liveTensors++;
  tensorRegistry.register(tensor, null);
}

/** Counts a storage buffer once, however many tensors view it. */
export function trackBuffer(data: TypedArray): void {
  const buffer = data.buffer;
  if (trackedBuffers.has(buffer)) return;
  trackedBuffers.add(buffer);
  liveBuffers++;
  liveBytes += buffer.byteLength;
  bufferRegistry.register(buffer, buffer.byteLength);
}

export interface MemoryInfo {
  /** Tensor objects not yet garbage collected. */
  numTensors: number;
  /** Distinct storage buffers not yet garbage collected. */
  numDataBuffers: number;
  /** Bytes held by those buffers. */
  numBytes: number;
}

export function memory(): MemoryInfo {
  return { numTensors: liveTensors, numDataBuffers: liveBuffers, numBytes: liveBytes };
}
