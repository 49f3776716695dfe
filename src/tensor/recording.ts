import type { Tensor } from './tensor.js';

/** What the op runner needs to know of a recording GradientTape. */
export interface TapeRecorder {
  /** Tensors this tape follows: watched sources and the outputs of ops it recorded. */
  readonly tracked: WeakSet<Tensor>;
  readonly watchAccessedVariables: boolean;
}

/**
 * Global autograd switches. `gradEnabled` is cleared by `noGrad` (nothing is recorded at all);
 * `trackRequiresGrad` is cleared while a backward pass runs without `createGraph`, so gradient
 * arithmetic is not itself recorded for PyTorch-style tracking (tapes still see it: that is how
 * nested tapes give higher derivatives).
 */
export const recording = {
  gradEnabled: true,
  trackRequiresGrad: true,
  tapes: [] as TapeRecorder[],
};

export function pushTape(tape: TapeRecorder): void {
  recording.tapes.push(tape);
}

export function removeTape(tape: TapeRecorder): void {
  const i = recording.tapes.lastIndexOf(tape);
  if (i >= 0) recording.tapes.splice(i, 1);
}

/** Runs `fn` with all recording off (TensorFlow's stop_recording for every tape, torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const previous = recording.gradEnabled;
  recording.gradEnabled = false;
  try {
    return fn();
  } finally {
    recording.gradEnabled = previous;
  }
}
