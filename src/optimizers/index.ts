/**
 * Optimizers, two front ends over one set of update rules (./rules, one module per algorithm):
 * - `optimizers` (tf.optimizers, also tf.keras.optimizers): Keras names, defaults and formulas;
 * - `optim` (tf.optim): PyTorch names, defaults and formulas, parameter groups and LR schedulers.
 */

export * as optimizers from './keras/index.js';
export * as optim from './torch/index.js';
