import type { Common, Float, GradData } from './types.js';

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"):
 *   p = p - lr sign(b1 m + (1 - b1) g);   m = b2 m + (1 - b2) g
 */
export interface LionHyper extends Common {
  lr: number;
  beta1: number;
  beta2: number;
}

export function lion(src: Float, dst: Float, g: GradData, m: Float, h: LionHyper): void {
  const n = dst.length;
  const { lr, beta1: b1, beta2: b2, keep, l2, scale } = h;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const mi = m[i]!;
    const c = mi * b1 + gi * c1;
    dst[i] = x - lr * (c > 0 ? 1 : c < 0 ? -1 : c);
    m[i] = mi * b2 + gi * c2;
  }
}
