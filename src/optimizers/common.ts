import { arrayConstructor, type FloatArray, isFloat, type TypedArray } from '../backend/dtype.js';
import { Variable } from '../ops/variable.js';
import { trackBuffer } from '../tensor/memory.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Float } from './rules/types.js';

// ---------------------------------------------------------------- errors

/**
 * Thrown by `applyGradients` / `step` when `terminateOnNaN` is on and a gradient holds NaN or
 * infinity. Raised before any variable changes (the update is all or nothing).
 */
export class NaNGradientError extends RangeError {
  override readonly name = 'NaNGradientError';
  /** Index of the offending gradient in the update (pair index, or parameter index). */
  readonly index: number;
  /** Index of the first non-finite element inside it. */
  readonly element: number;
  constructor(message: string, index: number, element: number) {
    super(message);
    this.index = index;
    this.element = element;
  }
}

// ---------------------------------------------------------------- options

/** Names users reach for that belong to the other family or to Python. */
const HINTS: Record<string, string> = {
  lr: 'learningRate',
  learning_rate: 'learningRate',
  learningRate: 'lr',
  beta_1: 'beta1',
  beta_2: 'beta2',
  betas: 'beta1 and beta2',
  beta1: 'betas: [beta1, beta2]',
  beta2: 'betas: [beta1, beta2]',
  eps: 'epsilon',
  epsilon: 'eps',
  weight_decay: 'weightDecay',
  initial_accumulator_value: 'initialAccumulatorValue',
  global_clipnorm: 'globalClipnorm',
  clipNorm: 'clipnorm',
  clipValue: 'clipvalue',
  globalClipNorm: 'globalClipnorm',
  lr_decay: 'lrDecay',
  momentum_decay: 'momentumDecay',
  rho: 'alpha (PyTorch RMSprop) or rho (Adadelta)',
  alpha: 'rho (Keras RMSprop)',
  decay: 'a learning-rate schedule (tf.optimizers.schedules)',
};

function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Rejects anything but a plain object whose keys are all in `allowed`, naming the valid ones. */
export function checkOptions(where: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (
    options === null ||
    typeof options !== 'object' ||
    Array.isArray(options) ||
    options instanceof Tensor
  ) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const c = camel(key);
    const hint =
      c !== key && allowed.includes(c)
        ? ` (did you mean '${c}'?)`
        : HINTS[key] !== undefined
          ? ` (did you mean ${HINTS[key]}?)`
          : '';
    throw new TypeError(`${where}: unknown option '${key}'${hint}; valid options: ${allowed.join(', ')}`);
  }
}

export interface NumberRule {
  min?: number;
  max?: number;
  /** The bounds are exclusive. */
  minOpen?: boolean;
  maxOpen?: boolean;
  integer?: boolean;
}

/** A finite number within bounds, or a RangeError/TypeError naming the option and the value. */
export function checkNumber(where: string, name: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) throw new RangeError(`${where}: ${name} must be finite, got ${value}`);
  if (rule.integer && !Number.isInteger(value)) {
    throw new RangeError(`${where}: ${name} must be an integer, got ${value}`);
  }
  const { min, max } = rule;
  const low = min !== undefined && (rule.minOpen ? value <= min : value < min);
  const high = max !== undefined && (rule.maxOpen ? value >= max : value > max);
  if (low || high) {
    const lo = min === undefined ? '' : `${rule.minOpen ? '>' : '>='} ${min}`;
    const hi = max === undefined ? '' : `${rule.maxOpen ? '<' : '<='} ${max}`;
    throw new RangeError(`${where}: ${name} must be ${[lo, hi].filter(Boolean).join(' and ')}, got ${value}`);
  }
  return value;
}

