/** tf.keras.models: the model classes, and models rebuilt from their architecture (config or JSON). */
import type { Model } from './engine/model.js';
import { deserialize, type LayerClass, type SerializedLayer } from './layers/serialization.js';

export { Model, Sequential } from './engine/index.js';
export { type LoadOptions, loadModel } from './saving/index.js';

/** Rebuilds a model (without weights) from `{ className, config }` (Keras's model_from_config). */
export function modelFromConfig(
  record: SerializedLayer,
  customObjects: Record<string, LayerClass> = {},
): Model {
  const model = deserialize(record, customObjects);
  if (!('fit' in model))
    throw new TypeError(`modelFromConfig: '${record.className}' is a layer, not a model`);
  return model as Model;
}

/** Rebuilds a model (without weights) from `model.toJson()` (Keras's model_from_json). */
export function modelFromJson(json: string, customObjects: Record<string, LayerClass> = {}): Model {
  return modelFromConfig(JSON.parse(json) as SerializedLayer, customObjects);
}
