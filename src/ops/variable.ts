import { arrayConstructor, type DType, isDType } from '../backend/dtype.js';
import { backend } from '../backend/index.js';
import { fromValues, type TensorLike, toTensor } from '../tensor/convert.js';
import { formatTensor } from '../tensor/format.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

let variableCount = 0;

export interface VariableOptions {
  dtype?: DType;
  trainable?: boolean;
  name?: string;
}

/**
 * A tensor with identity whose value can be replaced in place (`assign`). Tapes watch trainable
 * variables automatically. A recorded op keeps a snapshot of the value it read, so assigning after
 * recording never changes a gradient already owed.
 */
export class Variable extends Tensor {
  readonly name: string;
  trainable: boolean;
  /** Set when something else holds the current storage (a snapshot or a view): assign then reallocates. */
  private storageShared = false;

  constructor(initial: Tensor, options: VariableOptions = {}) {
    const dtype = options.dtype ?? initial.dtype;
    super(backend().cast(initial, dtype), [...initial.shape], dtype);
    this.trainable = options.trainable ?? true;
    this.name = options.name ?? (variableCount++ === 0 ? 'Variable:0' : `Variable_${variableCount - 1}:0`);
  }

  /** The current value as a plain tensor sharing storage; later assignments do not affect it. */
  snapshot(): Tensor {
    this.storageShared = true;
    return new Tensor(this.storage, this.shape, this.dtype, this.strides, this.offset);
  }

  /** The storage for a view or an outside reader, which must not see later in-place writes. */
  override contiguousData() {
    this.storageShared = true;
    return this.storage;
  }

  assign(value: TensorLike): this {
    const t = toTensor(value, 'assign', this.dtype);
    if (!shapesEqual(t.shape, this.shape) && t.size !== 1) {
      throw new RangeError(
        `assign: value of shape ${formatShape(t.shape)} does not match variable '${this.name}' of shape ${formatShape(this.shape)}`,
      );
    }
    if (t.dtype !== this.dtype) {
      throw new TypeError(
        `assign: value has dtype ${t.dtype} but variable '${this.name}' is ${this.dtype} (cast it first)`,
      );
    }
    if (t.size === 1 && this.size !== 1) {
      const data = this.writableStorage();
      data.fill(t.contiguousData()[0]!);
      return this;
    }
    if (this.storageShared) {
      this.storage = backend().cast(t, this.dtype);
      this.storageShared = false;
    } else {
      this.storage.set(t.contiguousData());
    }
    return this;
  }

  assignAdd(value: TensorLike): this {
    return this.adopt(this.peek().add(value), 'assignAdd');
  }

  assignSub(value: TensorLike): this {
    return this.adopt(this.peek().sub(value), 'assignSub');
  }

  /** A transient view of the current value; only for computing a new value that replaces the storage. */
  private peek(): Tensor {
    return new Tensor(this.storage, this.shape, this.dtype, this.strides, this.offset);
  }

  /** Takes a freshly computed value's storage as the new value, avoiding a copy. */
  private adopt(result: Tensor, opName: string): this {
    if (!shapesEqual(result.shape, this.shape)) {
      throw new RangeError(
        `${opName}: value broadcasts to shape ${formatShape(result.shape)}, which does not match variable '${this.name}' of shape ${formatShape(this.shape)}`,
      );
    }
    if (result.dtype !== this.dtype) {
      throw new TypeError(
        `${opName}: value promotes variable '${this.name}' from ${this.dtype} to ${result.dtype}`,
      );
    }
    if (result.gradFn === null && result.isContiguous) this.storage = result.storage;
    else this.storage = backend().cast(result, this.dtype);
    this.storageShared = false;
    return this;
  }

  private writableStorage() {
    if (this.storageShared) {
      this.storage = new (arrayConstructor(this.dtype))(this.size);
      this.storageShared = false;
    }
    return this.storage;
  }

  override toString(): string {
    return formatTensor(this.dataSync(), this.shape, this.dtype, 'Variable', this.name);
  }
}

/** `tf.variable(init, { dtype, trainable, name })`: init is a tensor, a number or an array. */
export function variable(initial: TensorLike, options: VariableOptions = {}): Variable {
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new TypeError(`variable: unknown dtype '${String(options.dtype)}'`);
  }
  const t = initial instanceof Tensor ? initial : fromValues('variable', initial, options.dtype);
  return new Variable(t, options);
}
