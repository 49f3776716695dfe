import type { Tensor } from '../../tensor/tensor.js';
import { serializeLayer } from './graph-config.js';
import { Input, InputLayer } from './input-layer.js';
import { type CallArgs, Layer } from './layer.js';
import { Model } from './model.js';
import { declareKeepsNoTensors } from './step-memory.js';
import type { ShapeSpec, SymbolicTensor } from './symbolic.js';

export interface SequentialArgs {
  layers?: readonly Layer[];
  name?: string;
  trainable?: boolean;
}

/**
 * A plain stack of layers, each feeding the next (Keras's Sequential): `new Sequential([l1, l2])` or
 * `add` one at a time. Once the input shape is known (an `inputShape`/`inputDim` on the first layer,
 * an InputLayer, or the first batch of data) it is a functional model over that chain.
 */
export class Sequential extends Model {
  /** The layers added, without the InputLayer (Keras's `model.layers` for a Sequential). */
  private readonly stack: Layer[] = [];
  private input_: SymbolicTensor | null = null;
  private output_: SymbolicTensor | null = null;

  constructor(layersOrArgs: readonly Layer[] | SequentialArgs = {}) {
    const args: SequentialArgs = Array.isArray(layersOrArgs)
      ? { layers: layersOrArgs }
      : (layersOrArgs as SequentialArgs);
    super({ ...(args.name !== undefined ? { name: args.name } : {}), trainable: args.trainable ?? true });
    for (const layer of args.layers ?? []) this.add(layer);
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  /** Appends a layer; with a known input shape it is applied at once, so a shape mismatch fails here. */
  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new TypeError(
        `Sequential.add: expected a layer (an instance of tf.keras.layers.Layer), got ${String(layer)}`,
      );
    }
    if (layer instanceof InputLayer) {
      if (this.stack.length > 0 || this.input_) {
        throw new TypeError(`Sequential "${this.name}": an InputLayer can only be the first layer`);
      }
      this.input_ = layer.tensor;
      this.output_ = layer.tensor;
      return;
    }
    if (this.stack.includes(layer)) {
      throw new TypeError(`Sequential "${this.name}": layer "${layer.name}" is already in the model`);
    }
    if (this.input_ === null && this.stack.length === 0 && layer.batchInputShape) {
      this.input_ = Input({ batchShape: layer.batchInputShape, dtype: firstInputDtype(layer) });
      this.output_ = this.input_;
    }
    this.stack.push(layer);
    if (this.output_) {
      this.output_ = this.applyOne(layer, this.output_);
      this.setGraph(this.input_!, this.output_);
    } else {
      this.built = false;
    }
  }

  /** Removes the last layer. */
  pop(): Layer {
    const layer = this.stack.pop();
    if (!layer) throw new RangeError(`Sequential "${this.name}": there is no layer to remove`);
    if (this.input_) {
      let out = this.input_;
      this.output_ = out;
      for (const l of this.stack) out = this.applyOne(l, out);
      this.output_ = out;
      this.setGraph(this.input_, out);
    }
    return layer;
  }

  private applyOne(layer: Layer, x: SymbolicTensor): SymbolicTensor {
    const out = layer.apply(x) as SymbolicTensor | SymbolicTensor[];
    if (Array.isArray(out)) {
      throw new TypeError(
        `Sequential "${this.name}": all layers must have a single output; layer "${layer.name}" returned ${out.length}. Use the functional API for multi-output layers`,
      );
    }
    return out;
  }

  /** Builds the chain for an input shape (with the batch axis): Keras's `model.build(inputShape)`. */
  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    if (this.graph && this.built) return;
    const shape = inputShape as ShapeSpec;
    if (Array.isArray(shape[0]))
      throw new TypeError(`Sequential "${this.name}": expects one input, got several shapes`);
    if (this.stack.length === 0) {
      throw new Error(`Sequential "${this.name}" has no layers; add some before calling or building it`);
    }
    this.input_ ??= Input({ batchShape: [null, ...shape.slice(1)], dtype: firstInputDtype(this.stack[0]!) });
    let out = this.input_;
    for (const layer of this.stack) out = this.applyOne(layer, out);
    this.output_ = out;
    this.setGraph(this.input_, out);
  }

  override call(inputs: Tensor | Tensor[], args: CallArgs = {}): Tensor | Tensor[] {
    if (!this.graph) {
      const first = Array.isArray(inputs) ? inputs[0] : inputs;
      if (!first) throw new TypeError(`Sequential "${this.name}": no input given`);
      this.build(first.shape);
    }
    return super.call(inputs, args);
  }

  override getConfig(): Record<string, unknown> {
    const layers = this.stack.map(serializeLayer);
    if (this.input_) layers.unshift(serializeLayer(this.input_.sourceLayer));
    return { name: this.name, trainable: this.trainable, layers };
  }
}

/** Integer inputs for a first layer that takes indices (Embedding), float32 otherwise. */
function firstInputDtype(layer: Layer): 'int32' | 'float32' | 'float64' {
  const kind = (layer as unknown as { inputKind: string }).inputKind;
  if (kind === 'int') return 'int32';
  return layer.dtype === 'float64' ? 'float64' : 'float32';
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(Sequential);
