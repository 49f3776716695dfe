import { GradientTape } from '../../autograd/tape.js';
import { arrayConstructor, dtypeOfArray, type TypedArray } from '../../backend/dtype.js';
import { Variable } from '../../ops/variable.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  checkBoolean,
  checkNumber,
  checkOptions,
  copyAs,
  describe,
  firstNonFinite,
  gradData,
  NaNGradientError,
} from '../common.js';
import { deserializeSchedule, type JSONValue, LearningRateSchedule, serializeSchedule } from './schedules.js';

/** A number, a schedule of the step, or a function called at every update (Keras's callable). */
export type LearningRate = number | LearningRateSchedule | (() => number);

export interface OptimizerOptions {
  /** Default 0.001 (each optimizer has Keras's default). */
  learningRate?: LearningRate;
  /** Decoupled weight decay: before each update `v = v - v * weightDecay * lr`. */
  weightDecay?: number | null;
  /** Clip each gradient to this L2 norm. At most one of clipnorm, clipvalue, globalClipnorm. */
  clipnorm?: number | null;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number | null;
  /** Scale all gradients together so that their joint L2 norm is at most this. */
  globalClipnorm?: number | null;
  name?: string;
  /**
   * Check every gradient for NaN and infinity before updating and throw a `NaNGradientError` (no
   * variable changes) when one is found, as Keras's TerminateOnNaN callback stops training. Off by default.
   */
  terminateOnNaN?: boolean;
}

export const BASE_OPTIONS = [
  'learningRate',
  'weightDecay',
  'clipnorm',
  'clipvalue',
  'globalClipnorm',
  'name',
  'terminateOnNaN',
] as const;

/** A [gradient, variable] pair, as Python's zip(grads, vars) yields. */
export type GradVarPair = readonly [Tensor | null | undefined, Variable];

/** What `getState()` returns: JSON-able values plus typed arrays (the slots). */
export interface OptimizerState {
  format: 'tapeflow.optimizers/1';
  className: string;
  config: Record<string, JSONValue>;
  iterations: number;
  /** Optimizer-wide scalars beyond the config (e.g. Nadam's momentum product). */
  extra: Record<string, number>;
  /** One entry per variable, in the order the optimizer first saw them. */
  variables: {
    name: string;
    shape: number[];
    dtype: string;
    slots: Record<string, Float32Array | Float64Array>;
  }[];
}

/**
 * Keras-style optimizer base (tf.optimizers.Optimizer = tf.keras.optimizers.Optimizer).
 *
 * A custom optimizer subclasses it, creates per-variable state with `addSlot(variable, name)` (in
 * `createSlots(varList)`, called once for each new variable, or lazily in `updateStep`), reads it with
 * `getSlot(variable, name)`, and overrides `updateStep(grad, variable, learningRate)`. The base class does
 * the rest: argument checks (all or nothing), clipping, weight decay, the learning-rate schedule,
 * `iterations`, `minimize`, config and state.
 */
export class Optimizer {
  name: string;
  weightDecay: number | null;
  clipnorm: number | null;
  clipvalue: number | null;
  globalClipnorm: number | null;
  terminateOnNaN: boolean;
  private lr: LearningRate = 0.001;
  private iterationCount = 0;
  private readonly slots = new Map<Variable, Map<string, Variable>>();
  /** Variables in the order first seen (slot owners), the key of `getState`'s variable list. */
  private readonly order: Variable[] = [];
  private readonly excluded = new Set<Variable>();
  private excludedNames: string[] = [];
  private pending: { variables: OptimizerState['variables']; next: number } | null = null;

