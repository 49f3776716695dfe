/** MultiHeadAttention (Vaswani et al. 2017), with Keras's weight shapes. */
import { add, mul, sub } from '../../ops/binary.js';
import { cast } from '../../ops/cast.js';
import { matmul } from '../../ops/matmul.js';
import { dropoutWithNoise, softmax } from '../../ops/nn.js';
import { expandDims, reshape, transpose } from '../../ops/shape.js';
import type { Variable } from '../../ops/variable.js';
import { uniform } from '../../random/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs } from '../engine/layer.js';
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
import { formatShapeSpec, type ShapeSpec } from '../engine/symbolic.js';
import { requiredInt } from './core.js';

export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads?: number;
  /** Size of each head for query and key. */
  keyDim?: number;
  /** Size of each head for value (default keyDim). */
  valueDim?: number;
  /** Dropout on the attention probabilities in training. */
  dropout?: number;
  useBias?: boolean;
  /** Size of the last axis of the output (default the query's). */
  outputShape?: number | null;
  kernelInitializer?: InitializerLike;
  biasInitializer?: InitializerLike;
  kernelRegularizer?: RegularizerLike | null;
  biasRegularizer?: RegularizerLike | null;
}

/** Extra call arguments: `mha.apply([query, value, key?], { attentionMask, useCausalMask, returnAttentionScores })`. */
export interface MultiHeadAttentionCallArgs extends CallArgs {
  /** [batch, Tq, Tv]: 1/true where query i may attend to key j. */
  attentionMask?: Tensor;
  /** Each query position attends only to keys at or before it. */
  useCausalMask?: boolean;
  /** Also return the attention probabilities [batch, heads, Tq, Tv]. */
  returnAttentionScores?: boolean;
}

interface Projection {
  kernel: Variable;
  bias: Variable | null;
}

/**
 * Attention over the sequence axis with `numHeads` heads: query [B, Tq, Dq], value [B, Tv, Dv] and key
 * [B, Tv, Dk] (default the value). Weights: query/key kernels [D, heads, keyDim], value kernel
 * [Dv, heads, valueDim], output kernel [heads, valueDim, Dout], with biases.
 */
export class MultiHeadAttention extends Layer {
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputDim: number | null;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private projections: { query: Projection; key: Projection; value: Projection; output: Projection } | null =
    null;

