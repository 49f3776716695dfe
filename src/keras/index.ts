/** tf.keras. For now only the optimizers (the same classes as tf.optimizers). */
export { optimizers } from '../optimizers/index.js';
export * as activations from './activations.js';
export * as callbacks from './callbacks.js';
export {
  clearSession,
  Input,
  InputLayer,
  InputSpec,
  Layer,
  Model,
  Sequential,
  SymbolicTensor,
} from './engine/index.js';
export * as initializers from './initializers.js';
export * as layers from './layers/index.js';
export * as losses from './losses.js';
export * as metrics from './metrics.js';
export * as models from './models.js';
export * as regularizers from './regularizers.js';
export * as saving from './saving/index.js';
export { registerSerializable } from './saving/index.js';
