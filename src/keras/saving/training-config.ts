/**
 * The training configuration of a saved model: what `compile` was given (losses, metrics, loss
 * weights), the optimizer (class and hyperparameters) and its state (iterations, per-variable slots).
 *
 * Two forms are written. `trainingConfig` is Keras's and TensorFlow.js's layout (`loss`, `metrics`,
 * `optimizer_config: { class_name, config }`), written only when tfjs can load it (tfjs compiles the
 * model from it and would refuse the whole file otherwise): string losses and metrics tfjs knows, and an
 * optimizer with a tfjs counterpart whose slots line up (Adam, SGD without momentum, Adagrad, Adadelta,
 * RMSprop with momentum). The exact tapeflow form, always written, is model.json's `tapeflow` entry.
 * Optimizer slots go into the weights manifest as tfjs puts them: `iter` (int32 scalar), then
 * `<weight>/<slot>` arrays grouped by slot, all with `group: 'optimizer'`.
 */
import type { TypedArray } from '../../backend/dtype.js';
import type { Variable } from '../../ops/variable.js';
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  Lion,
  Nadam,
  type Optimizer,
  type OptimizerState,
  RMSprop,
  SGD,
} from '../../optimizers/keras/index.js';
import { deserializeSchedule, type JSONValue } from '../../optimizers/keras/schedules.js';
import type { CompileArgs } from '../engine/model.js';
import * as losses from '../losses.js';
import { fromConfigOf } from '../losses-utils.js';
import * as metrics from '../metrics.js';
import { ModelFileError } from './errors.js';
import {
  type AnyClass,
  type AnyFunction,
  classNameOf,
  customObjects,
  isSafeClassName,
  registeredName,
  type SerializableKind,
} from './registry.js';
import type { NamedArray } from './weights.js';

/** Custom classes and functions for one load, besides the registered ones. */
export type CustomObjects = Readonly<Record<string, AnyClass | AnyFunction>>;

export interface Resolver {
  table(kind: SerializableKind): Record<string, never>;
  /** A registered function (loss, metric or activation) by name. */
  fn(name: string): AnyFunction | undefined;
}

export function makeResolver(extra: CustomObjects = {}): Resolver {
  const cache = new Map<SerializableKind, Record<string, never>>();
  const table = (kind: SerializableKind) => {
    let t = cache.get(kind);
    if (!t) cache.set(kind, (t = customObjects(kind, extra)));
    return t;
  };
  return { table, fn: (name) => table('function')[name] as AnyFunction | undefined };
}

// ------------------------------------------------------------------------------------ compile args

/** compile's arguments without the optimizer, as JSON (the `tapeflow.compile` entry). */
export interface CompileConfig {
  loss?: unknown;
  metrics?: unknown;
  weightedMetrics?: unknown;
  lossWeights?: unknown;
}

function jsonClone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function isRecordLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The name under which a function can be found again: registered, or a built-in of `module`. */
function functionName(fn: AnyFunction, module: Record<string, unknown>): string | undefined {
  const registered = registeredName(fn);
  if (registered) return registered;
  if (fn.name && module[fn.name] === fn) return fn.name;
  return undefined;
}

function unserializable(what: string, detail: string): Error {
  return new TypeError(
    `cannot save the training configuration: ${what} ${detail}. Register it once with tf.keras.registerSerializable(...), or save with { includeOptimizer: false } to leave the training configuration out`,
  );
}

function serializeLossItem(item: unknown): unknown {
  if (item === null || item === undefined) return null;
  if (typeof item === 'string') return item;
  if (item instanceof losses.LossFunctionWrapper) {
    const name = functionName(item.fn as AnyFunction, losses as unknown as Record<string, unknown>);
    if (!name)
      throw unserializable(`the loss function '${item.fn.name || '(anonymous)'}'`, 'is not registered');
    return name;
  }
  if (item instanceof losses.Loss)
    return { className: classNameOf(item), config: jsonClone(item.getConfig()) };
  if (typeof item === 'function') {
    const name = functionName(item as AnyFunction, losses as unknown as Record<string, unknown>);
    if (!name) throw unserializable(`the loss function '${item.name || '(anonymous)'}'`, 'is not registered');
    return name;
  }
  if (isRecordLike(item) && typeof (item['className'] ?? item['class_name']) === 'string')
    return jsonClone(item);
  throw unserializable(`the loss ${String(item)}`, 'cannot be written as JSON');
}

