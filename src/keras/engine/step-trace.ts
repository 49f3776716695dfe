/**
 * fit's training step as a replayed trace (Keras runs it as a tf.function unless compiled with
 * `runEagerly: true`). For each input signature (the shapes, dtypes and strides of x, y and the sample
 * weights) the first step runs eagerly (it may build the layers), the second runs eagerly while its
 * kernels are recorded (ops/trace.ts), and the third runs eagerly and is replayed as well: the replay must
 * give the same predictions, losses and gradients to the bit, on data the recording never saw. Only then
 * do later steps of that signature replay the kernels alone. A recording that fails or a check that
 * differs leaves the signature eager for good.
 *
 * The caller decides when a step may be traced at all (Model.trainStep: the step's memory is private to
 * it, so its layers, loss and optimizer are built in, and no other tape or PyTorch-style graph sees it).
 * Compiling again starts over, as Keras makes a new train function.
 */
import { sameBytes } from '../../backend/dtype.js';
import { type OpTrace, recordTrace, type SlotRef } from '../../ops/trace.js';
import type { Variable } from '../../ops/variable.js';
import type { Tensor } from '../../tensor/tensor.js';

/** What a training step computes before the optimizer applies it. */
export interface StepResult {
  yPred: Tensor[];
  total: Tensor;
  values: (Tensor | null)[];
  grads: (Tensor | null)[];
}

/** Which of a result's entries are present, to rebuild it from a flat list of tensors. */
interface Layout {
  readonly outputs: number;
  readonly values: readonly boolean[];
  readonly grads: readonly boolean[];
}

interface Traced {
  readonly trace: OpTrace;
  readonly refs: readonly SlotRef[];
  readonly layout: Layout;
  checked: boolean;
}

type Entry = 'record next' | 'eager' | Traced;

function flatten(r: StepResult): Tensor[] {
  const present = (t: Tensor | null): t is Tensor => t !== null;
  return [...r.yPred, r.total, ...r.values.filter(present), ...r.grads.filter(present)];
}

function layoutOf(r: StepResult): Layout {
  return {
    outputs: r.yPred.length,
    values: r.values.map((v) => v !== null),
    grads: r.grads.map((g) => g !== null),
  };
}

function unflatten(flat: readonly Tensor[], layout: Layout): StepResult {
  let i = 0;
  const yPred = flat.slice(0, layout.outputs);
  i = layout.outputs;
  const total = flat[i++]!;
  const values = layout.values.map((present) => (present ? flat[i++]! : null));
  const grads = layout.grads.map((present) => (present ? flat[i++]! : null));
  return { yPred, total, values, grads };
}

function signature(inputs: readonly Tensor[]): string {
  return inputs.map((t) => `${t.dtype}[${t.shape.join(',')}]/${t.strides.join(',')}`).join(' ');
}

/**
 * Whether two tensors hold the same bits: a replay must run the very same kernels on the very same
 * values (so NaN matches NaN, and -0 only -0). Compared as bytes, which costs no JIT-compiled loop.
 */
function sameElements(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.contiguousData();
  const y = b.contiguousData();
  return sameBytes(
    new Uint8Array(x.buffer, x.byteOffset, x.byteLength),
    new Uint8Array(y.buffer, y.byteOffset, y.byteLength),
  );
}

/** The traces of one compiled model's training step, by input signature. */
export class StepTraces {
  private readonly entries = new Map<string, Entry>();
  /** The weights, then the trainable ones, of the traced steps. */
  private weights: readonly Variable[] = [];
  /** @internal Steps answered by a replay (for tests). */
  replayedSteps = 0;

  /**
   * The step's result for `inputs` (every tensor of x, y and the sample weights), the model's `weights`
   * and its `trainable` ones (the gradients' order): replayed when this signature's trace has passed its
   * check, else from `eager`.
   */
  run(
    inputs: readonly Tensor[],
    weights: readonly Variable[],
    trainable: readonly Variable[],
    eager: () => StepResult,
  ): StepResult {
    const all = [...weights, ...trainable];
    if (all.length !== this.weights.length || all.some((w, i) => w !== this.weights[i])) {
      // Other weights (a layer added or built, a weight frozen): the kernels read other storage now.
      this.entries.clear();
      this.weights = all;
    }
    const key = signature(inputs);
    const entry = this.entries.get(key);
    if (entry === undefined) {
      this.entries.set(key, 'record next');
      return eager();
    }
    if (entry === 'eager') return eager();
    if (entry === 'record next') {
      const recorded = recordTrace(inputs, weights, eager, flatten);
      if ('failure' in recorded) {
        this.entries.set(key, 'eager');
        return recorded.value;
      }
      this.entries.set(key, {
        trace: recorded.trace,
        refs: recorded.results,
        layout: layoutOf(recorded.value),
        checked: false,
      });
      return recorded.value;
    }
    if (!entry.checked) {
      const result = eager();
      const expected = flatten(result);
      const layout = layoutOf(result);
      const matches =
        JSON.stringify(layout) === JSON.stringify(entry.layout) &&
        this.replay(entry, inputs).every((t, i) => sameElements(t, expected[i]!));
      if (matches) entry.checked = true;
      else this.entries.set(key, 'eager');
      return result;
    }
    this.replayedSteps++;
    return unflatten(this.replay(entry, inputs), entry.layout);
  }

  private replay(entry: Traced, inputs: readonly Tensor[]): Tensor[] {
    const replayed = entry.trace.replay(inputs);
    return entry.refs.map((ref) => replayed.tensor(ref));
  }
}
