import type { Common, Float, Form, GradData } from './types.js';

/**
 * Adagrad: accumulate squared gradients, divide the step by their root.
 *
 * torch form:  s = s + g^2;  p = p - lr * g / (sqrt(s) + eps)        (eps outside the root)
 * keras form:  s = s + g^2;  p = p - lr * g / sqrt(s + eps)          (eps inside the root)
 *
 * `lr` is the effective rate of this step (PyTorch's lr_decay is applied by the caller).
 */
export interface AdagradHyper extends Common {
  lr: number;
  eps: number;
  form: Form;
}

export function adagrad(src: Float, dst: Float, g: GradData, sum: Float, h: AdagradHyper): void {
  const n = dst.length;
  const { lr, eps, keep, l2, scale } = h;
  if (h.form === 'keras') {
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      const gi = g[i]! * scale + l2 * x;
      const s = sum[i]! + gi * gi;
      sum[i] = s;
      dst[i] = x - (lr * gi) / Math.sqrt(s + eps);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      const gi = g[i]! * scale + l2 * x;
      const s = sum[i]! + gi * gi;
      sum[i] = s;
      dst[i] = x - lr * (gi / (Math.sqrt(s) + eps));
    }
  }
}
