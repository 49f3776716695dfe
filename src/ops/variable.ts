import { arrayConstructor, type DType, isDType } from '../backend/dtype.js';
import { backend } from '../backend/index.js';
import { fromValues, type TensorLike, toTensor } from '../tensor/convert.js';
import { formatTensor } from '../tensor/format.js';
import { noteUntraceable } from '../tensor/recording.js';
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
  /**
   * Snapshots of the current storage lent to recorded graph nodes and not yet given back: while any
   * is out, the storage counts as shared. A non-persistent tape gives its leases back once its one
   * gradient has been computed (and nothing recorded the computation), so that the optimizer step
   * after it can write in place instead of allocating a fresh array every step.
   */
  private lent = 0;

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

  /** A snapshot for a recorded op, to be returned with `giveBack` when its graph no longer needs it. */
  lend(): Tensor {
    this.lent++;
    return new Tensor(this.storage, this.shape, this.dtype, this.strides, this.offset);
  }

  /** Returns a lent snapshot of `storage` (ignored when the variable has moved to new storage since). */
  giveBack(storage: Tensor['storage']): void {
    if (storage === this.storage && this.lent > 0) this.lent--;
  }

  /** Installs an array that nothing else holds (a freshly computed value) as the storage. */
  replaceStorage(storage: Tensor['storage']): void {
    noteUntraceable(`variable '${this.name}' was assigned`);
    this.storage = storage;
    this.storageShared = false;
    this.lent = 0;
  }

  /** Whether anything else may hold the current storage (then writes must go to a new array). */
  get isShared(): boolean {
    return this.storageShared || this.lent > 0;
  }

  /** The storage for a view or an outside reader, which must not see later in-place writes. */
  override contiguousData() {
    this.storageShared = true;
    return this.storage;
  }

  assign(value: TensorLike): this {
    noteUntraceable(`variable '${this.name}' was assigned`);
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
    if (this.isShared) {
      this.replaceStorage(backend().cast(t, this.dtype));
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
    this.replaceStorage(
      result.gradFn === null && result.isContiguous ? result.storage : backend().cast(result, this.dtype),
    );
    return this;
  }

  private writableStorage() {
    if (this.isShared) this.replaceStorage(new (arrayConstructor(this.dtype))(this.size));
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
