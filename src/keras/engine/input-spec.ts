import type { DType } from '../../backend/dtype.js';
import { formatShapeSpec, type ShapeSpec } from './symbolic.js';

export interface InputSpecArgs {
  dtype?: DType;
  /** The full shape (batch included), null where any size is accepted. */
  shape?: ShapeSpec;
  ndim?: number;
  minNdim?: number;
  maxNdim?: number;
  /** Required sizes of some axes, negative axes counted from the end: `{ [-1]: 2 }`. */
  axes?: Record<number, number>;
}

/**
 * What a layer accepts (Keras's InputSpec): rank bounds and fixed sizes of some axes. A layer sets it in
 * its constructor or in `build`; every call is checked against it, and a mismatch is reported with the
 * layer's name, the expectation and the shape received.
 */
export class InputSpec {
  readonly dtype: DType | undefined;
  readonly shape: ShapeSpec | undefined;
  readonly ndim: number | undefined;
  readonly minNdim: number | undefined;
  readonly maxNdim: number | undefined;
  readonly axes: Record<number, number>;

  constructor(args: InputSpecArgs = {}) {
    this.dtype = args.dtype;
    this.shape = args.shape ? [...args.shape] : undefined;
    this.ndim = args.ndim ?? this.shape?.length;
    this.minNdim = args.minNdim;
    this.maxNdim = args.maxNdim;
    this.axes = { ...(args.axes ?? {}) };
  }
}

/**
 * Checks each input's shape against the layer's spec(s); throws Keras's message
 * `Input 0 of layer "dense" is incompatible with the layer: ...` on the first mismatch.
 */
export function checkInputSpecs(
  layerName: string,
  specs: InputSpec | readonly InputSpec[] | null,
  shapes: readonly ShapeSpec[],
): void {
  if (specs === null) return;
  const list = Array.isArray(specs) ? (specs as readonly InputSpec[]) : [specs as InputSpec];
  if (Array.isArray(specs) && list.length !== shapes.length) {
    throw new RangeError(
      `Layer "${layerName}" expects ${list.length} input(s), but it received ${shapes.length} input tensor(s)`,
    );
  }
  list.forEach((spec, i) => {
    const shape = shapes[Math.min(i, shapes.length - 1)];
    if (shape === undefined) return;
    const fail = (what: string, received = `, but received input with shape ${formatShapeSpec(shape)}`) => {
      throw new RangeError(
        `Input ${i} of layer "${layerName}" is incompatible with the layer: ${what}${received}`,
      );
    };
    const rank = shape.length;
    if (spec.ndim !== undefined && rank !== spec.ndim) fail(`expected ndim=${spec.ndim}, found ndim=${rank}`);
    if (spec.minNdim !== undefined && rank < spec.minNdim)
      fail(`expected min_ndim=${spec.minNdim}, found ndim=${rank}`);
    if (spec.maxNdim !== undefined && rank > spec.maxNdim)
      fail(`expected max_ndim=${spec.maxNdim}, found ndim=${rank}`);
    for (const [key, value] of Object.entries(spec.axes)) {
      const axis = Number(key);
      const d = shape[axis < 0 ? rank + axis : axis];
      if (d !== null && d !== undefined && d !== value)
        fail(`expected axis ${axis} of input shape to have value ${value}`);
    }
    if (spec.shape !== undefined) {
      const mismatch = spec.shape.some((want, k) => want !== null && shape[k] !== null && shape[k] !== want);
      if (mismatch)
        fail(`expected shape=${formatShapeSpec(spec.shape)}, found shape=${formatShapeSpec(shape)}`, '');
    }
  });
}
