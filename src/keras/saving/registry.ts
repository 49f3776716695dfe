/**
 * `registerSerializable(cls, name?)`: the classes (and functions) that saved models may name. A file names
 * classes only; loading resolves every name through the built-in tables and this registry, never by
 * evaluating anything from the file.
 */
import { Optimizer } from '../../optimizers/keras/optimizer.js';
import { LearningRateSchedule } from '../../optimizers/keras/schedules.js';
import { Layer } from '../engine/layer.js';
import { Initializer } from '../initializers.js';
import { registerLayer } from '../layers/serialization.js';
import { Loss } from '../losses.js';
import { Metric } from '../metrics.js';
import { Regularizer } from '../regularizers.js';

export type SerializableKind =
  | 'layer'
  | 'loss'
  | 'metric'
  | 'regularizer'
  | 'initializer'
  | 'optimizer'
  | 'schedule'
  | 'function';

// biome-ignore lint/suspicious/noExplicitAny: registered classes have constructors of any options type
export type AnyClass = new (...args: any[]) => unknown;
// biome-ignore lint/suspicious/noExplicitAny: registered functions (losses, metrics, activations)
export type AnyFunction = (...args: any[]) => any;

const tables: Record<SerializableKind, Map<string, AnyClass | AnyFunction>> = {
  layer: new Map(),
  loss: new Map(),
  metric: new Map(),
  regularizer: new Map(),
  initializer: new Map(),
  optimizer: new Map(),
  schedule: new Map(),
  function: new Map(),
};
/** The name each registered class or function was registered under (what the training config writes). */
const names = new Map<unknown, string>();

/** What a class is: by its base class; anything else that is callable is a function (a loss, metric or activation). */
export function kindOf(value: unknown): SerializableKind | null {
  if (typeof value !== 'function') return null;
  const proto = (value as { prototype?: unknown }).prototype;
  if (proto instanceof Layer || value === Layer) return 'layer';
  if (proto instanceof Loss) return 'loss';
  if (proto instanceof Metric) return 'metric';
  if (proto instanceof Regularizer) return 'regularizer';
  if (proto instanceof Initializer) return 'initializer';
  if (proto instanceof Optimizer) return 'optimizer';
  if (proto instanceof LearningRateSchedule) return 'schedule';
  return 'function';
}

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.>-]*$/;

/** True for a name a file may use for a class: an identifier-like string that is not a property of every object. */
export function isSafeClassName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    NAME_PATTERN.test(name) &&
    !Object.hasOwn(Object.prototype, name) &&
    name !== '__proto__' &&
    name !== 'prototype'
  );
}

/**
 * Makes a custom class known to saving and loading (Keras's `register_keras_serializable`): a Layer or
 * Model subclass, Loss, Metric, Regularizer, Initializer, Optimizer or LearningRateSchedule subclass, or a
 * plain function used as a loss, metric or activation. Register it once, before loading a model that uses it.
 *
 * The class must rebuild itself from its `getConfig()`: `new cls(config)`, or its static
 * `fromConfig(config)` where it has one. Files name the class by `name` (default: the class's own name;
 * layers and the regularizers and initializers inside layer configs are written under their class name,
 * so a different `name` is registered as an alias besides it).
 */
export function registerSerializable<T extends AnyClass | AnyFunction>(cls: T, name?: string): T {
  const kind = kindOf(cls);
  if (kind === null) {
    throw new TypeError(
      `registerSerializable: expected a class or a function, got ${cls === null ? 'null' : typeof cls}`,
    );
  }
  const own = (cls as { name?: string }).name ?? '';
  const key = name ?? own;
  if (!isSafeClassName(key)) {
    throw new TypeError(
      `registerSerializable: '${String(key)}' cannot name a class in a file (use letters, digits and _; an anonymous class needs a name)`,
    );
  }
  const table = tables[kind];
  table.set(key, cls);
  if (own && own !== key && isSafeClassName(own) && !table.has(own)) table.set(own, cls);
  names.set(cls, key);
  if (kind === 'layer') {
    registerLayer(cls as never, key);
    if (own && own !== key && isSafeClassName(own)) registerLayer(cls as never, own);
  }
  return cls;
}

/** The registered class or function of a kind, by name (own entries only). */
export function lookup(kind: SerializableKind, name: string): AnyClass | AnyFunction | undefined {
  return tables[kind].get(name);
}

/** The registered classes of a kind, as the `customObjects` record the Keras modules take. */
export function customObjects(
  kind: SerializableKind,
  extra: Readonly<Record<string, AnyClass | AnyFunction>> = {},
): Record<string, never> {
  const out: Record<string, never> = Object.create(null);
  for (const [k, v] of tables[kind]) out[k] = v as never;
  for (const [k, v] of Object.entries(extra))
    if (isSafeClassName(k) && kindOf(v) === kind) out[k] = v as never;
  return out;
}

/** The name a class or function was registered under, if it was. */
export function registeredName(value: unknown): string | undefined {
  return names.get(value);
}

/** The name to write for an object's class: its registered name, else the class's own name. */
export function classNameOf(instance: object): string {
  const cls = instance.constructor;
  return registeredName(cls) ?? cls.name;
}