  /**
   * @param options the base options plus the subclass's own
   * @param ownOptions option names the subclass accepts besides the base ones (to reject unknown names)
   */
  constructor(options: OptimizerOptions = {}, ownOptions: readonly string[] = []) {
    const cls = new.target.name;
    checkOptions(`${cls}`, options, [...BASE_OPTIONS, ...ownOptions]);
    const o = options ?? {};
    this.name = o.name ?? cls;
    this.learningRate = o.learningRate ?? 0.001;
    this.weightDecay = optionalNonNegative(cls, 'weightDecay', o.weightDecay);
    this.clipnorm = optionalNonNegative(cls, 'clipnorm', o.clipnorm);
    this.clipvalue = optionalNonNegative(cls, 'clipvalue', o.clipvalue);
    this.globalClipnorm = optionalNonNegative(cls, 'globalClipnorm', o.globalClipnorm);
    const clips = [this.clipnorm, this.clipvalue, this.globalClipnorm].filter((c) => c !== null);
    if (clips.length > 1) {
      throw new TypeError(`${cls}: only one of clipnorm, clipvalue and globalClipnorm can be set`);
    }
    this.terminateOnNaN = checkBoolean(cls, 'terminateOnNaN', o.terminateOnNaN ?? false);
  }

  // ---------------------------------------------------------------- learning rate and iterations

  /** Updates applied so far (Keras's `optimizer.iterations`); schedules see it before the update. */
  get iterations(): number {
    return this.iterationCount;
  }

  set iterations(n: number) {
    this.iterationCount = checkNumber(this.constructor.name, 'iterations', n, { min: 0, integer: true });
  }

  /** The learning rate the next update uses (a schedule is evaluated at `iterations`). */
  get learningRate(): number {
    const lr = this.lr;
    if (typeof lr === 'number') return lr;
    if (lr instanceof LearningRateSchedule) return lr.apply(this.iterationCount);
    return lr();
  }

  /** A number, a schedule or a function; can be changed between updates. */
  set learningRate(value: LearningRate) {
    const cls = this.constructor.name;
    if (typeof value === 'number') {
      checkNumber(cls, 'learningRate', value, { min: 0 });
      if (this.lr instanceof LearningRateSchedule) {
        throw new TypeError(
          `${cls}: this optimizer was created with a LearningRateSchedule, so its learning rate cannot be set to a number; set a new schedule instead`,
        );
      }
    } else if (!(value instanceof LearningRateSchedule) && typeof value !== 'function') {
      throw new TypeError(
        `${cls}: learningRate must be a number, a LearningRateSchedule or a function, got ${describe(value)}`,
      );
    }
    this.lr = value;
  }

  /** The learning rate as given: a number, a schedule or a function. */
  get learningRateSetting(): LearningRate {
    return this.lr;
  }

  // ---------------------------------------------------------------- slots

  /**
   * Registers variables with the optimizer and creates their slots (Keras's `build(var_list)`); called by
   * `applyGradients` for variables it has not seen. Restores pending state from `setState`.
   */
  build(varList: readonly Variable[]): void {
    const fresh: Variable[] = [];
    for (const v of varList) {
      if (!(v instanceof Variable))
        throw new TypeError(`${this.constructor.name}.build: expected variables, got ${describe(v)}`);
      if (!this.slots.has(v)) {
        this.track(v);
        fresh.push(v);
      }
    }
    if (fresh.length > 0) this.createSlots(fresh);
    if (this.pending !== null) this.restorePending();
  }

  /** Creates the slots of variables seen for the first time. Override in a custom optimizer. */
  protected createSlots(_varList: readonly Variable[]): void {}

  private track(v: Variable): Map<string, Variable> {
    let m = this.slots.get(v);
    if (m === undefined) {
      m = new Map();
      this.slots.set(v, m);
      this.order.push(v);
    }
    return m;
  }

