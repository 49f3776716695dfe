/** `tf.linalg`: linear algebra with gradients. Each group of functions lives in its own module. */
export { det, inv, solve } from '../ops/linalg.js';
