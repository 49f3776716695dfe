/**
 * Op traces: the kernels a function of some tensors ran, recorded once and replayed on new values of the
 * same shapes (TensorFlow's concrete function from tf.function, without a graph compiler). A training
 * step of a Keras model runs the same few dozen kernels every batch; replaying them skips the layers,
 * shape checks, tape and gradient rules that chose them, which on the native backend cost as much as the
 * kernels themselves for a small model.
 *
 * A trace maps every storage an op read to a slot: an input (its offset taken relative to the input's,
 * so a batch slice anywhere in a dataset replays), a variable (its current storage at replay), an earlier
 * op's output, or a constant made outside any op during the recording (a copy is kept). Whatever the
 * kernels would not repeat makes the recording fail: a variable assigned, random numbers drawn, a value
 * read into JS outside a kernel (it may steer what runs next), or a tensor among an op's attributes. The
 * caller still has to check a replay against an eager run on different data before trusting it (see
 * keras/engine/step-trace.ts): a constant made from data outside the ops escapes these checks.
 */
import type { PreparedKernel } from '../backend/backend.js';
import { allocateForOverwrite, arrayConstructor, type DType, type TypedArray } from '../backend/dtype.js';
import { backend } from '../backend/index.js';
import type { StridedView } from '../backend/js/strided.js';
import { recording, type TraceObserver } from '../tensor/recording.js';
import { Tensor } from '../tensor/tensor.js';
import type { OpDef, OutputSpec } from './op.js';
import type { Variable } from './variable.js';

/**
 * Where a tensor's elements are in a replay: a slot's storage seen through a view's geometry, whose
 * offset counts from the input's own offset for an input slot.
 */
export interface SlotRef extends Omit<StridedView, 'storage'> {
  readonly slot: number;
}

interface TracedOp {
  readonly def: OpDef<unknown>;
  readonly inputs: readonly SlotRef[];
  readonly attrs: unknown;
  readonly out: OutputSpec;
  /** The slot of the output's storage, or -1 when the op returned a view of storage it already has. */
  readonly outSlot: number;
  /** The slots of the arrays the kernel declared besides its output (see noteSideOutput). */
  readonly sideSlots: readonly number[];
  /** The kernel prepared for this geometry (see OpDef.prepare), or null: the op's kernel runs. */
  readonly prepared: PreparedKernel | null;
}

/** A traced op with a prepared kernel, laid out for the replay loop. */
interface PreparedStep {
  readonly kernel: PreparedKernel;
  readonly inputSlots: readonly number[];
  /** The input's offset in its slot (relative to the input's own offset for an input slot). */
  readonly inputOffsets: readonly number[];
  /** Whether each input reads a replay input (whose offset is added). */
  readonly fromInput: readonly boolean[];
  /** Reused by every replay: the storages and offsets passed to the kernel. */
  readonly storages: TypedArray[];
  readonly offsets: number[];
  readonly outSlot: number;
  readonly dtype: DType;
  readonly size: number;
  /** A result's storage is fresh each replay; any other output's is kept (see OpTrace.scratch). */
  readonly isResult: boolean;
}

const EMPTY = new Float32Array(0);

/** Arrays the running kernel declared besides its output, while a trace records or replays. */
let sideOutputs: TypedArray[] | null = null;

/**
 * Declares an array the running kernel computes besides its output (max pooling's winners, which the
 * gradient reads later), so that a trace gives it a slot and a replay the new one.
 */
export function noteSideOutput(array: TypedArray): void {
  sideOutputs?.push(array);
}

/** The storage of every slot after a replay; `tensor(ref)` views one as a tensor. */
export class Replayed {
  constructor(
    private readonly slots: readonly TypedArray[],
    private readonly inputs: readonly Tensor[],
  ) {}

  tensor(ref: SlotRef): Tensor {
    const base = ref.slot < this.inputs.length ? this.inputs[ref.slot]!.offset : 0;
    return new Tensor(this.slots[ref.slot]!, ref.shape, ref.dtype, ref.strides, base + ref.offset);
  }
}

/** A recorded sequence of kernels over inputs, variables and constants. */
export class OpTrace {
  /**
   * The outputs of prepared kernels that no result views, by slot: allocated by the first replay and
   * written again by every later one (nothing outside a replay sees them), so that a step allocates
   * only its results.
   */
  private readonly scratch: (TypedArray | undefined)[] = [];
  /** Per op, its prepared form or null. */
  private readonly steps: readonly (PreparedStep | null)[];
  /**
   * The ops a replay runs, by index: not the views (an op whose output is storage the trace already has,
   * with no side output), which compute nothing a later op or a result reads from them: both find the
   * elements through their own refs into that storage.
   */
  private readonly running: readonly number[];