function serializeMetricItem(item: unknown): unknown {
  if (item === null || item === undefined) return null;
  if (typeof item === 'string') return item;
  if (item instanceof metrics.Metric) {
    if (item.constructor === metrics.MeanMetricWrapper) {
      const wrapped = (item as metrics.MeanMetricWrapper).fn;
      const name = functionName(wrapped as AnyFunction, metrics as unknown as Record<string, unknown>);
      if (!name)
        throw unserializable(`the metric function '${wrapped.name || '(anonymous)'}'`, 'is not registered');
      return name;
    }
    return { className: classNameOf(item), config: jsonClone(item.getConfig()) };
  }
  if (typeof item === 'function') {
    const name = functionName(item as AnyFunction, metrics as unknown as Record<string, unknown>);
    if (!name)
      throw unserializable(`the metric function '${item.name || '(anonymous)'}'`, 'is not registered');
    return name;
  }
  if (isRecordLike(item) && typeof (item['className'] ?? item['class_name']) === 'string')
    return jsonClone(item);
  throw unserializable(`the metric ${String(item)}`, 'cannot be written as JSON');
}

/** Maps items nested in arrays and per-output records (a `{ className }` record is an item). */
function mapNested(value: unknown, item: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapNested(v, item));
  if (isRecordLike(value) && !('className' in value) && !('class_name' in value) && !isInstance(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapNested(v, item);
    return out;
  }
  return item(value);
}

function isInstance(v: object): boolean {
  return Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null;
}

export function serializeCompileArgs(args: CompileArgs): CompileConfig {
  const out: CompileConfig = {};
  if (args.loss !== undefined) out.loss = mapNested(args.loss, serializeLossItem);
  if (args.metrics !== undefined) out.metrics = mapNested(args.metrics, serializeMetricItem);
  if (args.weightedMetrics !== undefined)
    out.weightedMetrics = mapNested(args.weightedMetrics, serializeMetricItem);
  if (args.lossWeights !== undefined) out.lossWeights = jsonClone(args.lossWeights);
  return out;
}

function lossFromJson(item: unknown, resolver: Resolver): unknown {
  if (item === null) return null;
  if (typeof item === 'string') {
    const cls = resolver.table('loss')[item] as unknown as (new () => losses.Loss) | undefined;
    if (cls) return new cls();
    return resolver.fn(item) ?? item;
  }
  if (isRecordLike(item)) {
    const name = item['className'] ?? item['class_name'];
    if (!isSafeClassName(name))
      throw new TypeError(`a loss record's class name ${JSON.stringify(name)} is not valid`);
    return losses.deserialize(
      { className: name, config: (item['config'] ?? {}) as never },
      resolver.table('loss'),
    );
  }
  throw new TypeError(`expected a loss name or a { className, config } record, got ${JSON.stringify(item)}`);
}

function metricFromJson(item: unknown, resolver: Resolver): unknown {
  if (item === null) return null;
  if (typeof item === 'string') {
    const cls = resolver.table('metric')[item] as unknown as (new () => metrics.Metric) | undefined;
    if (cls) return new cls();
    return resolver.fn(item) ?? item;
  }
  if (isRecordLike(item)) {
    const name = item['className'] ?? item['class_name'];
    if (!isSafeClassName(name))
      throw new TypeError(`a metric record's class name ${JSON.stringify(name)} is not valid`);
    return metrics.deserialize(
      { className: name, config: (item['config'] ?? {}) as never },
      resolver.table('metric'),
    );
  }
  throw new TypeError(
    `expected a metric name or a { className, config } record, got ${JSON.stringify(item)}`,
  );
}

