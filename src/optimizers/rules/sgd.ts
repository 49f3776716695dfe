import type { Common, Float, Form, GradData } from './types.js';

/**
 * Gradient descent with optional momentum and Nesterov momentum.
 *
 * torch form (PyTorch's SGD):  d = g + l2 p;  buf = d on the first step, else buf = m buf + (1 - dampening) d;
 *                              d = nesterov ? d + m buf : buf;  p = p - lr d
 * keras form (Keras's SGD):    v = m v - lr g;  p = p + (nesterov ? m v - lr g : v)
 *
 * Both are the same for a constant learning rate (v = -lr buf); they differ when lr changes, because the
 * Keras velocity carries the learning rate of the steps that made it. `buf` is null without momentum.
 */
export interface SgdHyper extends Common {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  form: Form;
  /** torch form: the momentum buffer has not been written yet (it starts as a copy of d). */
  first: boolean;
}

export function sgd(src: Float, dst: Float, g: GradData, buf: Float | null, h: SgdHyper): void {
  const n = dst.length;
  const { lr, momentum: m, keep, l2, scale } = h;
  if (buf === null || m === 0) {
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      dst[i] = x - lr * (g[i]! * scale + l2 * x);
    }
    return;
  }
  if (h.form === 'keras') {
    if (h.nesterov) {
      for (let i = 0; i < n; i++) {
        const x = src[i]! * keep;
        const step = -(g[i]! * scale + l2 * x) * lr;
        const v = step + buf[i]! * m;
        buf[i] = v;
        dst[i] = x + (step + v * m);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const x = src[i]! * keep;
        const v = -(g[i]! * scale + l2 * x) * lr + buf[i]! * m;
        buf[i] = v;
        dst[i] = x + v;
      }
    }
    return;
  }
  const damp = 1 - h.dampening;
  const first = h.first;
  const nesterov = h.nesterov;
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const d = g[i]! * scale + l2 * x;
    const b = first ? d : buf[i]! * m + damp * d;
    buf[i] = b;
    dst[i] = x - lr * (nesterov ? d + m * b : b);
  }
}
