import type { Node } from './node.js';
import type { Tensor } from './tensor.js';

/** What the op runner needs to know of a recording GradientTape. */
export interface TapeRecorder {
  /** Tensors this tape follows: watched sources and the outputs of ops it recorded. */
  readonly tracked: WeakSet<Tensor>;
  readonly watchAccessedVariables: boolean;
  /**
   * Variable snapshots lent to nodes that only this tape recorded, to give back after its gradient;
   * null for a tape that keeps its graph (persistent), whose snapshots stay out.
   */
  readonly leases: Lease[] | null;
}

/** A variable's snapshot lent to a recorded node (see Variable.lend). */
export interface Lease {
  readonly variable: { giveBack(storage: Tensor['storage']): void };
  readonly storage: Tensor['storage'];
  /** The nodes that saved the snapshot, released when it is given back. */
  readonly nodes: readonly Node[];
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
  /** Nodes recorded PyTorch-style so far (a tape checks that its backward recorded none). */
  trackedNodes: 0,
  /** The op trace being recorded (ops/trace.ts), if any. */
  tracer: null as TraceObserver | null,
};

/** What an op trace being recorded needs to hear from the rest of the library. */
export interface TraceObserver {
  /** True while a traced op's kernel runs: whatever happens there is repeated when the kernel is. */
  readonly inKernel: boolean;
  /** Something a replay of the kernels would not repeat happened: the trace cannot be replayed. */
  untraceable(reason: string): void;
}

/**
 * Reports an effect that a replay of the recorded kernels would not repeat (a variable assigned, random
 * numbers drawn, values read into JS where they may steer what runs next) outside any kernel.
 */
export function noteUntraceable(reason: string): void {
  const t = recording.tracer;
  if (t !== null && !t.inKernel) t.untraceable(reason);
}

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