  /**
   * Creates (or returns the existing) per-variable state `slotName` for `variable`: a non-trainable
   * variable of the same shape and dtype, filled with `initialValue` (a number, or a tensor of the shape).
   */
  addSlot(variable: Variable, slotName: string, initialValue: number | Tensor = 0): Variable {
    const cls = this.constructor.name;
    if (!(variable instanceof Variable))
      throw new TypeError(`${cls}.addSlot: expected a Variable, got ${describe(variable)}`);
    if (typeof slotName !== 'string' || slotName === '')
      throw new TypeError(`${cls}.addSlot: slot name must be a non-empty string`);
    const m = this.track(variable);
    const existing = m.get(slotName);
    if (existing !== undefined) return existing;
    let init: Tensor;
    if (initialValue instanceof Tensor) {
      if (!shapesEqual(initialValue.shape, variable.shape)) {
        throw new RangeError(
          `${cls}.addSlot: initial value of shape ${formatShape(initialValue.shape)} does not match variable '${variable.name}' of shape ${formatShape(variable.shape)}`,
        );
      }
      init = initialValue;
    } else {
      // Made in the variable's dtype directly: a float64 array converted to float32 cost ~1 ms for an MLP.
      const data = new (
        arrayConstructor(variable.dtype) as Float32ArrayConstructor | Float64ArrayConstructor
      )(variable.size);
      if (initialValue !== 0) data.fill(checkNumber(`${cls}.addSlot`, 'initialValue', initialValue));
      init = new Tensor(data, [...variable.shape], variable.dtype);
    }
    const slot = new Variable(init, {
      dtype: variable.dtype,
      trainable: false,
      name: `${variable.name.replace(/:\d+$/, '')}/${slotName}:0`,
    });
    m.set(slotName, slot);
    return slot;
  }

  /** The slot, or undefined (no checks: the fast path of the built-in optimizers). */
  protected findSlot(variable: Variable, slotName: string): Variable | undefined {
    return this.slots.get(variable)?.get(slotName);
  }

  /** The slot `slotName` of `variable`. */
  getSlot(variable: Variable, slotName: string): Variable {
    const slot = this.slots.get(variable)?.get(slotName);
    if (slot === undefined) {
      const have = [...(this.slots.get(variable)?.keys() ?? [])];
      throw new Error(
        `${this.constructor.name}.getSlot: variable '${variable?.name}' has no slot '${slotName}'` +
          (have.length
            ? ` (its slots: ${have.join(', ')})`
            : ' (the optimizer has not seen this variable yet)'),
      );
    }
    return slot;
  }

  /** Names of the slots the optimizer keeps (over all variables). */
  getSlotNames(): string[] {
    const names = new Set<string>();
    for (const m of this.slots.values()) for (const k of m.keys()) names.add(k);
    return [...names];
  }

  /** Every slot variable, in variable order. */
  get variables(): Variable[] {
    return this.order.flatMap((v) => [...this.slots.get(v)!.values()]);
  }

  /** Keras's exclude_from_weight_decay: variables, or name substrings, that weight decay skips. */
  excludeFromWeightDecay(options: { varList?: readonly Variable[]; varNames?: readonly string[] }): void {
    checkOptions(`${this.constructor.name}.excludeFromWeightDecay`, options, ['varList', 'varNames']);
    for (const v of options.varList ?? []) this.excluded.add(v);
    this.excludedNames.push(...(options.varNames ?? []));
  }

  protected usesWeightDecay(variable: Variable): boolean {
    if (this.weightDecay === null || this.weightDecay === 0) return false;
    if (this.excluded.has(variable)) return false;
    return !this.excludedNames.some((n) => variable.name.includes(n));
  }

  // ---------------------------------------------------------------- updates

