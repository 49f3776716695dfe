import type { TensorLike } from '../tensor/convert.js';
import { toTensor } from '../tensor/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { GradientTape } from './tape.js';

function gradsOf(f: (...xs: Tensor[]) => Tensor, args: readonly TensorLike[], dy?: TensorLike) {
  const xs = args.map((a) => toTensor(a, 'grad'));
  const tape = new GradientTape();
  tape.watch(xs);
  const value = tape.record(() => f(...xs));
  const grads = tape.gradient(value, xs, dy === undefined ? {} : { outputGradients: dy });
  return { value, grads };
}

/** `tf.grad(f)`: a function returning df/dx (x's shape); `dy` weights a non-scalar output. */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor | null {
  return (x, dy) => gradsOf(f, [x], dy).grads[0]!;
}

/** `tf.grads(f)`: gradients with respect to every argument. */
export function grads(
  f: (...xs: Tensor[]) => Tensor,
): (xs: readonly TensorLike[], dy?: TensorLike) => (Tensor | null)[] {
  return (xs, dy) => gradsOf(f, xs, dy).grads;
}

export function valueAndGrad(
  f: (x: Tensor) => Tensor,
): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor | null } {
  return (x, dy) => {
    const { value, grads: g } = gradsOf(f, [x], dy);
    return { value, grad: g[0]! };
  };
}

export function valueAndGrads(
  f: (...xs: Tensor[]) => Tensor,
): (xs: readonly TensorLike[], dy?: TensorLike) => { value: Tensor; grads: (Tensor | null)[] } {
  return (xs, dy) => gradsOf(f, xs, dy);
}