  constructor(numHeads: number | MultiHeadAttentionArgs, keyDim?: number, args: MultiHeadAttentionArgs = {}) {
    const a: MultiHeadAttentionArgs =
      typeof numHeads === 'number' ? { ...args, numHeads, keyDim: keyDim as number } : numHeads;
    super(a);
    this.numHeads = requiredInt('MultiHeadAttention', 'numHeads', a.numHeads);
    this.keyDim = requiredInt('MultiHeadAttention', 'keyDim', a.keyDim);
    this.valueDim = requiredInt('MultiHeadAttention', 'valueDim', a.valueDim ?? this.keyDim);
    this.dropout = a.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`MultiHeadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.useBias = a.useBias ?? true;
    this.outputDim =
      a.outputShape === undefined || a.outputShape === null
        ? null
        : requiredInt('MultiHeadAttention', 'outputShape', a.outputShape);
    this.kernelInitializer = resolveInitializer(a.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = resolveInitializer(a.biasInitializer ?? 'zeros');
    this.kernelRegularizer = resolveRegularizer(a.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(a.biasRegularizer);
  }

  private shapes(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec[] {
    if (!Array.isArray(inputShape[0])) {
      throw new TypeError(
        `Layer "${this.name}" (MultiHeadAttention) must be called on [query, value] or [query, value, key]`,
      );
    }
    const shapes = inputShape as ShapeSpec[];
    if (shapes.length < 2 || shapes.length > 3 || shapes.some((s) => s.length !== 3)) {
      throw new RangeError(
        `Layer "${this.name}" (MultiHeadAttention) expects [query, value] or [query, value, key] of rank 3 ([batch, time, features]), got ${shapes.map(formatShapeSpec).join(', ')}`,
      );
    }
    return shapes;
  }

  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    const [q, v, k = v] = this.shapes(inputShape) as [ShapeSpec, ShapeSpec, ShapeSpec?];
    const dim = (s: ShapeSpec) => {
      const d = s[2];
      if (d === null || d === undefined)
        throw new RangeError(`Layer "${this.name}": feature sizes must be known, got ${formatShapeSpec(s)}`);
      return d;
    };
    const h = this.numHeads;
    const make = (name: string, kernelShape: number[], biasShape: number[]): Projection => ({
      kernel: this.addWeight(`${name}/kernel`, kernelShape, {
        initializer: this.kernelInitializer,
        regularizer: this.kernelRegularizer,
      }),
      bias: this.useBias
        ? this.addWeight(`${name}/bias`, biasShape, {
            initializer: this.biasInitializer,
            regularizer: this.biasRegularizer,
          })
        : null,
    });
    const query = make('query', [dim(q), h, this.keyDim], [h, this.keyDim]);
    const key = make('key', [dim(k!), h, this.keyDim], [h, this.keyDim]);
    const value = make('value', [dim(v), h, this.valueDim], [h, this.valueDim]);
    const outDim = this.outputDim ?? dim(q);
    const output = make('attention_output', [h, this.valueDim, outDim], [outDim]);
    this.projections = { query, key, value, output };
    this.built = true;
  }

  /** [B, T, D] -> [B, heads, T, size]. */
  private project(x: Tensor, p: Projection, size: number): Tensor {
    const [b, t, d] = x.shape as [number, number, number];
    let y = matmul(reshape(x, [b * t, d]), reshape(p.kernel, [d, this.numHeads * size]));
    y = reshape(y, [b, t, this.numHeads, size]);
    if (p.bias) y = add(y, p.bias);
    return transpose(y, [0, 2, 1, 3]);
  }

  override call(inputs: Tensor | Tensor[], args: MultiHeadAttentionCallArgs = {}): Tensor | Tensor[] {
    if (!Array.isArray(inputs)) this.shapes([inputs.shape]);
    const [query, value, key = value] = inputs as Tensor[];
    const p = this.projections!;
    const q = mul(this.project(query!, p.query, this.keyDim), 1 / Math.sqrt(this.keyDim));
    const k = this.project(key!, p.key, this.keyDim);
    const v = this.project(value!, p.value, this.valueDim);
    let scores = matmul(q, k, false, true); // [B, H, Tq, Tv]
    const mask = this.mask(args, query!.shape[1]!, key!.shape[1]!, scores.dtype);
    if (mask) scores = add(scores, mul(sub(1, mask), -1e9));
    let probs = softmax(scores, -1);
    if (args.training && this.dropout > 0) {
      probs = dropoutWithNoise(
        probs,
        this.dropout,
        uniform(probs.shape, 0, 1, { dtype: probs.dtype as 'float32' | 'float64' }),
      );
    }
    const [b, , tq] = probs.shape as [number, number, number, number];
    const heads = reshape(transpose(matmul(probs, v), [0, 2, 1, 3]), [b * tq, this.numHeads * this.valueDim]);
    const outDim = p.output.kernel.shape[2]!;
    let out = reshape(matmul(heads, reshape(p.output.kernel, [this.numHeads * this.valueDim, outDim])), [
      b,
      tq,
      outDim,
    ]);
    if (p.output.bias) out = add(out, p.output.bias);
    return args.returnAttentionScores ? [out, probs] : out;
  }

  /** The 0/1 mask broadcast to [B, 1, Tq, Tv], combining attentionMask and the causal mask. */
  private mask(
    args: MultiHeadAttentionCallArgs,
    tq: number,
    tv: number,
    dtype: Tensor['dtype'],
  ): Tensor | null {
    let mask: Tensor | null = null;
    if (args.attentionMask) {
      const m =
        args.attentionMask instanceof Tensor
          ? args.attentionMask
          : new Tensor(new Float32Array(0), [0], 'float32');
      mask = expandDims(cast(m, dtype), 1);
    }
    if (args.useCausalMask) {
      const data = new Float64Array(tq * tv);
      for (let i = 0; i < tq; i++) for (let j = 0; j <= Math.min(i, tv - 1); j++) data[i * tv + j] = 1;
      const causal = cast(new Tensor(data, [1, 1, tq, tv], 'float64'), dtype);
      mask = mask ? mul(mask, causal) : causal;
    }
    return mask;
  }

  override computeOutputShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec {
    const [q] = this.shapes(inputShape) as [ShapeSpec];
    return [q[0] ?? null, q[1] ?? null, this.outputDim ?? q[2] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.outputDim,
      kernelInitializer: initializers.serialize(this.kernelInitializer),
      biasInitializer: initializers.serialize(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer && regularizers.serialize(this.kernelRegularizer),
      biasRegularizer: this.biasRegularizer && regularizers.serialize(this.biasRegularizer),
    };
  }
}
