import { allocate, isFloat } from '../backend/dtype.js';
import { onesLike, zeros, zerosLike } from '../ops/creation.js';
import { reshape, stack } from '../ops/shape.js';
import { Variable } from '../ops/variable.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { type Lease, pushTape, recording, removeTape, type TapeRecorder } from '../tensor/recording.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type DotOptions, renderDot } from './dot.js';
import { backprop } from './engine.js';

export interface GradientTapeOptions {
  /** Allow several gradient() calls (TensorFlow's persistent=True). */
  persistent?: boolean;
  /** Watch trainable variables automatically when an op reads them (default true). */
  watchAccessedVariables?: boolean;
}

/** Sources as a tensor, an array or a record of tensors; gradients come back in the same structure. */
export type Sources = Tensor | readonly Tensor[] | { readonly [key: string]: Tensor };
export type Gradients<S> = S extends Tensor
  ? Tensor | null
  : S extends readonly Tensor[]
    ? (Tensor | null)[]
    : { [K in keyof S]: Tensor | null };

export interface GradientOptions {
  /** Upstream gradients of the target (TensorFlow's output_gradients); default ones. */
  outputGradients?: TensorLike;
  /** What an unconnected source gets: null (default) or zeros. */
  unconnectedGradients?: 'none' | 'zero';
}

/**
 * Records operations for reverse-mode differentiation, as TensorFlow's tf.GradientTape. Recording
 * runs from construction until `record(fn)` returns, the `using` block ends, or `gradient` is called;
 * `record` may be called again to resume. Tapes nest: the gradient computation of an inner tape is
 * recorded by an outer one, which gives second and higher derivatives.
 */
