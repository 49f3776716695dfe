/**
 * Keras-style optimizers: `tf.optimizers` (the same classes as `tf.keras.optimizers`), with Keras's
 * option names, defaults and formulas. The update rules are shared with `tf.optim` (../rules).
 */
export { NaNGradientError } from '../common.js';
export {
  Adadelta,
  type AdadeltaOptions,
  Adagrad,
  type AdagradOptions,
  Adam,
  Adamax,
  type AdamaxOptions,
  type AdamOptions,
  AdamW,
  type AdamWOptions,
  Lion,
  type LionOptions,
  Nadam,
  type NadamOptions,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
} from './builtins.js';
export {
  type GradVarPair,
  type LearningRate,
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
} from './optimizer.js';
export * as schedules from './schedules.js';
export { LearningRateSchedule } from './schedules.js';