function mapJson(value: unknown, item: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => mapJson(v, item));
  if (isRecordLike(value) && !('className' in value) && !('class_name' in value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') throw new TypeError(`the key '__proto__' is not allowed`);
      out[k] = mapJson(v, item);
    }
    return out;
  }
  return item(value);
}

/** compile's arguments (without the optimizer) from `tapeflow.compile`. */
export function deserializeCompileConfig(
  config: unknown,
  resolver: Resolver,
): Omit<CompileArgs, 'optimizer'> {
  if (!isRecordLike(config))
    throw new TypeError(`expected an object { loss, metrics, ... }, got ${JSON.stringify(config)}`);
  const out: Record<string, unknown> = {};
  if (config['loss'] !== undefined) out['loss'] = mapJson(config['loss'], (v) => lossFromJson(v, resolver));
  if (config['metrics'] !== undefined)
    out['metrics'] = mapJson(config['metrics'], (v) => metricFromJson(v, resolver));
  if (config['weightedMetrics'] !== undefined) {
    out['weightedMetrics'] = mapJson(config['weightedMetrics'], (v) => metricFromJson(v, resolver));
  }
  if (config['lossWeights'] !== undefined) out['lossWeights'] = config['lossWeights'];
  return out as Omit<CompileArgs, 'optimizer'>;
}

// ------------------------------------------------------------------------------------ optimizers

// biome-ignore lint/suspicious/noExplicitAny: optimizer constructors take different option types
type OptimizerClass = new (options?: any) => Optimizer;

const BUILTIN_OPTIMIZERS: Record<string, OptimizerClass> = {
  SGD,
  RMSprop,
  Adam,
  AdamW,
  Adagrad,
  Adadelta,
  Adamax,
  Nadam,
  Lion,
};

export interface OptimizerRecord {
  className: string;
  config: Record<string, JSONValue>;
}

export function serializeOptimizer(optimizer: Optimizer): OptimizerRecord {
  return { className: classNameOf(optimizer), config: jsonClone(optimizer.getConfig()) };
}

/** An optimizer from its record; unknown options in the config are rejected by the optimizer itself. */
export function deserializeOptimizer(record: unknown, resolver: Resolver): Optimizer {
  if (!isRecordLike(record))
    throw new TypeError(`expected { className, config }, got ${JSON.stringify(record)}`);
  const className = record['className'] ?? record['class_name'];
  if (!isSafeClassName(className))
    throw new TypeError(`the optimizer class name ${JSON.stringify(className)} is not valid`);
  const config = record['config'] ?? {};
  if (!isRecordLike(config))
    throw new TypeError(`the optimizer config must be an object, got ${JSON.stringify(config)}`);
  const custom = resolver.table('optimizer')[className] as unknown as OptimizerClass | undefined;
  const cls = custom ?? BUILTIN_OPTIMIZERS[className];
  if (!cls) {
    throw new TypeError(
      `unknown optimizer '${className}' (built in: ${Object.keys(BUILTIN_OPTIMIZERS).join(', ')}; register custom optimizers with tf.keras.registerSerializable)`,
    );
  }
  const options: Record<string, unknown> = { ...config };
  const lr = options['learningRate'];
  if (isRecordLike(lr)) {
    const name = lr['className'] ?? lr['class_name'];
    if (!isSafeClassName(name))
      throw new TypeError(`the learning-rate schedule class name ${JSON.stringify(name)} is not valid`);
    options['learningRate'] = deserializeSchedule(
      { className: name, config: (lr['config'] ?? {}) as Record<string, JSONValue> },
      resolver.table('schedule') as never,
    );
  }
  return fromConfigOf(cls as never, options) as Optimizer;
}

