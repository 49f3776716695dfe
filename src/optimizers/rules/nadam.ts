import type { Common, Float, GradData } from './types.js';

/**
 * Nadam (Dozat 2016): Adam with Nesterov momentum and a momentum schedule
 *   mu_t = b1 (1 - 0.5 * 0.96^(psi t)),   prod_t = mu_1 ... mu_t
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2;   den = sqrt(v / (1 - b2^t)) + eps
 *   p = p - lr (1 - mu_t) / (1 - prod_t) * g / den - lr mu_{t+1} / (1 - prod_t mu_{t+1}) * m / den
 * PyTorch's momentum_decay psi defaults to 0.004; Keras (TF >= 2.11 and Keras 3) uses 0.96^t, i.e. psi = 1.
 * The product is state the caller keeps (PyTorch per parameter, Keras per optimizer): see `nadamSchedule`.
 */
export interface NadamHyper extends Common {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  /** mu_t, mu_{t+1}, prod_t (including mu_t) from `nadamSchedule`. */
  mu: number;
  muNext: number;
  muProduct: number;
}

/** The momentum schedule at step t (1-based) given the product of the previous steps' mu. */
export function nadamSchedule(
  beta1: number,
  step: number,
  psi: number,
  previousProduct: number,
): { mu: number; muNext: number; muProduct: number } {
  const mu = beta1 * (1 - 0.5 * 0.96 ** (step * psi));
  const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * psi));
  return { mu, muNext, muProduct: previousProduct * mu };
}

export function nadam(src: Float, dst: Float, g: GradData, m: Float, v: Float, h: NadamHyper): void {
  const n = dst.length;
  const { lr, beta1: b1, beta2: b2, eps, step, mu, muNext, muProduct, keep, l2, scale } = h;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const bc2 = 1 - b2 ** step;
  const gCoef = (lr * (1 - mu)) / (1 - muProduct);
  const mCoef = (lr * muNext) / (1 - muProduct * muNext);
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const mn = m[i]! * b1 + c1 * gi;
    const vn = v[i]! * b2 + c2 * gi * gi;
    m[i] = mn;
    v[i] = vn;
    const den = Math.sqrt(vn / bc2) + eps;
    dst[i] = x - gCoef * (gi / den) - mCoef * (mn / den);
  }
}
