/**
 * Which training steps may hand their own memory back. A step of `fit` allocates every activation and
 * gradient afresh, and the arrays die with the step; on the native backend V8 frees them only when
 * external-memory pressure forces a collection, whose marking then competes with the kernels for the
 * cores (a small CNN's step allocated 4-16 MB and ran a full collection every ~8 steps). When nothing
 * but the step can hold its arrays, trainStep returns them to the allocator's pool instead
 * (backend/recycle.ts) and the next step reuses them.
 *
 * Nothing else holds them when every piece that sees the step's tensors is known to keep none: layers
 * of the classes declared here (exact classes: a subclass may keep its inputs), with built-in
 * activations and regularizers, a built-in loss class, a built-in optimizer, no other tape recording
 * and no PyTorch-style graph. What survives the step (predictions, losses, weights) is kept by storage.
 */
import type { TypedArray } from '../../backend/dtype.js';
import { recycle } from '../../backend/recycle.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isBuiltin as isBuiltinActivation } from '../activations.js';
import { Loss } from '../losses.js';
import { L1, L1L2, L2, Regularizer } from '../regularizers.js';
import type { Layer } from './layer.js';

type LayerClass = abstract new (...args: never[]) => Layer;

const keepNothing = new Set<LayerClass>();
const BUILTIN_REGULARIZERS = new Set<unknown>([L1L2, L1, L2]);

/** Declares layer classes whose calls keep no tensor after returning (their weights aside). */
export function declareKeepsNoTensors(...classes: LayerClass[]): void {
  for (const c of classes) keepNothing.add(c);
}

/** Whether the layer, and every layer inside it, is of a declared class with only built-in parts. */
export function keepsNoTensors(layer: Layer, inner: (l: Layer) => readonly Layer[]): boolean {
  if (!keepNothing.has(layer.constructor as LayerClass)) return false;
  for (const value of Object.values(layer)) {
    // A function property is an activation (user code, unless built in); a regularizer runs on weights.
    if (typeof value === 'function' && !isBuiltinActivation(value)) return false;
    if (value instanceof Regularizer && !BUILTIN_REGULARIZERS.has(value.constructor)) return false;
    if (value instanceof Loss) return false;
  }
  return inner(layer).every((l) => l === layer || keepsNoTensors(l, inner));
}

/**
 * Returns the step's arrays to the allocator, except the storage of the tensors that outlive it
 * (`survivors`: predictions, losses, every weight's current value).
 */
export function releaseStepMemory(allocated: readonly TypedArray[], survivors: readonly Tensor[]): void {
  const kept = new Set<TypedArray>();
  for (const t of survivors) kept.add(t.storage);
  const dead = new Set<TypedArray>();
  for (const a of allocated) if (!kept.has(a)) dead.add(a);
  recycle(dead);
}
