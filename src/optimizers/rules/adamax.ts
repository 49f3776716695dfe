import type { Common, Float, Form, GradData } from './types.js';

/**
 * Adamax (Kingma & Ba 2015, section 7): Adam with the infinity norm.
 *   m = b1 m + (1 - b1) g
 * torch form:  u = max(b2 u, |g| + eps);  p = p - lr / (1 - b1^t) * m / u
 * keras form:  u = max(b2 u, |g|);        p = p - lr m / ((1 - b1^t) (u + eps))
 */
export interface AdamaxHyper extends Common {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  form: Form;
}

export function adamax(src: Float, dst: Float, g: GradData, m: Float, u: Float, h: AdamaxHyper): void {
  const n = dst.length;
  const { lr, beta1: b1, beta2: b2, eps, step, keep, l2, scale } = h;
  const c1 = 1 - b1;
  const bc1 = 1 - b1 ** step;
  if (h.form === 'keras') {
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      const gi = g[i]! * scale + l2 * x;
      const mi = m[i]!;
      const mn = mi + (gi - mi) * c1;
      m[i] = mn;
      const a = b2 * u[i]!;
      const ag = Math.abs(gi);
      const un = a > ag ? a : ag;
      u[i] = un;
      dst[i] = x - (lr * mn) / (bc1 * (un + eps));
    }
    return;
  }
  const clr = lr / bc1;
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const mn = m[i]! * b1 + c1 * gi;
    m[i] = mn;
    const a = u[i]! * b2;
    const ag = Math.abs(gi) + eps;
    const un = a > ag ? a : ag;
    u[i] = un;
    dst[i] = x - clr * (mn / un);
  }
}
