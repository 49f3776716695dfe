import './methods.js';

export { type BackwardOptions, backward, detach } from './backward.js';
export {
  type CustomGradientOptions,
  type CustomGradientResult,
  customGradient,
  type GradFunc,
  type GradFuncResult,
} from './custom.js';
export { type DotOptions, graphToDot } from './dot.js';
export { backprop } from './engine.js';
/** PyTorch's torch.autograd: `class MyFn extends tf.autograd.Function { static forward... static backward... }`. */
export * as autograd from './function.js';
export * from './functional.js';
export { type GradcheckOptions, type GradcheckReport, gradcheck, gradgradcheck } from './gradcheck.js';
export {
  type GradientOptions,
  GradientTape,
  type GradientTapeOptions,
  isRecording,
  type JacobianOptions,
} from './tape.js';
