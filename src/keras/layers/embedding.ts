/** Embedding: integer indices to dense vectors. */
import { gather } from '../../ops/gather.js';
import type { Variable } from '../../ops/variable.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import {
  type Initializer,
  type InitializerLike,
  initializers,
  type Regularizer,
  type RegularizerLike,
  regularizers,
  resolveInitializer,
  resolveRegularizer,
} from '../engine/resolve.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import type { ShapeSpec } from '../engine/symbolic.js';
import { requiredInt } from './core.js';

export interface EmbeddingArgs extends LayerArgs {
  inputDim?: number;
  outputDim?: number;
  /** Default: uniform in [-0.05, 0.05], as Keras. */
  embeddingsInitializer?: InitializerLike;
  embeddingsRegularizer?: RegularizerLike | null;
  /** Fixed sequence length, for a first layer (gives the input shape [inputLength]). */
  inputLength?: number;
}

/**
 * Looks up row `i` of a [inputDim, outputDim] table for each index i: [N, T] -> [N, T, outputDim].
 * Float indices are cast to int32 (as Keras does); an index out of range is an error.
 */
export class Embedding extends Layer {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  embeddings: Variable | null = null;

  constructor(inputDim: number | EmbeddingArgs, outputDim?: number, args: EmbeddingArgs = {}) {
    const a: EmbeddingArgs =
      typeof inputDim === 'number' ? { ...args, inputDim, outputDim: outputDim as number } : inputDim;
    // Keras's inputDim here is the vocabulary size, not the input shape: do not pass it on as one.
    const { inputDim: vocab, inputLength, ...base } = a;
    super({
      ...base,
      ...(inputLength !== undefined && base.inputShape === undefined ? { inputShape: [inputLength] } : {}),
    });
    this.inputDim = requiredInt('Embedding', 'inputDim', vocab);
    this.outputDim = requiredInt('Embedding', 'outputDim', a.outputDim);
    this.embeddingsInitializer = resolveInitializer(
      a.embeddingsInitializer ?? new initializers.RandomUniform({ minval: -0.05, maxval: 0.05 }),
    );
    this.embeddingsRegularizer = resolveRegularizer(a.embeddingsRegularizer);
    this.inputKind = 'int';
  }

  override build(_inputShape: ShapeSpec): void {
    this.embeddings = this.addWeight('embeddings', [this.inputDim, this.outputDim], {
      initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer,
    });
    this.built = true;
  }

  override call(inputs: Tensor): Tensor {
    return gather(this.embeddings!, inputs, 0);
  }

  override computeOutputShape(inputShape: ShapeSpec): ShapeSpec {
    return [...inputShape, this.outputDim];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: initializers.serialize(this.embeddingsInitializer),
      embeddingsRegularizer: this.embeddingsRegularizer && regularizers.serialize(this.embeddingsRegularizer),
    };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(Embedding);