  constructor(
    private readonly inputCount: number,
    private readonly variables: readonly Variable[],
    private readonly constants: readonly TypedArray[],
    private readonly ops: readonly TracedOp[],
    private readonly slotCount: number,
    /** The slots that the results view: fresh storage on every replay. */
    resultSlots: ReadonlySet<number>,
  ) {
    this.steps = ops.map((op) => {
      if (op.prepared === null) return null;
      const n = op.inputs.length;
      let size = 1;
      for (const d of op.out.shape) size *= d;
      return {
        kernel: op.prepared,
        inputSlots: op.inputs.map((ref) => ref.slot),
        inputOffsets: op.inputs.map((ref) => ref.offset),
        fromInput: op.inputs.map((ref) => ref.slot < inputCount),
        storages: new Array<TypedArray>(n),
        offsets: new Array<number>(n).fill(0),
        outSlot: op.outSlot,
        dtype: op.out.dtype,
        size,
        isResult: resultSlots.has(op.outSlot),
      };
    });
    this.running = ops.flatMap((op, k) =>
      op.prepared !== null || op.outSlot >= 0 || op.sideSlots.length > 0 ? [k] : [],
    );
  }

  /** @internal The names of the ops that run a prepared kernel, in order (tests). */
  get preparedOps(): string[] {
    return this.ops.filter((op) => op.prepared !== null).map((op) => op.def.name);
  }

  /** Runs the kernels again on `inputs` (the recorded shapes, dtypes and strides; any offsets). */
  replay(inputs: readonly Tensor[]): Replayed {
    const slots = new Array<TypedArray>(this.slotCount);
    for (let i = 0; i < this.inputCount; i++) slots[i] = inputs[i]!.storage;
    let s = this.inputCount;
    for (const v of this.variables) slots[s++] = v.storage;
    for (const c of this.constants) slots[s++] = c;
    const replayed = new Replayed(slots, inputs);
    const b = backend();
    for (const k of this.running) {
      const step = this.steps[k]!;
      if (step !== null) {
        this.runPrepared(step, slots, inputs);
        continue;
      }
      const op = this.ops[k]!;
      const args = op.inputs.map((ref) => replayed.tensor(ref));
      const sides = op.sideSlots.length > 0 ? [] : null;
      sideOutputs = sides;
      let y: Tensor;
      try {
        y = op.def.kernel(b, args, op.attrs, op.out);
      } finally {
        sideOutputs = null;
      }
      if (op.outSlot >= 0) slots[op.outSlot] = y.storage;
      if (sides !== null) {
        if (sides.length !== op.sideSlots.length) {
          throw new Error(`replay of op ${op.def.name}: its kernel declared another number of side outputs`);
        }
        op.sideSlots.forEach((slot, i) => {
          slots[slot] = sides[i]!;
        });
      }
    }
    return replayed;
  }

  private runPrepared(step: PreparedStep, slots: TypedArray[], inputs: readonly Tensor[]): void {
    const { storages, offsets, inputSlots, inputOffsets, fromInput } = step;
    for (let i = 0; i < storages.length; i++) {
      const slot = inputSlots[i]!;
      storages[i] = slots[slot]!;
      offsets[i] = fromInput[i] ? inputs[slot]!.offset + inputOffsets[i]! : inputOffsets[i]!;
    }
    let out: TypedArray | undefined;
    if (step.isResult) {
      // A prepared kernel writes every element: no zeroing first.
      out = allocateForOverwrite(step.dtype, step.size);
    } else {
      out = this.scratch[step.outSlot];
      if (out === undefined) {
        // Not from allocate: the allocator's pool must never hand this array to anyone else.
        out = new (arrayConstructor(step.dtype))(step.size);
        this.scratch[step.outSlot] = out;
      }
    }
    step.kernel(storages, offsets, out);
    // Holding no storage between replays: a step's arrays die (or go back to the pool) with the step.
    storages.fill(EMPTY);
    slots[step.outSlot] = out;
  }
}

/** @internal Records the kernels of one run; `refOf` then places the run's results. */
export class Recorder implements TraceObserver {
  inKernel = false;
  failure: string | null = null;
  private readonly slotOf = new Map<TypedArray, number>();
  private readonly constants: TypedArray[] = [];
  private readonly ops: TracedOp[] = [];
  private readonly inputOffsets: number[] = [];
  private readonly constantSlots: number[] = [];
  private slotCount = 0;

  constructor(
    private readonly inputs: readonly Tensor[],
    private readonly variables: readonly Variable[],
  ) {
    for (const t of [...inputs, ...variables]) {
      // A storage with two slots could not tell a replay which of them an op read.
      if (this.slotOf.has(t.storage)) this.untraceable('two inputs or variables share storage');
      this.newSlot(t.storage);
    }
    for (const t of inputs) this.inputOffsets.push(t.offset);
  }

  private newSlot(storage: TypedArray): number {
    const slot = this.slotCount++;
    this.slotOf.set(storage, slot);
    return slot;
  }

  untraceable(reason: string): void {
    this.failure ??= reason;
  }

