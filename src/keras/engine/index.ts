/** The Keras engine: layers' base class, symbolic tensors, models and their training loops. */
export { Input, InputLayer, type InputOptions } from './input-layer.js';
export { InputSpec, type InputSpecArgs } from './input-spec.js';
export { type AddWeightOptions, type CallArgs, Layer, type LayerArgs } from './layer.js';
export {
  type CompileArgs,
  type EvaluateArgs,
  type FitArgs,
  Model,
  type ModelArgs,
  type PredictArgs,
  type StepData,
} from './model.js';
export { clearSession } from './naming.js';
export { Sequential, type SequentialArgs } from './sequential.js';
export type { SummaryOptions } from './summary.js';
export { type Dim, formatShapeSpec, type ShapeSpec, SymbolicTensor } from './symbolic.js';
