import { add, mul } from '../ops/binary.js';
import { sum } from '../ops/reduce.js';
import { RandomGenerator } from '../random/generator.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { GradientTape } from './tape.js';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random upstream weights that turn a tensor output into a scalar. */
  seed?: number;
}

export interface GradcheckMismatch {
  input: number;
  index: number[];
  analytic: number;
  numeric: number;
}

export interface GradcheckReport {
  ok: boolean;
  mismatches: GradcheckMismatch[];
  /** Largest |analytic - numeric| seen. */
  maxError: number;
  toString(): string;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = flat % shape[i]!;
    flat = Math.floor(flat / shape[i]!);
  }
  return index;
}

function randomWeights(like: Tensor, rng: RandomGenerator): Tensor {
  const data = new Float64Array(like.size);
  rng.fillUniform(data, -1, 1);
  return new Tensor(data, like.shape, 'float64');
}

/**
 * Compares the autodiff gradient of `f` with float64 central differences. A tensor output is reduced
 * to the scalar sum(f(x) * W) with fixed random W, so every output element is exercised. The report
 * names each mismatching input, element index and the two values.
 */
export function gradcheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') {
      throw new TypeError(
        `gradcheck: input ${i} must be float64 for finite differences, got ${x.dtype} ${formatShape(x.shape)}`,
      );
    }
  });
  const rng = new RandomGenerator(options.seed ?? 1234);
  const probe = f(...inputs);
  const weights = randomWeights(probe, rng);
  const scalarOf = (xs: readonly Tensor[]) => {
    const y = f(...xs);
    return sum(mul(y.dtype === 'float64' ? y : y.cast('float64'), weights));
  };
  const tape = new GradientTape();
  tape.watch([...inputs]);
  const loss = tape.record(() => scalarOf(inputs));
  const analytic = tape.gradient(loss, [...inputs]);
  const mismatches: GradcheckMismatch[] = [];
  let maxError = 0;
  inputs.forEach((x, i) => {
    const base = x.dataSync() as Float64Array;
    const g = analytic[i] ? (analytic[i]!.dataSync() as Float64Array) : new Float64Array(x.size);
    for (let k = 0; k < x.size; k++) {
      const evaluate = (delta: number) => {
        const data = Float64Array.from(base);
        data[k]! += delta;
        const perturbed = inputs.map((t, j) => (j === i ? new Tensor(data, x.shape, 'float64') : t));
        return scalarOf(perturbed).numpy() as number;
      };
      const numeric = (evaluate(eps) - evaluate(-eps)) / (2 * eps);
      const a = g[k]!;
      const error = Math.abs(a - numeric);
      maxError = Math.max(maxError, error);
      if (!(error <= atol + rtol * Math.abs(numeric))) {
        mismatches.push({ input: i, index: unravel(k, x.shape), analytic: a, numeric });
      }
    }
  });
  return report(mismatches, maxError);
}

/**
 * Second-order check: the gradient of sum(grad_x(f) * V) (a Hessian-vector product computed by nested
 * tapes) against central differences of the first-order gradient.
 */
export function gradgradcheck(
  f: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const rng = new RandomGenerator((options.seed ?? 1234) + 1);
  const probe = f(...inputs);
  const weights = randomWeights(probe, rng);
  const directions = inputs.map((x) => randomWeights(x, rng));
  const firstOrder = (...xs: Tensor[]) => {
    const tape = new GradientTape();
    tape.watch(xs);
    const y = tape.record(() => f(...xs));
    const loss = sum(mul(y.dtype === 'float64' ? y : y.cast('float64'), weights));
    const grads = tape.gradient(loss, xs);
    let total: Tensor = new Tensor(new Float64Array(1), [], 'float64');
    grads.forEach((g, i) => {
      if (g) total = add(total, sum(mul(g, directions[i]!)));
    });
    return total;
  };
  return gradcheck(firstOrder, inputs, {
    ...options,
    atol: options.atol ?? 1e-4,
    rtol: options.rtol ?? 1e-3,
  });
}

function report(mismatches: GradcheckMismatch[], maxError: number): GradcheckReport {
  return {
    ok: mismatches.length === 0,
    mismatches,
    maxError,
    toString() {
      if (mismatches.length === 0) return `gradcheck passed (max error ${maxError.toExponential(2)})`;
      const lines = mismatches
        .slice(0, 10)
        .map(
          (m) => `input ${m.input} at [${m.index.join(',')}]: analytic ${m.analytic}, numeric ${m.numeric}`,
        );
      return `gradcheck failed at ${mismatches.length} element(s):\n${lines.join('\n')}`;
    },
  };
}
