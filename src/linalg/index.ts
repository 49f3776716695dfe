/** `tf.linalg`: linear algebra with gradients. Each group of functions lives in its own module. */

export {
  cholesky,
  eigh,
  lstsq,
  type PinvOptions,
  pinv,
  type QrOptions,
  qr,
  type SvdOptions,
  slogdet,
  svd,
  type TriangularSolveOptions,
  triangularSolve,
} from '../ops/linalg/decompositions.js';
export {
  bandPart,
  diag,
  diagPart,
  type MatrixNormOrd,
  matrixNorm,
  type NormOrd,
  norm,
  trace,
} from '../ops/linalg/structure.js';
export { det, inv, solve } from '../ops/linalg.js';
