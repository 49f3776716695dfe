/**
 * Saving and loading models: `model.save` / `tf.keras.models.loadModel` (TensorFlow.js layers format),
 * `saveWeights` / `loadWeights`, `exportSafetensors`, and `registerSerializable` for custom classes.
 * The format is described in README.md beside this file.
 */
export { ModelFileError } from './errors.js';
export {
  exportSafetensors,
  GENERATED_BY,
  type LoadOptions,
  loadModel,
  loadWeights,
  modelArtifacts,
  type SafetensorsOptions,
  type SaveOptions,
  type SaveResult,
  safetensorsConfigPath,
  saveModel,
  saveWeights,
} from './model-io.js';
export { registerSerializable } from './registry.js';
export { decodeSafetensors, encodeSafetensors } from './safetensors.js';
export type { CustomObjects } from './training-config.js';
