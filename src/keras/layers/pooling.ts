/** Pooling (channels last): Max/AveragePooling1D and 2D, GlobalAverage/GlobalMaxPooling 1D and 2D, ZeroPadding2D. */
import { fusedConv2dMaxPool } from '../../ops/fused-conv-pool.js';
import { avgPool, maxPool } from '../../ops/nn.js';
import { max, mean } from '../../ops/reduce.js';
import { expandDims, pad, squeeze } from '../../ops/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { InputSpec } from '../engine/input-spec.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import type { ShapeSpec } from '../engine/symbolic.js';
import { Conv2D, convOutputLength } from './conv.js';

export interface PoolingArgs extends LayerArgs {
  poolSize?: number | readonly number[];
  /** Default: the pool size. */
  strides?: number | readonly number[] | null;
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast';
}

function sizes(owner: string, name: string, v: number | readonly number[], rank: number): number[] {
  const list = typeof v === 'number' ? new Array<number>(rank).fill(v) : [...v];
  if (list.length !== rank || list.some((k) => !Number.isInteger(k) || k < 1)) {
    throw new RangeError(
      `${owner}: ${name} must be a positive integer or ${rank} of them, got ${JSON.stringify(v)}`,
    );
  }
  return list;
}

abstract class Pooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';

  constructor(
    readonly rank: number,
    poolSize: number | readonly number[] | PoolingArgs | undefined,
    args: PoolingArgs,
  ) {
    const a: PoolingArgs =
      typeof poolSize === 'object' && !Array.isArray(poolSize)
        ? (poolSize as PoolingArgs)
        : {
            ...args,
            ...(poolSize === undefined ? {} : { poolSize: poolSize as number | readonly number[] }),
          };
    super(a);
    const owner = this.constructor.name;
    this.poolSize = sizes(owner, 'poolSize', a.poolSize ?? 2, rank);
    this.strides = sizes(owner, 'strides', a.strides ?? this.poolSize, rank);
    this.padding = a.padding ?? 'valid';
    if (this.padding !== 'valid' && this.padding !== 'same') {
      throw new RangeError(`${owner}: padding must be 'valid' or 'same', got '${String(this.padding)}'`);
    }
    if (a.dataFormat !== undefined && a.dataFormat !== 'channelsLast') {
      throw new RangeError(`${owner}: only dataFormat 'channelsLast' is supported`);
    }
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  protected abstract pool(x: Tensor, size: number[], strides: number[]): Tensor;

  override call(inputs: Tensor): Tensor {
    if (this.rank === 2) return this.pool(inputs, this.poolSize, this.strides);
    const y = this.pool(expandDims(inputs, 1), [1, this.poolSize[0]!], [1, this.strides[0]!]);
    return squeeze(y, 1);
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    const spatial = this.poolSize.map((k, i) =>
      convOutputLength(s[i + 1] ?? null, k, this.padding, this.strides[i]!),
    );
    return [s[0] ?? null, ...spatial, s[this.rank + 1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      poolSize: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      dataFormat: 'channelsLast',
    };
  }
}

export class MaxPooling2D extends Pooling {
  constructor(poolSize?: number | readonly number[] | PoolingArgs, args: PoolingArgs = {}) {
    super(2, poolSize, args);
  }
  protected pool(x: Tensor, size: number[], strides: number[]): Tensor {
    return maxPool(x, size, strides, this.padding);
  }

  /**
   * After a Conv2D (bias, relu or linear): one fused op, so that the convolution's output, the largest
   * tensor of a small CNN, is never written out (ops/fused-conv-pool.ts).
   */
  override callAfter(previous: Layer, input: Tensor): Tensor | null {
    if (
      !(previous instanceof Conv2D) ||
      Object.getPrototypeOf(this) !== MaxPooling2D.prototype ||
      !this.built ||
      this.activityRegularizer ||
      this.dtype !== previous.dtype
    ) {
      return null;
    }
    const conv = previous.fusedCallArgs(input);
    if (conv === null) return null;
    return fusedConv2dMaxPool({
      ...conv,
      poolSize: this.poolSize,
      poolStrides: this.strides,
      poolPadding: this.padding,
    });
  }
}

export class AveragePooling2D extends Pooling {
  constructor(poolSize?: number | readonly number[] | PoolingArgs, args: PoolingArgs = {}) {
    super(2, poolSize, args);
  }
  protected pool(x: Tensor, size: number[], strides: number[]): Tensor {
    return avgPool(x, size, strides, this.padding);
  }
}

export class MaxPooling1D extends Pooling {
  constructor(poolSize?: number | readonly number[] | PoolingArgs, args: PoolingArgs = {}) {
    super(1, poolSize, args);
  }
  protected pool(x: Tensor, size: number[], strides: number[]): Tensor {
    return maxPool(x, size, strides, this.padding);
  }
}

export class AveragePooling1D extends Pooling {
  constructor(poolSize?: number | readonly number[] | PoolingArgs, args: PoolingArgs = {}) {
    super(1, poolSize, args);
  }
  protected pool(x: Tensor, size: number[], strides: number[]): Tensor {
    return avgPool(x, size, strides, this.padding);
  }
}

export interface GlobalPoolingArgs extends LayerArgs {
  keepdims?: boolean;
  dataFormat?: 'channelsLast';
}

abstract class GlobalPooling extends Layer {
  readonly keepdims: boolean;

  constructor(
    readonly rank: number,
    args: GlobalPoolingArgs,
  ) {
    super(args);
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = new InputSpec({ ndim: rank + 2 });
  }

  protected axes(): number[] {
    return this.rank === 2 ? [1, 2] : [1];
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    if (this.keepdims) return [s[0] ?? null, ...this.axes().map(() => 1), s[this.rank + 1] ?? null];
    return [s[0] ?? null, s[this.rank + 1] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), keepdims: this.keepdims, dataFormat: 'channelsLast' };
  }
}