  /** The slot and geometry of `t`, its storage kept as a constant when no slot has it yet. */
  refOf(t: Tensor): SlotRef {
    let slot = this.slotOf.get(t.storage);
    if (slot === undefined) {
      // Constants come right after the variables in a replay; one met after an op's output gets a
      // later number here, so `finish` renumbers the slots.
      slot = this.newSlot(t.storage);
      this.constants.push(t.storage.slice() as TypedArray);
      this.constantSlots.push(slot);
    }
    const offset = slot < this.inputs.length ? t.offset - this.inputOffsets[slot]! : t.offset;
    return { slot, shape: t.shape, strides: t.strides, offset, dtype: t.dtype };
  }

  run<A>(def: OpDef<A>, inputs: readonly Tensor[], attrs: A, out: OutputSpec): Tensor {
    // A kernel written with other ops replays them itself: they are not recorded again.
    if (this.inKernel) return def.kernel(backend(), inputs, attrs, out);
    if (holdsData(attrs)) this.untraceable(`op ${def.name} has a tensor among its attributes`);
    const refs = inputs.map((t) => this.refOf(t));
    const sides: TypedArray[] = [];
    this.inKernel = true;
    sideOutputs = sides;
    let y: Tensor;
    try {
      y = def.kernel(backend(), inputs, attrs, out);
    } finally {
      this.inKernel = false;
      sideOutputs = null;
    }
    const outSlot = this.slotOf.has(y.storage) ? -1 : this.newSlot(y.storage);
    const sideSlots = sides.map((a) => this.newSlot(a));
    // A prepared kernel writes one fresh contiguous output of the op's shape.
    const fresh =
      outSlot >= 0 && sides.length === 0 && y.offset === 0 && y.isContiguous && y.storage.length === y.size;
    const prepared = fresh ? (def.prepare?.(backend(), inputs, attrs, out) ?? null) : null;
    this.ops.push({ def: def as OpDef<unknown>, inputs: refs, attrs, out, outSlot, sideSlots, prepared });
    return y;
  }

  /** The trace, with the constants' slots moved right after the variables' (where replay puts them). */
  finish(results: readonly SlotRef[]): { trace: OpTrace; results: SlotRef[] } {
    const fixed = this.inputs.length + this.variables.length;
    const renumber = new Map<number, number>();
    this.constantSlots.forEach((slot, i) => {
      renumber.set(slot, fixed + i);
    });
    let next = fixed + this.constantSlots.length;
    for (let slot = fixed; slot < this.slotCount; slot++) {
      if (!renumber.has(slot)) renumber.set(slot, next++);
    }
    const move = (ref: SlotRef): SlotRef =>
      ref.slot < fixed ? ref : { ...ref, slot: renumber.get(ref.slot)! };
    const ops = this.ops.map((op) => ({
      ...op,
      inputs: op.inputs.map(move),
      outSlot: op.outSlot < 0 ? -1 : renumber.get(op.outSlot)!,
      sideSlots: op.sideSlots.map((slot) => renumber.get(slot)!),
    }));
    const moved = results.map(move);
    const resultSlots = new Set(moved.map((ref) => ref.slot));
    const trace = new OpTrace(
      this.inputs.length,
      this.variables,
      this.constants,
      ops,
      this.slotCount,
      resultSlots,
    );
    return { trace, results: moved };
  }
}

/** Whether op attributes hold tensor data (a replay would reuse the recorded values). */
function holdsData(attrs: unknown): boolean {
  if (attrs === null || typeof attrs !== 'object') return false;
  for (const v of Object.values(attrs)) {
    if (v instanceof Tensor || ArrayBuffer.isView(v)) return true;
  }
  return false;
}

let active: Recorder | null = null;

/** @internal runOp's hook: the recorder of the trace being recorded, or null. */
export function activeRecorder(): Recorder | null {
  return active;
}

/**
 * Runs `fn`, recording the kernels of the ops it runs over `inputs` and `variables`. `results` picks the
 * tensors to find again after a replay. Returns fn's value, and the trace with the results' places, or
 * the reason it cannot be replayed.
 */
export function recordTrace<R>(
  inputs: readonly Tensor[],
  variables: readonly Variable[],
  fn: () => R,
  results: (value: R) => readonly Tensor[],
): { value: R; trace: OpTrace; results: SlotRef[] } | { value: R; failure: string } {
  if (active !== null || recording.tracer !== null) {
    return { value: fn(), failure: 'another trace is being recorded' };
  }
  const recorder = new Recorder(inputs, variables);
  active = recorder;
  recording.tracer = recorder;
  let value: R;
  try {
    value = fn();
  } finally {
    active = null;
    recording.tracer = null;
  }
  if (recorder.failure !== null) return { value, failure: recorder.failure };
  const refs = results(value).map((t) => recorder.refOf(t));
  return { value, ...recorder.finish(refs) };
}
