/** Merge layers: combine a list of inputs (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum). */
import { add, div, maximum, minimum, mul, sub } from '../../ops/binary.js';
import { concat } from '../../ops/shape.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../engine/layer.js';
import { declareKeepsNoTensors } from '../engine/step-memory.js';
import { type Dim, formatShapeSpec, type ShapeSpec } from '../engine/symbolic.js';

function checkList(layer: Layer, inputs: unknown, min: number): Tensor[] {
  if (!Array.isArray(inputs) || inputs.length < min) {
    throw new TypeError(
      `Layer "${layer.name}" (${layer.constructor.name}) must be called on a list of at least ${min} inputs, got ${Array.isArray(inputs) ? inputs.length : 'a single tensor'}`,
    );
  }
  return inputs as Tensor[];
}

/** Broadcast of symbolic shapes (null where a size is unknown), with the layer named in errors. */
function mergedShape(layer: Layer, shapes: readonly ShapeSpec[]): ShapeSpec {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const v = s[i - rank + s.length];
      if (v === undefined || v === 1) continue;
      if (v === null) {
        if (d === 1) d = null;
        continue;
      }
      if (d !== null && d !== 1 && d !== v) {
        throw new RangeError(
          `Layer "${layer.name}" (${layer.constructor.name}): inputs with incompatible shapes ${shapes.map(formatShapeSpec).join(', ')}`,
        );
      }
      d = v;
    }
    out.push(d);
  }
  return out;
}

abstract class Merge extends Layer {
  constructor(args: LayerArgs = {}) {
    super(args);
  }

  protected abstract combine(a: Tensor, b: Tensor): Tensor;

  protected minInputs(): number {
    return 2;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = checkList(this, inputs, this.minInputs());
    let out = list[0]!;
    for (let i = 1; i < list.length; i++) out = this.combine(out, list[i]!);
    return out;
  }

  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    const shapes = inputShape as ShapeSpec[];
    checkList(this, shapes, this.minInputs());
    mergedShape(this, shapes);
    this.built = true;
  }

  override computeOutputShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec {
    return mergedShape(this, checkList(this, inputShape, this.minInputs()) as unknown as ShapeSpec[]);
  }
}

export class Add extends Merge {
  protected combine(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }
}

/** input[0] - input[1] (exactly two inputs). */
export class Subtract extends Merge {
  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = checkList(this, inputs, 2);
    if (list.length !== 2)
      throw new TypeError(`Layer "${this.name}" (Subtract) needs exactly 2 inputs, got ${list.length}`);
    return sub(list[0]!, list[1]!);
  }
  protected combine(a: Tensor, b: Tensor): Tensor {
    return sub(a, b);
  }
}

export class Multiply extends Merge {
  protected combine(a: Tensor, b: Tensor): Tensor {
    return mul(a, b);
  }
}

export class Maximum extends Merge {
  protected combine(a: Tensor, b: Tensor): Tensor {
    return maximum(a, b);
  }
}

export class Minimum extends Merge {
  protected combine(a: Tensor, b: Tensor): Tensor {
    return minimum(a, b);
  }
}

export class Average extends Merge {
  protected combine(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    return div(super.call(inputs), checkList(this, inputs, 2).length);
  }
}

export interface ConcatenateArgs extends LayerArgs {
  axis?: number;
}

/** Joins the inputs along `axis` (default -1); the other sizes must match. */
export class Concatenate extends Layer {
  readonly axis: number;

  constructor(axis: number | ConcatenateArgs = {}, args: ConcatenateArgs = {}) {
    const a = typeof axis === 'number' ? { ...args, axis } : axis;
    super(a);
    this.axis = a.axis ?? -1;
  }

  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return concat(checkList(this, inputs, 1), this.axis);
  }

  override computeOutputShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec {
    const shapes = checkList(this, inputShape, 1) as unknown as ShapeSpec[];
    const rank = shapes[0]!.length;
    const fail = () => {
      throw new RangeError(
        `Layer "${this.name}" (Concatenate) requires inputs with matching shapes except for the concatenation axis ${this.axis}, got ${shapes.map(formatShapeSpec).join(', ')}`,
      );
    };
    if (shapes.some((s) => s.length !== rank)) fail();
    const axis = normalizeAxis(`Concatenate "${this.name}"`, this.axis, rank);
    const out: Dim[] = [...shapes[0]!];
    for (let i = 0; i < rank; i++) {
      if (i === axis) {
        out[i] = shapes.some((s) => s[i] === null) ? null : shapes.reduce((n, s) => n + (s[i] as number), 0);
        continue;
      }
      const known = shapes.map((s) => s[i]).filter((d): d is number => d !== null);
      if (known.some((d) => d !== known[0])) fail();
      out[i] = known[0] ?? null;
    }
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

// These layers' calls keep none of their tensors (engine/step-memory.ts).
declareKeepsNoTensors(Add, Subtract, Multiply, Maximum, Minimum, Average, Concatenate);