export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (value instanceof Variable) return `Variable '${value.name}' of shape ${formatShape(value.shape)}`;
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)} (${value.dtype})`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

// ---------------------------------------------------------------- buffers

/** Whether nothing else holds a variable's storage (no snapshot or view out), so it can be written in place. */
function exclusive(v: Variable): boolean {
  return !v.isShared && v.isContiguous;
}

function fresh(dtype: 'float32' | 'float64', size: number): Float {
  const a = new (arrayConstructor(dtype) as Float32ArrayConstructor | Float64ArrayConstructor)(size);
  trackBuffer(a);
  return a;
}

const EMPTY = new Float64Array(0);

/** A reusable UpdateTarget (filled by `beginUpdate`). */
export function newTarget(): UpdateTarget {
  return { src: EMPTY, dst: EMPTY };
}

/** Where an update reads a parameter's current value and writes its new one (possibly the same array). */
export interface UpdateTarget {
  src: Float;
  dst: Float;
}

/**
 * Arrays for updating a float tensor: in place when that is safe; otherwise the new value goes to a fresh
 * array that `commitUpdate` installs. A Variable keeps copy-on-write semantics (snapshots and views taken
 * earlier keep their values); a plain tensor (a PyTorch-style parameter) is updated in place, as
 * `p.add_()` does, so views of it see the change.
 */
export function beginUpdate(t: Tensor, target: UpdateTarget = newTarget()): UpdateTarget {
  const dtype = t.dtype as 'float32' | 'float64';
  if (t instanceof Variable) {
    if (exclusive(t)) {
      target.src = target.dst = t.storage as Float;
    } else {
      target.src = (t.isContiguous ? t.storage : t.dataSync()) as Float;
      target.dst = fresh(dtype, t.size);
    }
  } else if (t.isContiguous) {
    target.src = target.dst = t.storage as Float;
  } else {
    target.src = target.dst = t.dataSync() as Float;
  }
  return target;
}

export function commitUpdate(t: Tensor, target: UpdateTarget): void {
  if (target.dst === t.storage) return;
  if (t instanceof Variable) {
    if (t.isContiguous || t.strides.length === 0) {
      t.replaceStorage(target.dst);
    } else t.assign(new Tensor(target.dst, [...t.shape], t.dtype));
    return;
  }
  scatterStrided(t, target.dst);
}

/** The storage of a state variable (a slot), made exclusive first, to update in place. */
export function exclusiveStorage(v: Variable): Float {
  if (exclusive(v)) return v.storage as Float;
  const copy = fresh(v.dtype as 'float32' | 'float64', v.size);
  copy.set(v.isContiguous ? v.storage : v.dataSync());
  v.replaceStorage(copy);
  return copy;
}

/** Writes contiguous values into a strided (non-contiguous) tensor's storage. */
function scatterStrided(t: Tensor, values: TypedArray): void {
  const shape = t.shape;
  const strides = t.strides;
  const data = t.storage;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = t.offset;
  for (let k = 0; k < values.length; k++) {
    data[at] = values[k]!;
    for (let d = rank - 1; d >= 0; d--) {
      index[d]!++;
      at += strides[d]!;
      if (index[d]! < shape[d]!) break;
      at -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/** A gradient's elements in row-major order (no copy when already contiguous). */
export function gradData(g: Tensor): TypedArray {
  return g.isContiguous ? g.storage : g.dataSync();
}

/** Index of the first NaN or infinite element, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x - x !== 0) return i;
  }
  return -1;
}

export function isFloatTensor(t: Tensor): boolean {
  return isFloat(t.dtype);
}

/** A zero-filled (or constant-filled) array of a float dtype. */
export function filled(dtype: 'float32' | 'float64', size: number, value = 0): Float {
  const a = fresh(dtype, size);
  if (value !== 0) a.fill(value);
  return a;
}

/** A copy of a float array in the given dtype. */
export function copyAs(dtype: 'float32' | 'float64', a: ArrayLike<number>): FloatArray {
  const out = new (arrayConstructor(dtype) as Float32ArrayConstructor | Float64ArrayConstructor)(a.length);
  if (ArrayBuffer.isView(a)) out.set(a as Float32Array);
  else for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  return out;
}