/** tfjs's optimizer names and options, mapped to tapeflow's (for files written by tfjs). */
function optimizerFromTfjs(record: Record<string, unknown>, resolver: Resolver): Optimizer {
  const className = record['class_name'] ?? record['className'];
  const config = isRecordLike(record['config']) ? { ...record['config'] } : {};
  const pick = (keys: readonly string[]) => {
    const out: Record<string, unknown> = {};
    for (const k of keys) if (config[k] !== undefined && config[k] !== null) out[k] = config[k];
    return out;
  };
  switch (className) {
    case 'RMSProp': {
      const o = pick(['learningRate', 'momentum', 'epsilon', 'centered']);
      if (config['decay'] !== undefined && config['decay'] !== null) o['rho'] = config['decay'];
      return new RMSprop(o);
    }
    case 'Momentum': {
      const o = pick(['learningRate', 'momentum']);
      if (config['useNesterov'] !== undefined) o['nesterov'] = Boolean(config['useNesterov']);
      return new SGD(o);
    }
    case 'SGD':
      return new SGD(pick(['learningRate']));
    case 'Adam':
      return new Adam(pick(['learningRate', 'beta1', 'beta2', 'epsilon']));
    case 'Adagrad':
      return new Adagrad(pick(['learningRate', 'initialAccumulatorValue']));
    case 'Adadelta':
      return new Adadelta(pick(['learningRate', 'rho', 'epsilon']));
    case 'Adamax': {
      if (config['decay'])
        throw new TypeError(`tfjs Adamax with decay ${String(config['decay'])} is not supported`);
      return new Adamax(pick(['learningRate', 'beta1', 'beta2', 'epsilon']));
    }
    default:
      return deserializeOptimizer({ className, config }, resolver);
  }
}

/** The tfjs counterpart of an optimizer, with the slots tfjs expects per variable, or null. */
function tfjsOptimizer(opt: Optimizer): { record: Record<string, unknown>; slots: string[] } | null {
  const lr = opt.learningRateSetting;
  if (typeof lr !== 'number') return null;
  if (opt.clipnorm || opt.clipvalue || opt.globalClipnorm || opt.weightDecay) return null;
  const c = opt.getConfig() as Record<string, JSONValue>;
  const record = (className: string, config: Record<string, unknown>) => ({ class_name: className, config });
  switch (opt.constructor) {
    case Adam:
      if (c['amsgrad']) return null;
      return {
        record: record('Adam', {
          learningRate: lr,
          beta1: c['beta1'],
          beta2: c['beta2'],
          epsilon: c['epsilon'],
        }),
        slots: ['m', 'v'],
      };
    case SGD:
      if (c['momentum'] !== 0) return null;
      return { record: record('SGD', { learningRate: lr }), slots: [] };
    case Adagrad:
      return {
        record: record('Adagrad', {
          learningRate: lr,
          initialAccumulatorValue: c['initialAccumulatorValue'],
        }),
        slots: ['accumulator'],
      };
    case Adadelta:
      return {
        record: record('Adadelta', { learningRate: lr, rho: c['rho'], epsilon: c['epsilon'] }),
        slots: ['accum_grad', 'accum_var'],
      };
    case RMSprop:
      if (!(Number(c['momentum']) > 0)) return null;
      return {
        record: record('RMSProp', {
          learningRate: lr,
          decay: c['rho'],
          momentum: c['momentum'],
          epsilon: c['epsilon'],
          centered: c['centered'],
        }),
        slots: c['centered'] ? ['rms', 'momentum', 'mg'] : ['rms', 'momentum'],
      };
    default:
      return null;
  }
}

const TFJS_LOSSES: Record<string, string> = {
  mean_squared_error: 'mean_squared_error',
  mean_absolute_error: 'mean_absolute_error',
  mean_absolute_percentage_error: 'mean_absolute_percentage_error',
  mean_squared_logarithmic_error: 'mean_squared_logarithmic_error',
  squared_hinge: 'squared_hinge',
  hinge: 'hinge',
  categorical_hinge: 'categorical_hinge',
  log_cosh: 'logcosh',
  categorical_crossentropy: 'categorical_crossentropy',
  sparse_categorical_crossentropy: 'sparse_categorical_crossentropy',
  binary_crossentropy: 'binary_crossentropy',
  kl_divergence: 'kullback_leibler_divergence',
  poisson: 'poisson',
};

