/** The update rules, one module per algorithm, shared by tf.optimizers (Keras) and tf.optim (PyTorch). */
export { type AdadeltaHyper, adadelta } from './adadelta.js';
export { type AdagradHyper, adagrad } from './adagrad.js';
export { type AdamHyper, adam } from './adam.js';
export { type AdamaxHyper, adamax } from './adamax.js';
export { type LionHyper, lion } from './lion.js';
export { type NadamHyper, nadam, nadamSchedule } from './nadam.js';
export { type RmspropHyper, rmsprop } from './rmsprop.js';
export { type SgdHyper, sgd } from './sgd.js';
export type { Common, Float, Form, GradData } from './types.js';
