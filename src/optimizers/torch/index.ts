/**
 * PyTorch-style optimizers: `tf.optim`, with PyTorch's option names, defaults and formulas, parameter
 * groups, `zeroGrad()` / `step()`, and the LR schedulers in `tf.optim.lrScheduler`. The update rules
 * are shared with `tf.optimizers` (../rules).
 */
export { NaNGradientError } from '../common.js';
export * as lrScheduler from './lr-scheduler.js';
export {
  type BaseOptions,
  Optimizer,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type StateDict,
} from './optimizer.js';
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
  NAdam,
  type NAdamOptions,
  RMSprop,
  type RMSpropOptions,
  SGD,
  type SGDOptions,
} from './optimizers.js';
