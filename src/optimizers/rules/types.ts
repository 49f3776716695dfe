/**
 * Shared types of the update rules. A rule is a function of (parameter, gradient, state,
 * hyperparameters): it reads the parameter from `src`, writes the new value to `dst` (the same array
 * for an in-place update), and updates its state arrays in place. It keeps no hidden state, allocates
 * nothing and touches no tensor: both front ends (tf.optimizers, Keras style; tf.optim, PyTorch style)
 * call the same rules with their own names, defaults and conventions.
 *
 * Conventions common to every rule:
 * - `keep` multiplies the parameter before the update: decoupled weight decay (Keras `weightDecay`,
 *   PyTorch AdamW) is `keep = 1 - lr * wd`; 1 when unused.
 * - `scale` multiplies the gradient first: -1 for PyTorch's `maximize`, the clipping factor of Keras's
 *   `clipnorm` / `globalClipnorm`; 1 when unused.
 * - `l2` adds `l2 * param` to the (scaled) gradient: PyTorch's coupled `weight_decay`; 0 when unused.
 * - Each element reads its parameter and gradient before writing, so `dst`, `src` and even `grad` may
 *   be the same array.
 */
export type Float = Float32Array | Float64Array;

/** The gradient's elements, contiguous, one per parameter element (any numeric typed array). */
export type GradData = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Where epsilon enters, and in which order the moment updates are written. */
export type Form = 'keras' | 'torch';

export interface Common {
  /** Multiplier applied to the parameter first (decoupled weight decay); 1 when unused. */
  keep: number;
  /** Multiplier of the gradient (maximize: -1; clip by norm: the clipping factor); 1 when unused. */
  scale: number;
  /** Coupled L2 coefficient added to the gradient (PyTorch weight_decay); 0 when unused. */
  l2: number;
}
