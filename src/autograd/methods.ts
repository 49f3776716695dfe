import type { TensorLike } from '../tensor/convert.js';
import { Tensor } from '../tensor/tensor.js';
import { type BackwardOptions, backward, detach } from './backward.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** PyTorch's backward(): accumulate gradients of this tensor into the leaves' `.grad`. */
    backward(gradient?: TensorLike | BackwardOptions, options?: BackwardOptions): void;
    /** The same values, cut off from the graph. */
    detach(): Tensor;
    /** Keep `.grad` on this non-leaf tensor during backward(). */
    retainGrad(): Tensor;
    /** PyTorch's in-place `requires_grad_()`. */
    requiresGrad_(value?: boolean): Tensor;
  }
}

Object.defineProperties(Tensor.prototype, {
  backward: {
    value(this: Tensor, gradient?: TensorLike | BackwardOptions, options?: BackwardOptions) {
      backward(this, gradient, options);
    },
    writable: true,
    configurable: true,
  },
  detach: {
    value(this: Tensor) {
      return detach(this);
    },
    writable: true,
    configurable: true,
  },
  retainGrad: {
    value(this: Tensor) {
      if (this.gradFn !== null) this.keepGrad = true;
      return this;
    },
    writable: true,
    configurable: true,
  },
  requiresGrad_: {
    value(this: Tensor, value = true) {
      this.requiresGrad = value;
      return this;
    },
    writable: true,
    configurable: true,
  },
});
