import type { Common, Float, GradData } from './types.js';

/**
 * Adadelta (Zeiler 2012), the same formula in Keras and PyTorch (only the defaults differ):
 *   s = rho s + (1 - rho) g^2
 *   delta = sqrt(u + eps) / sqrt(s + eps) * g
 *   u = rho u + (1 - rho) delta^2
 *   p = p - lr delta
 */
export interface AdadeltaHyper extends Common {
  lr: number;
  rho: number;
  eps: number;
}

export function adadelta(src: Float, dst: Float, g: GradData, sq: Float, acc: Float, h: AdadeltaHyper): void {
  const n = dst.length;
  const { lr, rho, eps, keep, l2, scale } = h;
  const b = 1 - rho;
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const s = sq[i]! * rho + b * gi * gi;
    sq[i] = s;
    const delta = (Math.sqrt(acc[i]! + eps) / Math.sqrt(s + eps)) * gi;
    acc[i] = acc[i]! * rho + b * delta * delta;
    dst[i] = x - lr * delta;
  }
}