export class GlobalAveragePooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(inputs: Tensor): Tensor {
    return mean(inputs, this.axes(), this.keepdims);
  }
}

export class GlobalMaxPooling2D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }
  override call(inputs: Tensor): Tensor {
    return max(inputs, this.axes(), this.keepdims);
  }
}

export class GlobalAveragePooling1D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  override call(inputs: Tensor): Tensor {
    return mean(inputs, this.axes(), this.keepdims);
  }
}

export class GlobalMaxPooling1D extends GlobalPooling {
  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }
  override call(inputs: Tensor): Tensor {
    return max(inputs, this.axes(), this.keepdims);
  }
}

export interface ZeroPaddingArgs extends LayerArgs {
  /** n (all sides), [rows, cols] (symmetric), or [[top, bottom], [left, right]]. */
  padding?:
    | number
    | readonly [number, number]
    | readonly [readonly [number, number], readonly [number, number]];
}

/** Pads height and width with zeros. */
export class ZeroPadding2D extends Layer {
  readonly padding: [[number, number], [number, number]];

  constructor(padding?: ZeroPaddingArgs['padding'] | ZeroPaddingArgs, args: ZeroPaddingArgs = {}) {
    const a: ZeroPaddingArgs =
      typeof padding === 'object' && !Array.isArray(padding)
        ? (padding as ZeroPaddingArgs)
        : { ...args, ...(padding === undefined ? {} : { padding: padding as ZeroPaddingArgs['padding'] }) };
    super(a);
    const p = a.padding ?? 1;
    let pairs: [[number, number], [number, number]];
    if (typeof p === 'number')
      pairs = [
        [p, p],
        [p, p],
      ];
    else if (typeof p[0] === 'number')
      pairs = [
        [p[0], p[0]],
        [p[1] as number, p[1] as number],
      ];
    else pairs = [[...(p[0] as [number, number])], [...(p[1] as [number, number])]];
    if (pairs.flat().some((v) => !Number.isInteger(v) || v < 0)) {
      throw new RangeError(`ZeroPadding2D: padding must be non-negative integers, got ${JSON.stringify(p)}`);
    }
    this.padding = pairs;
    this.inputKind = 'any';
    this.inputSpec = new InputSpec({ ndim: 4 });
  }

  override call(inputs: Tensor): Tensor {
    return pad(inputs, [[0, 0], this.padding[0], this.padding[1], [0, 0]]);
  }

  override computeOutputShape(s: ShapeSpec): ShapeSpec {
    const grow = (d: number | null | undefined, p: [number, number]) =>
      d === null || d === undefined ? null : d + p[0] + p[1];
    return [s[0] ?? null, grow(s[1], this.padding[0]), grow(s[2], this.padding[1]), s[3] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]) };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(
  MaxPooling2D,
  AveragePooling2D,
  MaxPooling1D,
  AveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling2D,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  ZeroPadding2D,
);
