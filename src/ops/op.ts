import type { DType } from '../backend/dtype.js';
import { type Backend, backend, type PreparedKernel } from '../backend/index.js';
import { type GradRule, Node } from '../tensor/node.js';
import { recording, type TapeRecorder } from '../tensor/recording.js';
import type { Tensor } from '../tensor/tensor.js';
import { activeRecorder } from './trace.js';
import { Variable } from './variable.js';

/**
 * A primitive op, declared once: how its output shape and dtype follow from its inputs (throwing a
 * message that names the op, the shapes/dtypes and what was expected), the kernel call, and the
 * gradient rule written with other ops (null: not differentiable, no graph node is recorded).
 */
export interface OpDef<Attrs = undefined> {
  readonly name: string;
  infer(inputs: readonly Tensor[], attrs: Attrs): OutputSpec;
  kernel(backend: Backend, inputs: readonly Tensor[], attrs: Attrs, out: OutputSpec): Tensor;
  /**
   * The kernel prepared for these inputs' geometry (see Backend.prepare), for ops whose kernel writes
   * one fresh contiguous output: a replayed trace then runs it without the op's or the backend's
   * bookkeeping. Null where the backend prepares none.
   */
  prepare?(backend: Backend, inputs: readonly Tensor[], attrs: Attrs, out: OutputSpec): PreparedKernel | null;
  readonly grad: GradRule<Attrs> | null;
}

export interface OutputSpec {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export function defineOp<Attrs = undefined>(def: OpDef<Attrs>): OpDef<Attrs> {
  return def;
}

/** Runs a primitive: infer, compute, and record a graph node when some input is being differentiated. */
export function runOp<Attrs>(def: OpDef<Attrs>, inputs: readonly Tensor[], attrs: Attrs): Tensor {
  const out = def.infer(inputs, attrs);
  const recorder = activeRecorder();
  const y =
    recorder === null ? def.kernel(backend(), inputs, attrs, out) : recorder.run(def, inputs, attrs, out);
  if (def.grad !== null && recording.gradEnabled && (y.dtype === 'float32' || y.dtype === 'float64')) {
    recordNode(def.name, inputs, attrs, y, def.grad as GradRule);
  }
  return y;
}

/**
 * Makes `y` the output of a graph node named `name` over `inputs` whose gradient is `rule`, when an
 * active tape follows some input (the tape then follows `y`) or an input is tracked PyTorch-style.
 * Variable inputs are recorded through `readVariable` nodes. Returns whether a node was recorded.
 * runOp uses it for every primitive; custom gradients (autograd/custom.ts) use it for their node.
 */
export function recordNode(
  name: string,
  inputs: readonly Tensor[],
  attrs: unknown,
  y: Tensor,
  rule: GradRule,
): boolean {
  let torch = false;
  if (recording.trackRequiresGrad) {
    for (const t of inputs) {
      if (t.trackGrad) {
        torch = true;
        break;
      }
    }
  }
  let hits = 0;
  let hitTape: TapeRecorder | null = null;
  for (const tape of recording.tapes) {
    if (follows(tape, inputs)) {
      tape.tracked.add(y);
      hits++;
      hitTape = tape;
    }
  }
  if (!torch && hits === 0) return false;
  if (torch) recording.trackedNodes++;
  // Snapshots can be lent (and later given back) only to a node that one tape alone will walk.
  const lender = !torch && hits === 1 ? hitTape!.leases : null;
  let graphInputs = inputs;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i] instanceof Variable) {
      graphInputs = inputs.map((t) => (t instanceof Variable ? readVariable(t, lender !== null) : t));
      break;
    }
  }
  const node = new Node(name, graphInputs, { inputs: graphInputs, output: y, attrs }, rule);
  y.gradFn = node;
  y.trackGrad = torch;
  if (lender !== null && graphInputs !== inputs) {
    inputs.forEach((t, i) => {
      if (t instanceof Variable) {
        const value = graphInputs[i]!;
        lender.push({ variable: t, storage: value.storage, nodes: [node, value.gradFn!] });
      }
    });
  }
  return true;
}

/**
 * The value a recorded op read from a variable: a snapshot (so a later assign cannot change the
 * gradient owed) linked to the variable by an identity node, so that gradients, including gradients
 * of gradients computed under an outer tape, flow back to the variable (TensorFlow's ReadVariableOp).
 * A lent snapshot is given back by its tape once no gradient can use it any more.
 */
function readVariable(v: Variable, lent: boolean): Tensor {
  const value = lent ? v.lend() : v.snapshot();
  value.gradFn = new Node('readVariable', [v], { inputs: [v], output: value, attrs: undefined }, passThrough);
  value.trackGrad = v.trackGrad && recording.trackRequiresGrad;
  for (const tape of recording.tapes) if (tape.tracked.has(v)) tape.tracked.add(value);
  return value;
}

const passThrough: GradRule = (dy) => [dy];

/** Whether the tape follows one of the inputs, watching a trainable variable on first access. */
function follows(tape: TapeRecorder, inputs: readonly Tensor[]): boolean {
  let found = false;
  for (const t of inputs) {
    if (tape.tracked.has(t)) found = true;
    else if (tape.watchAccessedVariables && t instanceof Variable && t.trainable && isFloatTensor(t)) {
      tape.tracked.add(t);
      found = true;
    }
  }
  return found;
}

function isFloatTensor(t: Tensor): boolean {
  return t.dtype === 'float32' || t.dtype === 'float64';
}
