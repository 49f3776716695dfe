/**
 * Layers by class name: `serialize(layer)` gives `{ className, config }` (Keras's format, camelCase
 * keys), `deserialize(record)` builds the layer again, `get('Dense')` makes one with default options.
 * Custom layer classes are passed in `customObjects` (or registered with `registerLayer`).
 */
import type { FunctionalConfig } from '../engine/graph-config.js';
import { InputLayer } from '../engine/input-layer.js';
import { Layer } from '../engine/layer.js';
import { functionalFromConfig, type SequentialConfig, sequentialFromConfig } from '../engine/model-config.js';
import { MultiHeadAttention } from './attention.js';
import { Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D } from './conv.js';
import { Activation, Dense, Dropout, Flatten, Lambda, Permute, RepeatVector, Reshape } from './core.js';
import { Embedding } from './embedding.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { BatchNormalization, LayerNormalization } from './normalization.js';
import {
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  MaxPooling1D,
  MaxPooling2D,
  ZeroPadding2D,
} from './pooling.js';
import { GRU, LSTM, SimpleRNN } from './recurrent.js';

/** A layer class that can be rebuilt from its config (its constructor takes the config object). */
export type LayerClass = new (config: never) => Layer;

const BUILTIN: Record<string, LayerClass> = {
  InputLayer,
  Dense,
  Activation,
  Dropout,
  Flatten,
  Reshape,
  Permute,
  RepeatVector,
  Lambda,
  Conv1D,
  Conv2D,
  Conv2DTranspose,
  DepthwiseConv2D,
  MaxPooling1D,
  MaxPooling2D,
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  ZeroPadding2D,
  BatchNormalization,
  LayerNormalization,
  Embedding,
  Concatenate,
  Add,
  Subtract,
  Multiply,
  Average,
  Maximum,
  Minimum,
  SimpleRNN,
  LSTM,
  GRU,
  MultiHeadAttention,
};

const registered: Record<string, LayerClass> = {};

/** Makes a custom layer class known to `deserialize`/`get` by its class name (or `name`). */
export function registerLayer(cls: LayerClass, name: string = cls.name): void {
  registered[name] = cls;
}

export interface SerializedLayer {
  className: string;
  config: Record<string, unknown>;
}

export function serialize(layer: Layer): SerializedLayer {
  return { className: layer.constructor.name, config: layer.getConfig() };
}

function lookup(where: string, className: string, customObjects: Record<string, LayerClass>): LayerClass {
  const cls = customObjects[className] ?? registered[className] ?? BUILTIN[className];
  if (!cls) {
    const known = [...Object.keys(BUILTIN), ...Object.keys(registered), ...Object.keys(customObjects)];
    throw new RangeError(
      `${where}: unknown layer '${className}'. Pass custom layer classes in customObjects (or registerLayer). Known layers: ${known.join(', ')}`,
    );
  }
  return cls;
}

/** Rebuilds a layer from `{ className, config }`. */
export function deserialize(record: SerializedLayer, customObjects: Record<string, LayerClass> = {}): Layer {
  if (record === null || typeof record !== 'object' || typeof record.className !== 'string') {
    throw new TypeError(`layers.deserialize: expected { className, config }, got ${JSON.stringify(record)}`);
  }
  if (record.className === 'Lambda') {
    throw new TypeError(
      'layers.deserialize: a Lambda layer holds a function, which cannot be rebuilt from a config',
    );
  }
  const custom = customObjects[record.className] ?? registered[record.className];
  const make = (r: SerializedLayer) => deserialize(r, customObjects);
  if (!custom && (record.className === 'Model' || record.className === 'Functional')) {
    return functionalFromConfig(record.config as unknown as FunctionalConfig, make);
  }
  if (!custom && record.className === 'Sequential') {
    return sequentialFromConfig(record.config as unknown as SequentialConfig, make);
  }
  const cls = lookup('layers.deserialize', record.className, customObjects);
  return new cls({ ...(record.config ?? {}) } as never);
}

/** A layer from an instance (returned as is), a record, or a class name with default options. */
export function get(
  identifier: Layer | SerializedLayer | string,
  customObjects: Record<string, LayerClass> = {},
): Layer {
  if (identifier instanceof Layer) return identifier;
  if (typeof identifier === 'string')
    return deserialize({ className: identifier, config: {} }, customObjects);
  return deserialize(identifier, customObjects);
}
