import type { TypedArray } from '../../backend/dtype.js';
import { zerosLike } from '../../ops/creation.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  beginUpdate,
  checkBoolean,
  checkOptions,
  commitUpdate,
  copyAs,
  describe,
  filled,
  firstNonFinite,
  gradData,
  NaNGradientError,
  newTarget,
  type UpdateTarget,
} from '../common.js';
import type { Common, Float } from '../rules/types.js';

/** Options every tf.optim optimizer accepts besides its own. */
export interface BaseOptions {
  /**
   * Check every gradient for NaN and infinity before updating and throw a `NaNGradientError` (no
   * parameter changes) when one is found. Off by default.
   */
  terminateOnNaN?: boolean;
  /** Accepted for compatibility with PyTorch code and ignored: every update is already one fused loop. */
  foreach?: boolean | null;
}

/** A parameter group: its parameters and its options (each group may override the defaults). */
export type ParamGroup<O> = O & {
  params: Tensor[];
  /** Set by LR schedulers: the group's lr when the first scheduler was attached. */
  initialLr?: number;
  [key: string]: unknown;
};

/** `{ params, ...options }` as given to the constructor or `addParamGroup`. */
export type ParamGroupInput<O> = Partial<O> & { params: Iterable<Tensor> | Tensor };

/** Per-parameter state: the step count and buffers (tensors updated in place, as PyTorch's). */
export type ParamState = Record<string, number | Tensor>;

/** What `stateDict()` returns: JSON-able values plus typed arrays (the buffers). */
export interface StateDict {
  state: Record<number, Record<string, number | Float32Array | Float64Array>>;
  paramGroups: (Record<string, unknown> & { params: number[] })[];
}

/**
 * PyTorch-style optimizer base (tf.optim.Optimizer): parameters or parameter groups, `zeroGrad()`,
 * `step()` reading each parameter's `.grad` as `backward()` leaves it, per-parameter `state`,
 * `stateDict()` / `loadStateDict()`. Parameters are updated in place (PyTorch's `p.add_()`).
 */
export abstract class Optimizer<O extends { lr: number } = { lr: number }> {
  readonly defaults: O;
  readonly paramGroups: ParamGroup<O>[] = [];
  readonly state = new Map<Tensor, ParamState>();
  terminateOnNaN: boolean;
  private readonly optionNames: readonly string[];
  private readonly target = newTarget();