  /**
   * Applies one update from [gradient, variable] pairs (Python: `apply_gradients(zip(grads, vars))`).
   * Pairs whose gradient is null are skipped. Every pair is checked before anything changes: a bad pair
   * throws and leaves all variables and the optimizer's state as they were. Returns `iterations`.
   */
  applyGradients(pairs: Iterable<GradVarPair>): number {
    const cls = this.constructor.name;
    const where = `${cls}.applyGradients`;
    if (pairs === null || typeof (pairs as Iterable<GradVarPair>)?.[Symbol.iterator] !== 'function') {
      throw new TypeError(
        `${where}: expected an iterable of [gradient, variable] pairs, got ${describe(pairs)}`,
      );
    }
    const grads: TypedArray[] = [];
    const vars: Variable[] = [];
    const seen = new Set<Variable>();
    let index = 0;
    for (const pair of pairs) {
      const i = index++;
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new TypeError(
          `${where}: pair ${i} must be a [gradient, variable] array, got ${describe(pair)}`,
        );
      }
      const [g, v] = pair as [unknown, unknown];
      if (!(v instanceof Variable)) {
        throw new TypeError(
          `${where}: pair ${i}: the second element must be a tf.Variable, got ${describe(v)}`,
        );
      }
      if (v.dtype !== 'float32' && v.dtype !== 'float64') {
        throw new TypeError(
          `${where}: pair ${i}: variable '${v.name}' has dtype ${v.dtype}; only float variables can be optimized`,
        );
      }
      if (g === null || g === undefined) continue;
      if (!(g instanceof Tensor)) {
        throw new TypeError(`${where}: pair ${i}: the gradient must be a Tensor or null, got ${describe(g)}`);
      }
      if (!shapesEqual(g.shape, v.shape)) {
        throw new RangeError(
          `${where}: pair ${i}: gradient of shape ${formatShape(g.shape)} does not match variable '${v.name}' of shape ${formatShape(v.shape)}`,
        );
      }
      if (g.dtype === 'bool') throw new TypeError(`${where}: pair ${i}: gradient has dtype bool`);
      if (seen.has(v)) throw new Error(`${where}: variable '${v.name}' appears in more than one pair`);
      seen.add(v);
      grads.push(gradData(g));
      vars.push(v);
    }
    if (vars.length === 0) {
      throw new Error(
        `${where}: no gradients provided for any variable (every gradient is null, or no pairs)`,
      );
    }
    const lr = this.learningRate;
    if (!(lr >= 0) || !Number.isFinite(lr)) {
      throw new RangeError(
        `${where}: the learning rate must be a finite number >= 0, got ${lr} at iteration ${this.iterationCount}`,
      );
    }
    if (this.terminateOnNaN) {
      for (let k = 0; k < grads.length; k++) {
        const at = firstNonFinite(grads[k]!);
        if (at >= 0) {
          throw new NaNGradientError(
            `${where}: gradient of variable '${vars[k]!.name}' holds ${grads[k]![at]} at element ${at} (terminateOnNaN); no variable was changed`,
            k,
            at,
          );
        }
      }
    }
    const { data, scales } = this.clip(grads);
    this.build(vars);
    this.prepareStep(lr);
    for (let k = 0; k < vars.length; k++) this.applyDense(data[k]!, scales[k]!, vars[k]!, lr);
    this.iterationCount++;
    return this.iterationCount;
  }

  /**
   * Computes the loss under a GradientTape, its gradients with respect to `varList`, and applies them.
   * `loss` is a function (or a tensor, with `options.tape` the tape that recorded it). Returns the loss.
   */
  minimize(
    loss: (() => Tensor) | Tensor,
    varList: readonly Variable[] | (() => readonly Variable[]),
    options: { tape?: GradientTape } = {},
  ): Tensor {
    const where = `${this.constructor.name}.minimize`;
    checkOptions(where, options, ['tape']);
    const vars = typeof varList === 'function' ? varList() : varList;
    if (!Array.isArray(vars))
      throw new TypeError(`${where}: varList must be an array of variables, got ${describe(vars)}`);
    vars.forEach((v, i) => {
      if (!(v instanceof Variable))
        throw new TypeError(`${where}: varList[${i}] is not a tf.Variable (got ${describe(v)})`);
    });
    let value: Tensor;
    let tape: GradientTape;
    if (loss instanceof Tensor) {
      if (options.tape === undefined)
        throw new TypeError(`${where}: a tape is required when the loss is a Tensor`);
      tape = options.tape;
      value = loss;
    } else if (typeof loss === 'function') {
      tape = new GradientTape();
      value = tape.record(loss);
      if (!(value instanceof Tensor))
        throw new TypeError(`${where}: the loss function returned ${describe(value)}, expected a Tensor`);
    } else throw new TypeError(`${where}: loss must be a function or a Tensor, got ${describe(loss)}`);
    const grads = tape.gradient(value, vars);
    this.applyGradients(vars.map((v, i) => [grads[i], v] as const));
    return value;
  }

  /**
   * Keras's clipping, on the gradients' data. clipnorm and globalClipnorm become a per-gradient scale
   * factor (the update rules multiply by it), clipvalue makes clipped copies.
   */
  private clip(grads: TypedArray[]): { data: TypedArray[]; scales: number[] } {
    const scales = grads.map(() => 1);
    if (this.clipnorm !== null && this.clipnorm > 0) {
      const c = this.clipnorm;
      grads.forEach((g, k) => {
        const n = Math.sqrt(sumSquares(g));
        scales[k] = n > c ? c / n : 1;
      });
      return { data: grads, scales };
    }
    if (this.globalClipnorm !== null && this.globalClipnorm > 0) {
      const c = this.globalClipnorm;
      let total = 0;
      for (const g of grads) total += sumSquares(g);
      const n = Math.sqrt(total);
      const s = n > c ? c / n : 1;
      return { data: grads, scales: scales.map(() => s) };
    }
    if (this.clipvalue !== null && this.clipvalue > 0) {
      const c = this.clipvalue;
      const data = grads.map((g) => {
        const out = g instanceof Float32Array ? new Float32Array(g.length) : new Float64Array(g.length);
        for (let i = 0; i < g.length; i++) {
          const x = g[i]!;
          out[i] = x > c ? c : x < -c ? -c : x;
        }
        return out;
      });
      return { data, scales };
    }
    return { data: grads, scales };
  }

  /** Optimizer-wide work once per update, before the variables (e.g. Nadam's momentum product). */
  protected prepareStep(_learningRate: number): void {}

  /**
   * One variable's update. The default: decoupled weight decay with tensor ops, then the (clipped)
   * gradient as a tensor to `updateStep`. Built-in optimizers replace this with a fused loop.
   */
  protected applyDense(grad: TypedArray, scale: number, variable: Variable, learningRate: number): void {
    if (this.usesWeightDecay(variable)) {
      variable.assign(variable.sub(variable.mul(this.weightDecay! * learningRate)));
    }
    let data = grad;
    if (scale !== 1) {
      data = grad instanceof Float32Array ? new Float32Array(grad.length) : new Float64Array(grad.length);
      for (let i = 0; i < grad.length; i++) data[i] = grad[i]! * scale;
    }
    this.updateStep(new Tensor(data, [...variable.shape], dtypeOfArray(data)), variable, learningRate);
  }

  /**
   * The update of one variable from its gradient, with the learning rate of this step (a number). A
   * custom optimizer overrides it, using `getSlot`/`addSlot` for state and `variable.assign*` to write.
   */
  updateStep(_grad: Tensor, _variable: Variable, _learningRate: number): void {
    throw new Error(
      `${this.constructor.name}: a custom optimizer must override updateStep(grad, variable, learningRate)`,
    );
  }

  // ---------------------------------------------------------------- config and state

  /** The hyperparameters as JSON (Keras's get_config); a schedule appears as { className, config }. */
  getConfig(): Record<string, JSONValue> {
    const lr = this.lr;
    return {
      name: this.name,
      learningRate: lr instanceof LearningRateSchedule ? serializeSchedule(lr) : this.learningRate,
      weightDecay: this.weightDecay,
      clipnorm: this.clipnorm,
      globalClipnorm: this.globalClipnorm,
      clipvalue: this.clipvalue,
      terminateOnNaN: this.terminateOnNaN,
    };
  }

  /** Optimizer-wide scalars to save beyond the config and the slots. */
  protected getExtraState(): Record<string, number> {
    return {};
  }

  protected setExtraState(_extra: Record<string, number>): void {}

  /**
   * Everything needed to resume bit-identically: the config (hyperparameters), iterations, optimizer-wide
   * scalars and a copy of every slot, listed per variable in the order the optimizer first saw them.
   * JSON-able except for the slot values, which are typed arrays.
   */
  getState(): OptimizerState {
    return {
      format: 'tapeflow.optimizers/1',
      className: this.constructor.name,
      config: this.getConfig(),
      iterations: this.iterationCount,
      extra: this.getExtraState(),
      variables: this.order.map((v) => {
        const slots: Record<string, Float32Array | Float64Array> = {};
        for (const [name, s] of this.slots.get(v)!) slots[name] = s.dataSync() as Float32Array | Float64Array;
        return { name: v.name, shape: [...v.shape], dtype: v.dtype, slots };
      }),
    };
  }

  /**
   * Restores `getState()`'s output into an optimizer of the same class. Slots go to the variables in
   * the order this optimizer sees them: pass `varList` (the same variables in the same order as when
   * saving) to restore now, or let `applyGradients` restore them as it meets the variables.
   */
  setState(state: OptimizerState, varList?: readonly Variable[]): void {
    const cls = this.constructor.name;
    if (state === null || typeof state !== 'object' || state.format !== 'tapeflow.optimizers/1') {
      throw new TypeError(
        `${cls}.setState: not an optimizer state (expected format 'tapeflow.optimizers/1')`,
      );
    }
    if (state.className !== cls) {
      throw new TypeError(`${cls}.setState: the state was saved from a ${state.className}`);
    }
    this.restoreConfig(state.config);
    this.iterations = state.iterations;
    this.setExtraState(state.extra ?? {});
    if (!Array.isArray(state.variables))
      throw new TypeError(`${cls}.setState: state.variables must be an array`);
    this.pending = { variables: state.variables, next: 0 };
    if (varList !== undefined) this.build(varList);
    else this.restorePending();
  }

  /** Sets the hyperparameters from a config (the inverse of getConfig). */
  protected restoreConfig(config: Record<string, JSONValue>): void {
    const self = this as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
      if (key === 'learningRate') {
        if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
          this.lr = deserializeSchedule(value as { className: string; config: Record<string, JSONValue> });
        } else this.lr = value as number;
      } else if (key in this) self[key] = value;
    }
  }

  private restorePending(): void {
    const pending = this.pending;
    if (pending === null) return;
    const cls = this.constructor.name;
    const n = Math.min(pending.variables.length, this.order.length);
    for (let k = pending.next; k < n; k++) {
      const saved = pending.variables[k]!;
      const v = this.order[k]!;
      if (!shapesEqual(saved.shape, v.shape)) {
        throw new RangeError(
          `${cls}.setState: saved variable ${k} ('${saved.name}') has shape ${formatShape(saved.shape)}, but variable '${v.name}' has shape ${formatShape(v.shape)}`,
        );
      }
      for (const [name, values] of Object.entries(saved.slots)) {
        if (values.length !== v.size) {
          throw new RangeError(
            `${cls}.setState: slot '${name}' of saved variable ${k} has ${values.length} elements, expected ${v.size}`,
          );
        }
        const slot = this.addSlot(v, name);
        slot.assign(new Tensor(copyAs(v.dtype as 'float32' | 'float64', values), [...v.shape], v.dtype));
      }
    }
    pending.next = Math.max(pending.next, n);
    if (pending.next >= pending.variables.length) this.pending = null;
  }
}

function optionalNonNegative(cls: string, name: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  return checkNumber(cls, name, value, { min: 0 });
}

function sumSquares(g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return s;
}
