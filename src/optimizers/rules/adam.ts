import { adamF32, SIMD_MIN } from './adam-simd.js';
import type { Common, Float, Form, GradData } from './types.js';

/**
 * Adam (Kingma & Ba 2015) with optional AMSGrad; AdamW is Adam with decoupled decay (`keep`).
 *
 *   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2;   [vmax = max(vmax, v); use vmax for v]
 * torch form (eps added to the bias-corrected root):
 *   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * keras form (eps added to the uncorrected root, the "epsilon hat" of the paper's section 2):
 *   p = p - lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)
 *
 * `step` is t, counting this update (1 on the first). `vmax` is null unless amsgrad.
 */
export interface AdamHyper extends Common {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  step: number;
  form: Form;
}

export function adam(
  src: Float,
  dst: Float,
  g: GradData,
  m: Float,
  v: Float,
  vmax: Float | null,
  h: AdamHyper,
): void {
  const n = dst.length;
  const { lr, beta1: b1, beta2: b2, eps, step, keep, l2, scale } = h;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const bc1 = 1 - b1 ** step;
  const bc2 = 1 - b2 ** step;
  if (h.form === 'keras') {
    const alpha = (lr * Math.sqrt(bc2)) / bc1;
    // Keras's form is the SIMD kernel's with stepSize alpha and no correction inside the root.
    if (
      vmax === null &&
      keep === 1 &&
      l2 === 0 &&
      scale === 1 &&
      n >= SIMD_MIN &&
      src instanceof Float32Array &&
      dst instanceof Float32Array &&
      g instanceof Float32Array &&
      m instanceof Float32Array &&
      v instanceof Float32Array &&
      adamF32(src, dst, g, m, v, b1, b2, c1, c2, alpha, 1, eps)
    ) {
      return;
    }
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      const gi = g[i]! * scale + l2 * x;
      const mi = m[i]!;
      const vi = v[i]!;
      const mn = mi + (gi - mi) * c1;
      let vn = vi + (gi * gi - vi) * c2;
      m[i] = mn;
      v[i] = vn;
      if (vmax !== null) {
        const vh = vmax[i]!;
        if (vh > vn) vn = vh;
        else vmax[i] = vn;
      }
      dst[i] = x - (mn * alpha) / (Math.sqrt(vn) + eps);
    }
    return;
  }
  const stepSize = lr / bc1;
  const rootInv = 1 / Math.sqrt(bc2);
  if (vmax === null && keep === 1 && l2 === 0 && scale === 1) {
    // The common case (benchmarked). float32 runs as WebAssembly SIMD when available (adam-simd.ts).
    if (
      n >= SIMD_MIN &&
      src instanceof Float32Array &&
      dst instanceof Float32Array &&
      g instanceof Float32Array &&
      m instanceof Float32Array &&
      v instanceof Float32Array &&
      adamF32(src, dst, g, m, v, b1, b2, c1, c2, stepSize, rootInv, eps)
    ) {
      return;
    }
    // Otherwise one scalar pass over p, g, m, v with nothing else to do.
    for (let i = 0; i < n; i++) {
      const gi = g[i]!;
      const mn = m[i]! * b1 + c1 * gi;
      const vn = v[i]! * b2 + c2 * gi * gi;
      m[i] = mn;
      v[i] = vn;
      dst[i] = src[i]! - stepSize * (mn / (Math.sqrt(vn) * rootInv + eps));
    }
    return;
  }
  if (vmax === null) {
    for (let i = 0; i < n; i++) {
      const x = src[i]! * keep;
      const gi = g[i]! * scale + l2 * x;
      const mn = m[i]! * b1 + c1 * gi;
      const vn = v[i]! * b2 + c2 * gi * gi;
      m[i] = mn;
      v[i] = vn;
      dst[i] = x - stepSize * (mn / (Math.sqrt(vn) * rootInv + eps));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const mn = m[i]! * b1 + c1 * gi;
    let vn = v[i]! * b2 + c2 * gi * gi;
    m[i] = mn;
    v[i] = vn;
    const vh = vmax[i]!;
    if (vh > vn) vn = vh;
    else vmax[i] = vn;
    dst[i] = x - stepSize * (mn / (Math.sqrt(vn) * rootInv + eps));
  }
}