  /**
   * @param params tensors, or `{ params, ...options }` groups
   * @param options this optimizer's options (PyTorch names), merged over `defaults`
   * @param defaults every option with its default value
   */
  constructor(
    params: Iterable<Tensor> | Iterable<ParamGroupInput<O>>,
    options: Partial<O> & BaseOptions,
    defaults: O,
  ) {
    const cls = this.constructor.name;
    this.optionNames = Object.keys(defaults);
    checkOptions(cls, options, [...this.optionNames, 'terminateOnNaN', 'foreach']);
    const { terminateOnNaN, foreach: _foreach, ...own } = (options ?? {}) as Partial<O> & BaseOptions;
    this.terminateOnNaN = checkBoolean(cls, 'terminateOnNaN', terminateOnNaN ?? false);
    const merged = { ...defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(own)) if (v !== undefined) merged[k] = v;
    this.validate(merged as O, `${cls}`);
    this.defaults = merged as O;

    if (
      params instanceof Tensor ||
      params === null ||
      params === undefined ||
      typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function'
    ) {
      throw new TypeError(
        `${cls}: params must be an iterable of Tensors or of { params, ...options } groups, got ${describe(params)}`,
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new RangeError(`${cls}: got an empty parameter list`);
    const groups =
      list[0] instanceof Tensor
        ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>]
        : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks an options record; throws RangeError/TypeError naming the option. */
  protected abstract validate(options: O, where: string): void;

  /** One parameter's update from its gradient data (contiguous). */
  protected abstract update(group: ParamGroup<O>, param: Tensor, grad: TypedArray, state: ParamState): void;

  /** Adds a group `{ params, ...options }`; options it leaves out take the optimizer's defaults. */
  addParamGroup(group: ParamGroupInput<O>): void {
    const cls = this.constructor.name;
    const where = `${cls}: param group ${this.paramGroups.length}`;
    if (group === null || typeof group !== 'object' || group instanceof Tensor || Array.isArray(group)) {
      throw new TypeError(`${where}: expected { params, ...options }, got ${describe(group)}`);
    }
    checkOptions(where, group, ['params', 'initialLr', ...this.optionNames]);
    const raw = group.params;
    const params =
      raw instanceof Tensor
        ? [raw]
        : raw !== null &&
            raw !== undefined &&
            typeof (raw as Iterable<Tensor>)[Symbol.iterator] === 'function'
          ? [...(raw as Iterable<Tensor>)]
          : null;
    if (params === null)
      throw new TypeError(
        `${where}: params must be a Tensor or an iterable of Tensors, got ${describe(raw)}`,
      );
    const seen = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) seen.add(p);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new TypeError(`${where}: params[${i}] is not a Tensor (got ${describe(p)})`);
      if (p.dtype !== 'float32' && p.dtype !== 'float64') {
        throw new TypeError(
          `${where}: params[${i}] has dtype ${p.dtype}; only float tensors can be optimized`,
        );
      }
      if (!p.isLeaf)
        throw new TypeError(
          `${where}: params[${i}] is not a leaf tensor (it has a gradFn); can't optimize a non-leaf Tensor`,
        );
      if (seen.has(p))
        throw new Error(`${where}: params[${i}] appears more than once (in this or another parameter group)`);
      seen.add(p);
    });
    const merged = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(group)) if (v !== undefined && k !== 'params') merged[k] = v;
    this.validate(merged as O, where);
    if (Array.isArray(merged.betas)) merged.betas = [...(merged.betas as number[])];
    this.paramGroups.push({ ...(merged as O), params } as ParamGroup<O>);
  }

  /**
   * Clears every parameter's `.grad`: to null (the default, as PyTorch 2's set_to_none=True) or to zeros.
   */
  zeroGrad(setToNone = true): void {
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (p.grad === null) continue;
        p.grad = setToNone ? null : zerosLike(p.grad);
      }
    }
  }

  /**
   * One update of every parameter that has a `.grad` (parameters whose grad is null are skipped). With a
   * closure, calls it first (it should zero the grads, compute the loss, call backward and return the loss)
   * and returns its result. Everything is checked before anything changes (all or nothing).
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    const cls = this.constructor.name;
    let loss: Tensor | number | undefined;
    if (closure !== undefined) {
      if (typeof closure !== 'function')
        throw new TypeError(`${cls}.step: closure must be a function, got ${describe(closure)}`);
      loss = closure();
    }
    const groups: ParamGroup<O>[] = [];
    const params: Tensor[] = [];
    const grads: TypedArray[] = [];
    let index = 0;
    this.paramGroups.forEach((group, gi) => {
      this.validate(group, `${cls}.step: param group ${gi}`);
      for (const p of group.params) {
        const i = index++;
        const grad = p.grad;
        if (grad === null) continue;
        if (!(grad instanceof Tensor))
          throw new TypeError(
            `${cls}.step: parameter ${i}: .grad is ${describe(grad)}, expected a Tensor or null`,
          );
        if (!shapesEqual(grad.shape, p.shape)) {
          throw new RangeError(
            `${cls}.step: parameter ${i} (group ${gi}): gradient of shape ${formatShape(grad.shape)} does not match the parameter's shape ${formatShape(p.shape)}`,
          );
        }
        if (grad.dtype === 'bool')
          throw new TypeError(`${cls}.step: parameter ${i}: gradient has dtype bool`);
        const data = gradData(grad);
        if (this.terminateOnNaN) {
          const at = firstNonFinite(data);
          if (at >= 0) {
            throw new NaNGradientError(
              `${cls}.step: gradient of parameter ${i} (group ${gi}, shape ${formatShape(p.shape)}) holds ${data[at]} at element ${at} (terminateOnNaN); no parameter was changed`,
              i,
              at,
            );
          }
        }
        groups.push(group);
        params.push(p);
        grads.push(data);
      }
    });
    for (let k = 0; k < params.length; k++) {
      const p = params[k]!;
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0 };
        this.state.set(p, s);
      }
      this.update(groups[k]!, p, grads[k]!, s);
    }
    return loss;
  }

  /** A state buffer of `param`'s shape and dtype, created (filled with `value`) when missing. */
  protected buffer(state: ParamState, name: string, param: Tensor, value = 0): Float {
    let t = state[name];
    if (!(t instanceof Tensor)) {
      t = new Tensor(
        filled(param.dtype as 'float32' | 'float64', param.size, value),
        [...param.shape],
        param.dtype,
      );
      state[name] = t;
    }
    return t.storage as Float;
  }

  /** Arrays to read `param` from and write its new value to (reused: one update at a time). */
  protected begin(param: Tensor): UpdateTarget {
    return beginUpdate(param, this.target);
  }

  /** Installs the value written to `begin`'s target. */
  protected commit(param: Tensor): void {
    commitUpdate(param, this.target);
  }

  /** Sets the gradient transform shared by every rule from a group's options. */
  protected setCommon(h: Common, group: Record<string, unknown>, decoupled = false): void {
    const wd = (group.weightDecay as number | undefined) ?? 0;
    h.scale = group.maximize === true ? -1 : 1;
    h.l2 = decoupled ? 0 : wd;
    h.keep = decoupled ? 1 - (group.lr as number) * wd : 1;
  }

  // ---------------------------------------------------------------- state dict

  /**
   * A snapshot of the optimizer: per-parameter state keyed by the parameter's index over all groups (in
   * order), and each group's options with `params` as those indices. JSON-able except the buffers, which
   * are typed arrays (copies).
   */
  stateDict(): StateDict {
    const state: StateDict['state'] = {};
    const paramGroups: StateDict['paramGroups'] = [];
    let index = 0;
    for (const g of this.paramGroups) {
      const ids: number[] = [];
      for (const p of g.params) {
        const s = this.state.get(p);
        if (s !== undefined) {
          const out: Record<string, number | Float32Array | Float64Array> = {};
          for (const [k, v] of Object.entries(s))
            out[k] = v instanceof Tensor ? (v.dataSync() as Float32Array | Float64Array) : v;
          state[index] = out;
        }
        ids.push(index++);
      }
      const options: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== 'params') options[k] = Array.isArray(v) ? [...v] : v;
      paramGroups.push({ ...options, params: ids });
    }
    return { state, paramGroups };
  }

  /** Restores `stateDict()`'s output into an optimizer built over the same parameters and groups. */
  loadStateDict(sd: StateDict): void {
    const cls = `${this.constructor.name}.loadStateDict`;
    if (
      sd === null ||
      typeof sd !== 'object' ||
      !Array.isArray(sd.paramGroups) ||
      typeof sd.state !== 'object'
    ) {
      throw new TypeError(
        `${cls}: expected { state, paramGroups } as stateDict() returns, got ${describe(sd)}`,
      );
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new RangeError(
        `${cls}: the state has ${sd.paramGroups.length} parameter groups, this optimizer ${this.paramGroups.length}`,
      );
    }
    const params: Tensor[] = [];
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi]!;
      if (!Array.isArray(g.params) || g.params.length !== mine.params.length) {
        throw new RangeError(
          `${cls}: group ${gi} has ${g.params?.length} parameters in the state, ${mine.params.length} here`,
        );
      }
      const { params: _ids, ...options } = g;
      checkOptions(`${cls}: group ${gi}`, options, ['initialLr', ...this.optionNames]);
      this.validate({ ...(mine as unknown as O), ...(options as Partial<O>) }, `${cls}: group ${gi}`);
      g.params.forEach((id, k) => {
        params[id] = mine.params[k]!;
      });
    });
    const restored = new Map<Tensor, ParamState>();
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = params[Number(key)];
      if (p === undefined) throw new RangeError(`${cls}: state for parameter ${key}, which no group lists`);
      const s: ParamState = {};
      for (const [name, v] of Object.entries(entry)) {
        if (typeof v === 'number') s[name] = v;
        else {
          if (v.length !== p.size) {
            throw new RangeError(
              `${cls}: buffer '${name}' of parameter ${key} has ${v.length} elements, the parameter ${p.size}`,
            );
          }
          s[name] = new Tensor(copyAs(p.dtype as 'float32' | 'float64', v), [...p.shape], p.dtype);
        }
      }
      restored.set(p, s);
    }
    sd.paramGroups.forEach((g, gi) => {
      const mine = this.paramGroups[gi]! as Record<string, unknown>;
      for (const [k, v] of Object.entries(g)) if (k !== 'params') mine[k] = Array.isArray(v) ? [...v] : v;
    });
    this.state.clear();
    for (const [p, s] of restored) this.state.set(p, s);
  }
}
