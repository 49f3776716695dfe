import { isFloat } from '../backend/dtype.js';
import { add } from '../ops/binary.js';
import { Variable } from '../ops/variable.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { recording } from '../tensor/recording.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backprop } from './engine.js';

export interface BackwardOptions {
  /** Keep the graph's saved tensors so that backward can run through it again. */
  retainGraph?: boolean;
  /** Record the gradient computation itself, for higher derivatives (implies retainGraph). */
  createGraph?: boolean;
}

/**
 * PyTorch's `t.backward(gradient?)`: accumulates d t / d leaf into every leaf's `.grad` (and into
 * tensors that called `retainGrad()`). A non-scalar `t` needs an explicit `gradient`.
 */
export function backward(
  target: Tensor,
  gradient?: TensorLike | BackwardOptions,
  options: BackwardOptions = {},
): void {
  if (
    gradient !== undefined &&
    !(gradient instanceof Tensor) &&
    typeof gradient === 'object' &&
    !Array.isArray(gradient) &&
    !ArrayBuffer.isView(gradient)
  ) {
    options = gradient as BackwardOptions;
    gradient = undefined;
  }
  if (!target.trackGrad) {
    throw new Error(
      `backward: tensor of shape ${formatShape(target.shape)} (${target.dtype}) does not require grad and has no gradFn; ` +
        'create its leaves with { requiresGrad: true } (or set t.requiresGrad = true) before computing it',
    );
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (target.size !== 1) {
      throw new Error(
        `backward: grad can be implicitly created only for scalar outputs, but this tensor has shape ${formatShape(target.shape)}; pass a gradient of that shape`,
      );
    }
    seed = new Tensor(
      target.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]),
      target.shape,
      target.dtype,
    );
  } else {
    seed = toTensor(gradient as TensorLike, 'backward', target.dtype);
    if (!shapesEqual(seed.shape, target.shape)) {
      throw new RangeError(
        `backward: gradient has shape ${formatShape(seed.shape)}, expected ${formatShape(target.shape)}`,
      );
    }
  }
  const createGraph = options.createGraph ?? false;
  const previous = recording.trackRequiresGrad;
  recording.trackRequiresGrad = createGraph;
  try {
    const grads = backprop([target], [seed], {
      follows: (t) => t.trackGrad,
      sources: null,
      retainGraph: options.retainGraph ?? createGraph,
      keep: (t) => t.keepGrad,
    });
    for (const [t, g] of grads) {
      if (!isFloat(t.dtype) || !t.trackGrad) continue;
      if (t.gradFn !== null && !t.keepGrad) continue;
      t.grad = t.grad === null ? g : add(t.grad, g);
    }
  } finally {
    recording.trackRequiresGrad = previous;
  }
}

/**
 * A tensor with the same values that is not part of any graph, sharing storage (as PyTorch's). A
 * variable gives a snapshot, as every view of one does: its storage is marked shared, so that a later
 * in-place update (an optimizer step) goes to a new array instead of changing the detached values.
 */
export function detach(t: Tensor): Tensor {
  if (t instanceof Variable) return t.snapshot();
  return new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
}
