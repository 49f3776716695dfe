import type { Common, Float, Form, GradData } from './types.js';

/**
 * RMSprop: divide by a running root mean square of the gradient, optionally centered (subtract the
 * square of the running mean gradient) and with momentum.
 *
 * torch form:  s = a s + (1 - a) g^2;  [c = a c + (1 - a) g;  s' = s - c^2]
 *              den = sqrt(s') + eps;  momentum: buf = mu buf + g / den, p = p - lr buf;  else p = p - lr g / den
 * keras form:  s = rho s + (1 - rho) g^2;  [c = rho c + (1 - rho) g;  s' = s - c^2]
 *              inc = lr g / sqrt(s' + eps);  momentum: buf = mu buf + inc, p = p - buf;  else p = p - inc
 *
 * `decay` is torch's alpha / Keras's rho. `avg` (running mean gradient) is null unless centered, `buf`
 * null unless momentum > 0.
 */
export interface RmspropHyper extends Common {
  lr: number;
  decay: number;
  eps: number;
  momentum: number;
  form: Form;
}

export function rmsprop(
  src: Float,
  dst: Float,
  g: GradData,
  sq: Float,
  avg: Float | null,
  buf: Float | null,
  h: RmspropHyper,
): void {
  const n = dst.length;
  const { lr, decay: a, eps, momentum: mu, keep, l2, scale } = h;
  const b = 1 - a;
  const keras = h.form === 'keras';
  for (let i = 0; i < n; i++) {
    const x = src[i]! * keep;
    const gi = g[i]! * scale + l2 * x;
    const s = keras ? a * sq[i]! + b * (gi * gi) : sq[i]! * a + b * gi * gi;
    sq[i] = s;
    let ms = s;
    if (avg !== null) {
      const c = keras ? a * avg[i]! + b * gi : avg[i]! * a + b * gi;
      avg[i] = c;
      ms = s - c * c;
    }
    if (keras) {
      const inc = (lr * gi) / Math.sqrt(ms + eps);
      if (buf !== null) {
        const v = mu * buf[i]! + inc;
        buf[i] = v;
        dst[i] = x - v;
      } else dst[i] = x - inc;
    } else {
      const den = Math.sqrt(ms) + eps;
      if (buf !== null) {
        const v = buf[i]! * mu + gi / den;
        buf[i] = v;
        dst[i] = x - lr * v;
      } else dst[i] = x - lr * (gi / den);
    }
  }
}
