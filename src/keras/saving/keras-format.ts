/**
 * tapeflow's configs (`{ className, config }` with camelCase keys, as `toJson()` gives them) and the
 * Keras JSON that TensorFlow.js and Keras write (`{ class_name, config }` with snake_case keys).
 *
 * Keys convert one for one (`kernelSize` <-> `kernel_size`, `batchInputShape` <-> `batch_input_shape`);
 * string values are left alone except the few enums the two spell differently (`data_format`:
 * `channelsLast` <-> `channels_last`). InputLayer's `batchShape` is written as Keras 2's and tfjs's
 * `batch_input_shape`. On reading, options tapeflow does not implement are dropped when they hold their
 * default (a null constraint, `sparse: false`) and rejected otherwise, so a model never loads into
 * something that computes differently. Every class name is checked to be a plain identifier.
 */
import { ModelFileError } from './errors.js';
import { isSafeClassName } from './registry.js';

/** `kernelSize` -> `kernel_size`, `conv2D` -> `conv2_d` (the inverse of toCamelKey for camelCase keys). */
export function toSnakeKey(key: string): string {
  return key.replace(/(?<=.)([A-Z])/g, (c) => `_${c.toLowerCase()}`);
}

/** `kernel_size` -> `kernelSize`, `conv2_d` -> `conv2D`; a leading underscore stays. */
export function toCamelKey(key: string): string {
  return key.replace(/(?<=[^_])_([a-z])/g, (_, c: string) => c.toUpperCase());
}

const TO_KERAS_DATA_FORMAT: Record<string, string> = {
  channelsLast: 'channels_last',
  channelsFirst: 'channels_first',
};
const FROM_KERAS_DATA_FORMAT: Record<string, string> = {
  channels_last: 'channelsLast',
  channels_first: 'channelsFirst',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A tapeflow config (from `toJson()`/`getConfig()`) as Keras JSON. */
export function toKerasJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toKerasJson);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const isInputLayer = value['className'] === 'InputLayer';
  for (const [key, v] of Object.entries(value)) {
    if (key === 'className') {
      out['class_name'] = v;
    } else if (key === 'config' && isInputLayer && isRecord(v)) {
      out['config'] = inputLayerToKeras(v);
    } else if (key === 'dataFormat' && typeof v === 'string') {
      out['data_format'] = TO_KERAS_DATA_FORMAT[v] ?? v;
    } else {
      out[toSnakeKey(key)] = toKerasJson(v);
    }
  }
  return out;
}

function inputLayerToKeras(config: Record<string, unknown>): Record<string, unknown> {
  const { batchShape, ...rest } = config;
  const out: Record<string, unknown> = {};
  if (batchShape !== undefined) out['batch_input_shape'] = batchShape;
  Object.assign(out, toKerasJson(rest) as Record<string, unknown>);
  out['sparse'] ??= false;
  return out;
}

/**
 * Keras JSON (as tfjs or tapeflow wrote it) as a tapeflow config. `where` is the JSON path, for errors
 * naming the place in `file`.
 */
export function fromKerasJson(value: unknown, file: string, where: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => fromKerasJson(v, file, `${where}[${i}]`));
  if (!isRecord(value)) return value;
  const className = value['class_name'] ?? value['className'];
  if ('class_name' in value || 'className' in value) {
    if (!isSafeClassName(className)) {
      throw new ModelFileError(
        file,
        `${where}.class_name must be a class name (letters, digits, _), got ${JSON.stringify(className)}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const at = `${where}.${key}`;
    if (key === '__proto__' || key === 'prototype') {
      throw new ModelFileError(file, `${at}: this key is not allowed in a model file`);
    }
    if (key === 'class_name' || key === 'className') {
      out['className'] = v;
      continue;
    }
    if (key === 'config' && className === 'InputLayer' && isRecord(v)) {
      out['config'] = inputLayerFromKeras(v, file, at);
      continue;
    }
    if (key.endsWith('_constraint') || key.endsWith('Constraint')) {
      if (v === null || v === undefined) continue;
      throw new ModelFileError(
        file,
        `${at}: weight constraints are not supported by tapeflow (got ${JSON.stringify(v)}); remove the constraint to load this model`,
      );
    }
    if (UNSUPPORTED_FLAGS.has(key)) {
      if (v === false || v === null || v === undefined) continue;
      throw new ModelFileError(file, `${at} = ${JSON.stringify(v)} is not supported by tapeflow`);
    }
    if ((key === 'data_format' || key === 'dataFormat') && typeof v === 'string') {
      out['dataFormat'] = FROM_KERAS_DATA_FORMAT[v] ?? v;
      continue;
    }
    if (key === 'dtype' && isRecord(v)) {
      // Keras 3's dtype policy record: { class_name: 'DTypePolicy', config: { name: 'float32' } }.
      const name = isRecord(v['config']) ? v['config']['name'] : undefined;
      if (typeof name !== 'string') {
        throw new ModelFileError(
          file,
          `${at}: expected a dtype name or a dtype policy, got ${JSON.stringify(v)}`,
        );
      }
      out['dtype'] = name;
      continue;
    }
    const camel = toCamelKey(key);
    if (camel === '__proto__')
      throw new ModelFileError(file, `${at}: this key is not allowed in a model file`);
    out[camel] = fromKerasJson(v, file, at);
  }
  return out;
}

/** Keras options that change what a layer computes and that tapeflow does not implement. */
const UNSUPPORTED_FLAGS = new Set(['sparse', 'ragged', 'mask_zero', 'maskZero', 'stateful']);

function inputLayerFromKeras(
  config: Record<string, unknown>,
  file: string,
  where: string,
): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...config };
  let batchShape = rest['batch_input_shape'] ?? rest['batch_shape'] ?? rest['batchShape'];
  delete rest['batch_input_shape'];
  delete rest['batch_shape'];
  delete rest['batchShape'];
  if (batchShape === undefined && Array.isArray(rest['input_shape'])) {
    batchShape = [rest['batch_size'] ?? null, ...(rest['input_shape'] as unknown[])];
    delete rest['input_shape'];
    delete rest['batch_size'];
  }
  if (!Array.isArray(batchShape)) {
    throw new ModelFileError(
      file,
      `${where}: an InputLayer needs batch_input_shape (or batch_shape), got ${JSON.stringify(config)}`,
    );
  }
  const out = fromKerasJson(rest, file, where) as Record<string, unknown>;
  out['batchShape'] = batchShape;
  return out;
}

/**
 * Replaces, anywhere in a tapeflow config, the regularizer and initializer records and activation names
 * that name registered custom classes or functions with instances of them, so that the layer
 * constructors (which resolve only built-in names) receive objects.
 */
export function resolveCustom(
  value: unknown,
  resolve: {
    regularizer: (record: Record<string, unknown>) => unknown | undefined;
    initializer: (record: Record<string, unknown>) => unknown | undefined;
    activation: (name: string) => unknown | undefined;
  },
  key = '',
): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveCustom(v, resolve, key));
  if (typeof value === 'string' && /^(?:activation|recurrentActivation)$/.test(key)) {
    return resolve.activation(value) ?? value;
  }
  if (!isRecord(value)) return value;
  if (typeof value['className'] === 'string') {
    if (/Regularizer$/.test(key)) {
      const custom = resolve.regularizer(value);
      if (custom !== undefined) return custom;
    } else if (/Initializer$/.test(key)) {
      const custom = resolve.initializer(value);
      if (custom !== undefined) return custom;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveCustom(v, resolve, k);
  return out;
}