const TFJS_METRICS = new Set([
  'accuracy',
  'acc',
  'crossentropy',
  'ce',
  'binary_accuracy',
  'categorical_accuracy',
  'precision',
  'categorical_crossentropy',
  'sparse_categorical_crossentropy',
  'mse',
  'mae',
  'mape',
  'cosine',
]);

/** tfjs's name for a loss given to compile, when it is one tfjs knows with default options. */
function tfjsLoss(item: unknown): string | null {
  let loss: losses.Loss;
  try {
    if (typeof item === 'string') loss = losses.get(item);
    else if (item instanceof losses.Loss && !(item instanceof losses.LossFunctionWrapper)) loss = item;
    else return null;
    const fresh = new (loss.constructor as new () => losses.Loss)();
    if (JSON.stringify(fresh.getConfig()) !== JSON.stringify(loss.getConfig())) return null;
    return TFJS_LOSSES[fresh.name] ?? null;
  } catch {
    return null;
  }
}

function tfjsMetric(item: unknown): string | null {
  if (typeof item !== 'string') return null;
  const snake = item.replace(/(?<=[a-z0-9])([A-Z])/g, (c) => `_${c.toLowerCase()}`);
  return TFJS_METRICS.has(snake) ? snake : null;
}

function mapAll<T>(value: unknown, item: (v: unknown) => T | null): unknown | null {
  let ok = true;
  const out = mapNested(value, (v) => {
    const r = item(v);
    if (r === null) ok = false;
    return r;
  });
  return ok ? out : null;
}

/**
 * Keras/tfjs's `trainingConfig` for a compiled model, or null when tfjs could not load it; `slotOrder`
 * is the slot layout the optimizer weights must then follow.
 */
export function tfjsTrainingConfig(
  args: CompileArgs,
  optimizer: Optimizer,
): { config: Record<string, unknown>; slotOrder: string[] } | null {
  if (args.lossWeights !== undefined || args.weightedMetrics !== undefined || args.loss === undefined)
    return null;
  const opt = tfjsOptimizer(optimizer);
  if (!opt) return null;
  const loss = mapAll(args.loss, tfjsLoss);
  if (loss === null) return null;
  const config: Record<string, unknown> = { loss };
  if (args.metrics !== undefined) {
    const m = mapAll(args.metrics, tfjsMetric);
    if (m === null) return null;
    config['metrics'] = m;
  }
  config['optimizer_config'] = opt.record;
  return { config, slotOrder: opt.slots };
}

/** compile's arguments and the optimizer from a Keras/tfjs `trainingConfig` (a file tfjs wrote). */
export function fromTfjsTrainingConfig(
  tc: unknown,
  resolver: Resolver,
): { compile: Omit<CompileArgs, 'optimizer'>; optimizer: Optimizer; source: string } {
  if (!isRecordLike(tc)) throw new TypeError(`trainingConfig must be an object, got ${JSON.stringify(tc)}`);
  const oc = tc['optimizer_config'];
  if (!isRecordLike(oc))
    throw new TypeError('trainingConfig.optimizer_config must be { class_name, config }');
  const optimizer = optimizerFromTfjs(oc, resolver);
  const compile = deserializeCompileConfig(
    {
      loss: tc['loss'],
      metrics: tc['metrics'] ?? undefined,
      weightedMetrics: tc['weighted_metrics'] ?? undefined,
      lossWeights: tc['loss_weights'] ?? undefined,
    },
    resolver,
  );
  return { compile, optimizer, source: String(oc['class_name'] ?? '') };
}

// ------------------------------------------------------------------------------------ optimizer state

/** What model.json's `tapeflow.optimizer` entry holds besides the slot arrays. */
export interface OptimizerMeta extends OptimizerRecord {
  iterations: number;
  extra: Record<string, number>;
  /** The model weights the optimizer tracks, by saved name, in the order it first saw them. */
  variables: string[];
}

