import { isFloat } from '../backend/dtype.js';
import { onesLike, zerosLike } from '../ops/creation.js';
import { reshape, stack } from '../ops/shape.js';
import { Variable } from '../ops/variable.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { pushTape, recording, removeTape, type TapeRecorder } from '../tensor/recording.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
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
  private recordingNow = false;
  private used = false;
  private readonly watched: Tensor[] = [];

  constructor(options: GradientTapeOptions = {}) {
    this.persistent = options.persistent ?? false;
    this.watchAccessedVariables = options.watchAccessedVariables ?? true;
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
    const grads = isFloat(target.dtype)
      ? backprop([target], [seed], {
          follows: (t) => this.tracked.has(t),
          sources: new Set(list),
          retainGraph: true,
        })
      : new Map<Tensor, Tensor>();
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
   * Full Jacobian d target / d source with shape [...target.shape, ...source.shape], one reverse pass
   * per target element.
   */
  jacobian(target: Tensor, source: Tensor): Tensor | null {
    if (this.used && !this.persistent) {
      throw new Error(
        'GradientTape.jacobian: a non-persistent tape can be used only once; create it with { persistent: true }',
      );
    }
    this.used = true;
    this.stop();
    const rows: Tensor[] = [];
    let connected = false;
    const flatSize = target.size;
    for (let i = 0; i < flatSize; i++) {
      const seed = new Float64Array(flatSize);
      seed[i] = 1;
      const seedTensor = toTensor(Array.from(seed), 'jacobian', target.dtype).reshape([...target.shape]);
      const grads = backprop([target], [seedTensor], {
        follows: (t) => this.tracked.has(t),
        sources: new Set([source]),
        retainGraph: true,
      });
      const g = grads.get(source);
      if (g) connected = true;
      rows.push(g ?? zerosLike(source));
    }
    if (!connected && flatSize > 0) return null;
    if (flatSize === 0) return zerosLike(reshape(source, [0, ...source.shape]));
    return reshape(stack(rows, 0), [...target.shape, ...source.shape]);
  }
}

/** True while any tape is recording (used by layers that behave differently under a tape). */
export function isRecording(): boolean {
  return recording.gradEnabled && recording.tapes.length > 0;
}