export class GradientTape implements TapeRecorder {
  readonly tracked = new WeakSet<Tensor>();
  readonly persistent: boolean;
  readonly watchAccessedVariables: boolean;
  readonly leases: Lease[] | null;
  private recordingNow = false;
  private used = false;
  private readonly watched: Tensor[] = [];

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
    this.leases = this.persistent ? null : [];
    this.start();
  }

  private start(): void {
    if (!this.recordingNow) {
      this.recordingNow = true;
      pushTape(this);
    }
  }

  private stop(): void {
    if (this.recordingNow) {
      this.recordingNow = false;
      removeTape(this);
    }
  }

  /** Records the ops `fn` runs and returns its result. */
  record<T>(fn: () => T): T {
    this.start();
    try {
      return fn();
    } finally {
      this.stop();
    }
  }

  /** Runs `fn` without this tape recording (TensorFlow's tape.stop_recording()). */
  stopRecording<T>(fn: () => T): T {
    const was = this.recordingNow;
    this.stop();
    try {
      return fn();
    } finally {
      if (was) this.start();
    }
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  /** Follows a tensor (or several) as a source; integer and bool tensors are ignored, as in TensorFlow. */
  watch(t: TensorLike | readonly Tensor[] | { readonly [key: string]: Tensor }): void {
    const list =
      t instanceof Tensor
        ? [t]
        : Array.isArray(t)
          ? (t as Tensor[])
          : typeof t === 'object' && t !== null && !ArrayBuffer.isView(t)
            ? Object.values(t as Record<string, Tensor>)
            : [toTensor(t as TensorLike, 'watch')];
    for (const x of list) {
      if (!(x instanceof Tensor))
        throw new TypeError(`GradientTape.watch: expected tensors, got ${String(x)}`);
      if (!isFloat(x.dtype)) continue;
      this.tracked.add(x);
      this.watched.push(x);
    }
  }

  /** The variables and tensors this tape has been told to watch or has watched on access. */
  watchedVariables(): Tensor[] {
    return this.watched.filter((t) => t instanceof Variable);
  }

  /** Gradient of `target` (summed over its elements when it is not a scalar) with respect to `sources`. */
  gradient<S extends Sources>(target: Tensor, sources: S, options: GradientOptions = {}): Gradients<S> {
    if (!(target instanceof Tensor))
      throw new TypeError(`GradientTape.gradient: target must be a Tensor, got ${String(target)}`);
    if (this.used && !this.persistent) {
      throw new Error(
        'GradientTape.gradient: a non-persistent tape can compute gradients only once; create it with { persistent: true } to call gradient() several times',
      );
    }
    this.used = true;
    this.stop();
    const list: Tensor[] =
      sources instanceof Tensor
        ? [sources]
        : Array.isArray(sources)
          ? [...sources]
          : Object.values(sources as Record<string, Tensor>);
    list.forEach((s, i) => {
      if (!(s instanceof Tensor))
        throw new TypeError(`GradientTape.gradient: source ${i} is not a Tensor (got ${String(s)})`);
    });
    const seed = this.seed(target, options.outputGradients);
    const trackedBefore = recording.trackedNodes;
    const grads = isFloat(target.dtype)
      ? backprop([target], [seed], {
          follows: (t) => this.tracked.has(t),
          sources: new Set(list),
          retainGraph: true,
        })
      : new Map<Tensor, Tensor>();
    // Nothing can walk this tape's nodes again, so the snapshots they borrowed go back to their
    // variables, unless the computation was itself recorded (an outer tape or PyTorch-style tracking:
    // its nodes may have saved a snapshot).
    const unrecorded = recording.tapes.length === 0 && recording.trackedNodes === trackedBefore;
    this.returnLeases(unrecorded);
    const pick = (s: Tensor): Tensor | null => {
      const g = grads.get(s) ?? (s === target && this.tracked.has(s) ? seed : undefined);
      if (g !== undefined) return g;
      return options.unconnectedGradients === 'zero' ? zerosLike(s) : null;
    };
    if (sources instanceof Tensor) return pick(sources) as Gradients<S>;
    if (Array.isArray(sources)) return sources.map(pick) as Gradients<S>;
    const out: Record<string, Tensor | null> = {};
    for (const [key, s] of Object.entries(sources as Record<string, Tensor>)) out[key] = pick(s);
    return out as Gradients<S>;
  }

  /** Gives the lent snapshots back (releasing the nodes that saved them), or just forgets them. */
  private returnLeases(giveBack: boolean): void {
    const leases = this.leases;
    if (leases === null) return;
    if (giveBack) {
      for (const { variable, storage, nodes } of leases) {
        for (const node of nodes) node.release();
        variable.giveBack(storage);
      }
    }
    leases.length = 0;
  }

  private seed(target: Tensor, upstream: TensorLike | undefined): Tensor {
    if (upstream === undefined) return onesLike(target);
    const g = toTensor(upstream, 'GradientTape.gradient', target.dtype);
    if (!shapesEqual(g.shape, target.shape)) {
      throw new RangeError(
        `GradientTape.gradient: outputGradients has shape ${formatShape(g.shape)}, expected the target's shape ${formatShape(target.shape)}`,
      );
    }
    return g;
  }

  /**
   * Full Jacobian d target / d source with shape [...target.shape, ...source.shape] (TensorFlow's
   * tape.jacobian): one reverse pass per target element, seeded with that element's one-hot. Null when
   * the target does not depend on the source (or zeros with `unconnectedGradients: 'zero'`). The
   * result is differentiable when an enclosing tape records this computation (hessians).
   */
  jacobian(target: Tensor, source: Tensor, options: JacobianOptions = {}): Tensor | null {
    this.begin('jacobian', target, source);
    const flat = target.size;
    const shape = [...target.shape, ...source.shape];
    return this.reverseRows(target, source, flat, options, shape, (i) => {
      const seed = allocate(target.dtype, flat);
      seed[i] = 1;
      return new Tensor(seed, target.shape, target.dtype);
    });
  }

  /**
   * TensorFlow's tape.batch_jacobian: for target [b, ...] and source [b, ...] whose batch items are
   * independent (item k of the target depends only on item k of the source), the per-item Jacobians
   * with shape [b, ...target.shape[1:], ...source.shape[1:]]. One reverse pass per non-batch target
   * element, seeded with that element set in every batch item: the sum over the batch separates
   * because the items are independent.
   */
  batchJacobian(target: Tensor, source: Tensor, options: JacobianOptions = {}): Tensor | null {
    this.begin('batchJacobian', target, source);
    if (target.rank === 0 || source.rank === 0 || target.shape[0] !== source.shape[0]) {
      throw new RangeError(
        `GradientTape.batchJacobian: target ${formatShape(target.shape)} and source ${formatShape(source.shape)} need the same leading batch dimension`,
      );
    }
    const batch = target.shape[0]!;
    const inner = target.size / Math.max(batch, 1);
    const shape = [batch, ...target.shape.slice(1), ...source.shape.slice(1)];
    return this.reverseRows(
      target,
      source,
      batch === 0 ? 0 : inner,
      options,
      shape,
      (j) => {
        const seed = allocate(target.dtype, target.size);
        for (let k = 0; k < batch; k++) seed[k * inner + j] = 1;
        return new Tensor(seed, target.shape, target.dtype);
      },
      batch,
    );
  }

  /**
   * Graphviz DOT text of the graph this tape recorded for `target` (see graphToDot): operations the
   * tape did not record, and tensors it does not follow, are drawn as leaves; watched tensors and
   * accessed variables are marked as sources.
   */
  toDot(target: Tensor, options: DotOptions = {}): string {
    // The tape recorded a node when it followed one of the node's inputs at the time; a watched tensor
    // produced by some other recording (requiresGrad, another tape) is a source here.
    const recorded = (t: Tensor) => this.tracked.has(t) && t.gradFn!.inputs.some((x) => this.tracked.has(x));
    return renderDot(target, { follows: recorded, isSource: (t) => this.tracked.has(t) }, options);
  }

  private begin(api: string, target: Tensor, source: Tensor): void {
    if (!(target instanceof Tensor) || !(source instanceof Tensor)) {
      throw new TypeError(`GradientTape.${api}: target and source must be Tensors`);
    }
    if (this.used && !this.persistent) {
      throw new Error(
        `GradientTape.${api}: a non-persistent tape can be used only once; create it with { persistent: true }`,
      );
    }
    this.used = true;
    this.stop();
  }

  /** Whether a gradient can flow from `target` to `source` through the nodes this tape recorded. */
  private reaches(target: Tensor, source: Tensor): boolean {
    if (!isFloat(target.dtype) || !this.tracked.has(source)) return false;
    const seen = new Set<Tensor>([target]);
    const stack = [target];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (t === source) return true;
      if (t.gradFn === null || !this.tracked.has(t)) continue;
      for (const input of t.gradFn.inputs) {
        if (!seen.has(input)) {
          seen.add(input);
          stack.push(input);
        }
      }
    }
    return false;
  }

  /**
   * Runs one reverse pass per seed and lays the source gradients out as rows: row i of batch item k
   * (batch 1 for jacobian) goes to result[k, i, ...]. When no row is itself being recorded (no
   * enclosing tape or requiresGrad tracking follows it), the rows are copied into one buffer; otherwise
   * they are stacked with ops, so the result stays differentiable.
   */
  private reverseRows(
    target: Tensor,
    source: Tensor,
    count: number,
    options: JacobianOptions,
    shape: number[],
    seedAt: (i: number) => Tensor,
    batch = 1,
  ): Tensor | null {
    const dtype = source.dtype;
    const zero = options.unconnectedGradients === 'zero';
    if (count === 0 || source.size === 0) return zeros(shape, dtype);
    if (!this.reaches(target, source)) return zero ? zeros(shape, dtype) : null;
    const follows = (t: Tensor) => this.tracked.has(t);
    const sources = new Set([source]);
    const rowSize = source.size / batch;
    const data = allocate(dtype, count * source.size);
    const live: (Tensor | null)[] = [];
    let anyLive = false;
    let connected = false;
    for (let i = 0; i < count; i++) {
      const g = backprop([target], [seedAt(i)], { follows, sources, retainGraph: true }).get(source) ?? null;
      if (g === null) {
        live.push(null);
        continue;
      }
      connected = true;
      if (isLive(g)) {
        anyLive = true;
        live.push(g);
        continue;
      }
      live.push(null);
      const values = g.contiguousData();
      for (let k = 0; k < batch; k++) {
        data.set(values.subarray(k * rowSize, (k + 1) * rowSize), (k * count + i) * rowSize);
      }
    }
    if (!connected) return zero ? zeros(shape, dtype) : null;
    if (!anyLive) return new Tensor(data, shape, dtype);
    // Some rows carry a graph: build the result with ops (constant rows come from the buffer).
    const rows = live.map((g, i) => {
      if (g !== null) return reshape(g, [batch, rowSize]);
      const row = allocate(dtype, source.size);
      for (let k = 0; k < batch; k++) {
        row.set(data.subarray((k * count + i) * rowSize, (k * count + i + 1) * rowSize), k * rowSize);
      }
      return new Tensor(row, [batch, rowSize], dtype);
    });
    return reshape(stack(rows, 1), shape);
  }
}

/** Whether `t` is followed by an active tape or by requiresGrad tracking (so its value must stay a graph). */
function isLive(t: Tensor): boolean {
  if (t.gradFn !== null || t.trackGrad) return true;
  return recording.tapes.some((tape) => tape.tracked.has(t));
}

export interface JacobianOptions {
  /** What an unconnected source gets: null (default) or zeros. */
  unconnectedGradients?: 'none' | 'zero';
}

/** True while any tape is recording (used by layers that behave differently under a tape). */
export function isRecording(): boolean {
  return recording.gradEnabled && recording.tapes.length > 0;
}