/**
 * The optimizer's state as named arrays for the manifest (`iter`, then `<weight>/<slot>` grouped by
 * slot, in `slotOrder` first) and its metadata. Variables the optimizer tracks that are not the
 * model's weights are left out (with a warning).
 */
export function optimizerArrays(
  optimizer: Optimizer,
  vars: readonly Variable[],
  names: readonly string[],
  slotOrder: readonly string[] = [],
): { arrays: NamedArray[]; meta: OptimizerMeta } {
  const state = optimizer.getState();
  const order = trackedVariables(optimizer, state, vars);
  const slotNames = [...slotOrder];
  for (const v of state.variables)
    for (const s of Object.keys(v.slots)) if (!slotNames.includes(s)) slotNames.push(s);
  const entries: { index: number; slots: Record<string, Float32Array | Float64Array> }[] = [];
  const skipped: string[] = [];
  state.variables.forEach((sv, i) => {
    const index = order[i] === undefined ? -1 : vars.indexOf(order[i]!);
    if (index < 0) skipped.push(sv.name);
    else entries.push({ index, slots: sv.slots });
  });
  if (skipped.length > 0) {
    console.warn(
      `model.save: the optimizer also holds state for ${skipped.length} variable(s) that are not the model's weights (${skipped.join(', ')}); that state is not saved`,
    );
  }
  const arrays: NamedArray[] = [
    { name: 'iter', shape: [], dtype: 'int32', data: new Int32Array([state.iterations]), group: 'optimizer' },
  ];
  const byModelOrder = [...entries].sort((a, b) => a.index - b.index);
  for (const slot of slotNames) {
    for (const e of byModelOrder) {
      const data = e.slots[slot];
      if (!data) continue;
      const v = vars[e.index]!;
      arrays.push({
        name: `${names[e.index]}/${slot}`,
        shape: [...v.shape],
        dtype: v.dtype,
        data: data as TypedArray,
        group: 'optimizer',
      });
    }
  }
  return {
    arrays,
    meta: {
      ...serializeOptimizer(optimizer),
      iterations: state.iterations,
      extra: { ...state.extra },
      variables: entries.map((e) => names[e.index]!),
    },
  };
}

/** The variables behind getState()'s list (by identity when the optimizer exposes them, else by name). */
function trackedVariables(
  optimizer: Optimizer,
  state: OptimizerState,
  vars: readonly Variable[],
): (Variable | undefined)[] {
  const order = (optimizer as unknown as { order?: unknown }).order;
  if (Array.isArray(order) && order.length === state.variables.length) return order as Variable[];
  return state.variables.map((sv) => {
    const found = vars.filter((v) => v.name === sv.name);
    return found.length === 1 ? found[0] : undefined;
  });
}

/**
 * True when tfjs can take the optimizer's state: it tracks no variable yet, or exactly the model's
 * trainable weights (tfjs pairs slots with its trainable weights by position), each with exactly the
 * slots tfjs expects.
 */
export function slotsMatch(
  optimizer: Optimizer,
  slots: readonly string[],
  trainable: readonly Variable[],
): boolean {
  const state = optimizer.getState();
  if (state.variables.length === 0) return true;
  const tracked = trackedVariables(optimizer, state, trainable);
  if (tracked.length !== trainable.length || !trainable.every((v) => tracked.includes(v))) return false;
  return state.variables.every((v) => {
    const have = Object.keys(v.slots);
    return have.length === slots.length && slots.every((s) => have.includes(s));
  });
}

/**
 * The OptimizerState (and the variables, in order) to restore from the manifest's optimizer arrays.
 * Every array must belong to a model weight and have its shape and dtype. `meta` is the tapeflow
 * entry; without it (files from tfjs) the variables follow the model's trainable weights.
 */
