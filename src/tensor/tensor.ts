import type { DType, TypedArray } from '../backend/dtype.js';
import { copyToContiguous, isContiguous } from '../backend/js/strided.js';
import { formatTensor } from './format.js';
import { trackBuffer, trackTensor } from './memory.js';
import type { Node } from './node.js';
import { noteUntraceable } from './recording.js';
import { contiguousStrides, sizeOf } from './shape.js';

let nextId = 0;

/** A nested JS array as `numpy()` returns it. */
export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: storage + shape + strides + offset + dtype. Tensors are immutable values;
 * reshape/transpose/slice/broadcast return views that share storage.
 */
export class Tensor {
  readonly id = nextId++;
  /** Backing storage; only a Variable ever swaps it (on assignment). */
  storage: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  readonly size: number;
  /** The operation that produced this tensor, when it was recorded for autograd (PyTorch's grad_fn). */
  gradFn: Node | null = null;
  /** Gradient accumulated by `backward()` (leaves, and tensors that called `retainGrad()`). */
  grad: Tensor | null = null;
  /** @internal PyTorch-style tracking flag, see `requiresGrad`. */
  trackGrad = false;
  /** @internal Keep `.grad` on this non-leaf during backward(). */
  keepGrad = false;

  constructor(
    data: TypedArray,
    shape: readonly number[],
    dtype: DType,
    strides?: readonly number[],
    offset = 0,
  ) {
    this.storage = data;
    this.shape = shape;
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
    trackTensor(this);
    trackBuffer(data);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** PyTorch's flag: operations on a tensor that requires grad are recorded for `backward()`. */
  get requiresGrad(): boolean {
    return this.trackGrad;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new TypeError(
        `requiresGrad: only floating-point tensors can require gradients, this one is ${this.dtype} with shape [${this.shape.join(',')}]`,
      );
    }
    if (!value && this.gradFn !== null) {
      throw new Error('requiresGrad: cannot turn off gradient tracking of a non-leaf tensor; use detach()');
    }
    this.trackGrad = value;
  }

  /** True for tensors created by the user rather than by a recorded operation. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get isContiguous(): boolean {
    return this.offset === 0 && this.storage.length === this.size && isContiguous(this.shape, this.strides);
  }

  /** The elements in row-major order as a fresh typed array (bool as Uint8Array of 0/1). */
  dataSync(): TypedArray {
    noteUntraceable('a tensor was read with dataSync');
    return copyToContiguous(this);
  }

  /** TensorFlow.js's asynchronous read of the elements. */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** A number (or boolean) for a scalar, nested arrays otherwise. */
  numpy(): NestedArray {
    const flat = this.contiguousData();
    const asValue = this.dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
    if (this.shape.length === 0) return asValue(flat[0]!);
    const build = (axis: number, start: number): NestedArray[] => {
      const n = this.shape[axis]!;
      const out = new Array<NestedArray>(n);
      if (axis === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = asValue(flat[start + i]!);
      } else {
        const step = sizeOf(this.shape.slice(axis + 1));
        for (let i = 0; i < n; i++) out[i] = build(axis + 1, start + i * step);
      }
      return out;
    };
    return build(0, 0);
  }

  /** TensorFlow.js's name for `numpy()`. */
  arraySync(): NestedArray {
    return this.numpy();
  }

  /** Contiguous elements without a copy when the tensor already is contiguous. */
  contiguousData(): TypedArray {
    noteUntraceable('a tensor was read into JS');
    return this.isContiguous ? this.storage : copyToContiguous(this);
  }

  toString(): string {
    return formatTensor(this.contiguousData(), this.shape, this.dtype);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
