import type { DType } from '../../backend/dtype.js';
import type { Layer } from './layer.js';

/** One dimension of a symbolic shape: a size, or null where it is not known yet (the batch). */
export type Dim = number | null;
/** A shape whose unknown dimensions are null: Keras's `(None, 2)` is `[null, 2]`. */
export type ShapeSpec = readonly Dim[];

let nextSymbolicId = 0;

/**
 * A placeholder for a tensor in a model being defined with the functional API (Keras's KerasTensor):
 * it has a shape with unknown dimensions, a dtype, and remembers the layer call (`node`) that made it.
 * `tf.keras.Input` returns one; `layer.apply(symbolic)` returns new ones; `new Model({ inputs, outputs })`
 * turns the graph between them into a model.
 */
export class SymbolicTensor {
  readonly id = nextSymbolicId++;
  readonly shape: Dim[];

  constructor(
    shape: ShapeSpec,
    readonly dtype: DType,
    readonly name: string,
    /** The layer call that produced this tensor. */
    readonly node: GraphNode,
    /** Which of the node's outputs this is. */
    readonly outputIndex: number,
  ) {
    this.shape = [...shape];
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The layer whose call produced this tensor (an InputLayer for model inputs). */
  get sourceLayer(): Layer {
    return this.node.layer;
  }

  toString(): string {
    return `<SymbolicTensor shape=${formatShapeSpec(this.shape)}, dtype=${this.dtype}, name=${this.name}>`;
  }
}

/** One call of a layer on symbolic inputs: the edges of a functional model's graph. */
export interface GraphNode {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** The inputs were passed as an array (a merge layer), rather than as one tensor. */
  readonly packedInputs: boolean;
  /** The layer returned an array of outputs (an RNN with returnState), rather than one tensor. */
  packedOutputs: boolean;
  /** The call's arguments (`training` if given explicitly, masks, flags), passed again when the graph runs. */
  readonly args: { readonly [key: string]: unknown };
}

export function isSymbolic(x: unknown): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

/** Python's tuple notation, as Keras prints shapes: `(None, 2)`, `(None,)`, `()`. */
export function formatShapeSpec(shape: ShapeSpec): string {
  const parts = shape.map((d) => (d === null ? 'None' : String(d)));
  return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
}

/** Checks that a user-given shape holds positive integers or null; returns a copy. */
export function checkShapeSpec(where: string, shape: unknown): Dim[] {
  if (!Array.isArray(shape)) {
    throw new TypeError(`${where}: expected a shape (an array of sizes or null), got ${String(shape)}`);
  }
  for (const d of shape) {
    if (d !== null && !(Number.isInteger(d) && d >= 0)) {
      throw new RangeError(
        `${where}: shape entries must be non-negative integers or null, got ${JSON.stringify(shape)}`,
      );
    }
  }
  return [...(shape as Dim[])];
}