export function optimizerStateFrom(
  optimizer: Optimizer,
  arrays: readonly NamedArray[],
  meta: Partial<OptimizerMeta> | null,
  vars: readonly Variable[],
  names: readonly string[],
  trainable: readonly Variable[],
  file: string,
  tfjsSource?: string,
): { state: OptimizerState; varList: Variable[] } {
  const index = new Map(names.map((n, i) => [n, i]));
  const sortedNames = [...names].sort((a, b) => b.length - a.length);
  let iterations = typeof meta?.iterations === 'number' ? meta.iterations : 0;
  const slots = new Map<number, Record<string, Float32Array | Float64Array>>();
  for (const a of arrays) {
    if (a.name === 'iter') {
      if (a.data.length !== 1)
        throw new ModelFileError(
          file,
          `the optimizer weight 'iter' must be a scalar, got shape [${a.shape}]`,
        );
      if (meta?.iterations === undefined) iterations = Number(a.data[0]);
      continue;
    }
    const owner = sortedNames.find((n) => a.name.startsWith(`${n}/`));
    if (owner === undefined) {
      throw new ModelFileError(
        file,
        `the optimizer weight '${a.name}' belongs to none of the model's weights (expected '<weight name>/<slot>', weights: ${names.join(', ')})`,
      );
    }
    const i = index.get(owner)!;
    const v = vars[i]!;
    const slot = a.name.slice(owner.length + 1);
    if (a.shape.length !== v.shape.length || a.shape.some((d, k) => d !== v.shape[k])) {
      throw new ModelFileError(
        file,
        `the optimizer weight '${a.name}' has shape [${a.shape}] but weight '${owner}' has shape [${v.shape}]`,
      );
    }
    if (a.dtype !== v.dtype || (a.dtype !== 'float32' && a.dtype !== 'float64')) {
      throw new ModelFileError(
        file,
        `the optimizer weight '${a.name}' has dtype ${a.dtype} but weight '${owner}' is ${v.dtype}`,
      );
    }
    let data = a.data as Float32Array | Float64Array;
    if (tfjsSource === 'Momentum' && slot === 'momentum') {
      // tfjs accumulates a = m a + g and steps -lr a; Keras keeps the velocity v = m v - lr g = -lr a.
      const lr = optimizer.learningRate;
      data = data.map((x) => -lr * x) as Float32Array | Float64Array;
    }
    let record = slots.get(i);
    if (!record) slots.set(i, (record = {}));
    record[slot] = data;
  }
  let order: number[];
  if (Array.isArray(meta?.variables)) {
    order = meta.variables.map((n) => {
      const i = typeof n === 'string' ? index.get(n) : undefined;
      if (i === undefined) {
        throw new ModelFileError(
          file,
          `tapeflow.optimizer.variables names '${String(n)}', which is not a weight of the model`,
        );
      }
      return i;
    });
    for (const i of slots.keys()) {
      if (!order.includes(i)) {
        throw new ModelFileError(
          file,
          `the optimizer has slots for '${names[i]}', which tapeflow.optimizer.variables does not list`,
        );
      }
    }
  } else {
    order = trainable.map((v) => vars.indexOf(v)).filter((i) => i >= 0 && slots.has(i));
    for (const i of slots.keys()) if (!order.includes(i)) order.push(i);
  }
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new ModelFileError(
      file,
      `the optimizer's iteration count must be a non-negative integer, got ${iterations}`,
    );
  }
  const extra: Record<string, number> = {};
  for (const [k, v] of Object.entries(meta?.extra ?? {})) {
    if (typeof v !== 'number')
      throw new ModelFileError(file, `tapeflow.optimizer.extra.${k} must be a number`);
    extra[k] = v;
  }
  const state: OptimizerState = {
    format: 'tapeflow.optimizers/1',
    className: optimizer.constructor.name,
    config: optimizer.getConfig(),
    iterations,
    extra,
    variables: order.map((i) => ({
      name: vars[i]!.name,
      shape: [...vars[i]!.shape],
      dtype: vars[i]!.dtype,
      slots: slots.get(i) ?? {},
    })),
  };
  return { state, varList: order.map((i) => vars[i]!) };
}
