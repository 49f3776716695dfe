import type { DType } from '../../backend/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer } from './layer.js';
import { numberedName } from './naming.js';
import { declareKeepsNoTensors } from './step-memory.js';
import { checkShapeSpec, type Dim, type GraphNode, type ShapeSpec, SymbolicTensor } from './symbolic.js';

export interface InputOptions {
  /** Shape of one sample, without the batch axis (`[28, 28, 1]`); null for a size not known. */
  shape?: ShapeSpec;
  /** Full shape with the batch axis (`[null, 2]`, Keras's batch_shape). */
  batchShape?: ShapeSpec;
  batchSize?: number;
  dtype?: DType;
  name?: string;
}

/**
 * The entry point of a functional model (Keras's InputLayer): it holds the symbolic tensor that
 * `tf.keras.Input` returns, and passes its input through unchanged.
 */
export class InputLayer extends Layer {
  /** The shape with the batch axis. */
  readonly inputBatchShape: Dim[];
  /** The symbolic tensor this layer feeds to the graph. */
  readonly tensor: SymbolicTensor;

  constructor(options: InputOptions = {}) {
    const batchShape = inputBatchShape(options);
    super({ name: options.name ?? numberedName('input'), dtype: options.dtype ?? 'float32' });
    this.inputKind = 'any';
    this.inputBatchShape = batchShape;
    const node: GraphNode = {
      layer: this,
      inputs: [],
      outputs: [],
      packedInputs: false,
      packedOutputs: false,
      args: {},
    };
    this.tensor = new SymbolicTensor(batchShape, this.dtype, this.name, node, 0);
    node.outputs.push(this.tensor);
    this.inboundNodes.push(node);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], _args: CallArgs = {}): Tensor | Tensor[] {
    return inputs;
  }

  override computeOutputShape(_inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec {
    return this.inputBatchShape;
  }

  override getConfig(): Record<string, unknown> {
    return { batchShape: [...this.inputBatchShape], dtype: this.dtype, name: this.name };
  }
}

function inputBatchShape(options: InputOptions): Dim[] {
  if (options.batchShape !== undefined && options.shape !== undefined) {
    throw new TypeError('Input: give either shape or batchShape, not both');
  }
  if (options.batchShape !== undefined) return checkShapeSpec('Input: batchShape', options.batchShape);
  if (options.shape !== undefined) {
    return [options.batchSize ?? null, ...checkShapeSpec('Input: shape', options.shape)];
  }
  throw new TypeError(
    'Input: a shape is required, e.g. Input({ shape: [784] }) or Input({ batchShape: [null, 2] })',
  );
}

/**
 * `tf.keras.Input({ shape })` / `Input({ batchShape: [null, 2] })`: a symbolic tensor to build a
 * functional model from.
 */
export function Input(options: InputOptions): SymbolicTensor {
  return new InputLayer(options).tensor;
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(InputLayer);
