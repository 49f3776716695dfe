// Workload definitions, the shared timing protocol, and the correctness checks every peer must pass.
// The protocol object is also sent to bench/torch_bench.py, so all three peers run the same numbers.

export const protocol = {
  seed: { steps: 1000, runs: 5, warmup: 1, lr: 0.01 },
  perop: {
    calls: 20_000,
    runs: 5,
    warmup: 1,
    inputs: {
      a: [0.5, -1.25, 2, 3.5],
      b: [1.5, 0.25, -0.75, 2],
      m1: [0.5, -1, 1.5, 2],
      m2: [2, 0.25, -1, 0.5],
    },
  },
  // Time each call; as many calls as fit in ~targetS (at least minReps), but only slowReps when a single
  // call already takes longer than slowS (keeps the whole run under ~3 minutes on 2 cores).
  matmul: {
    warmupS: 0.1,
    targetS: 0.5,
    minReps: 3,
    maxReps: 20_000,
    slowS: 1.0,
    slowReps: 2,
    checkSamples: 32,
  },
  // Linear algebra (bench/linalg.mjs, float64): warm-up calls for ~warmupS, then timed calls for ~targetS,
  // at least minReps; a first call over slowS counts as a sample and slowReps more are made. Results
  // must have relative residuals <= tol.
  linalg: { warmupS: 0.1, targetS: 0.3, minReps: 1, maxReps: 20_000, slowS: 1.0, slowReps: 1, tol: 1e-8 },
  // One Adam step over 1M float32 parameters in 100 tensors (bench/optim-step.mjs, bench/torch_optim.py).
  optim: {
    tensors: 100,
    size: 10_000,
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    warmupSteps: 3,
    runs: 5,
    stepsPerRun: 5,
    checkSamples: 64,
  },
};

/** Machine limits from docs/ARCHITECTURE.md (2 cores of AMD EPYC Zen 4), float32. */
export const machine = { peakGflops: 228, numpyOpenblas1024Gflops: 187 };

/** @typedef {{ id: string, group: 'seed'|'perop'|'matmul'|'linalg'|'mnist', title: string, metric: string, unit: string,
 *   higherIsBetter: boolean, op?: string, n?: number, kind?: string }} Workload */

/** @type {Workload[]} */
export const workloads = [
  {
    id: 'seed-loop',
    group: 'seed',
    title: 'seed loop (1000 tape steps)',
    metric: 'ms',
    unit: 'ms',
    higherIsBetter: false,
  },
  ...['add', 'mul', 'exp'].map((op) => ({
    id: `op-${op}`,
    group: 'perop',
    op,
    title: `per-op ${op} [4]`,
    metric: 'ops/s',
    unit: 'ops/s',
    higherIsBetter: true,
  })),
  {
    id: 'op-matmul',
    group: 'perop',
    op: 'matmul',
    title: 'per-op matmul [2,2]x[2,2]',
    metric: 'ops/s',
    unit: 'ops/s',
    higherIsBetter: true,
  },
  ...[128, 512, 1024].map((n) => ({
    id: `matmul-${n}`,
    group: 'matmul',
    n,
    title: `matmul ${n}x${n}`,
    metric: 'GFLOP/s',
    unit: 'GFLOP/s',
    higherIsBetter: true,
  })),
  // tf.optim.Adam step() beside torch.optim.Adam(foreach=True) and tfjs train.adam (bench/optim-step.mjs).
  {
    id: 'optim-adam',
    group: 'optim',
    title: 'Adam step, 1M params/100',
    metric: 'ms',
    unit: 'ms',
    higherIsBetter: false,
  },
  // tf.linalg beside numpy.linalg and torch.linalg, float64 (bench/linalg.mjs); ms per call.
  ...['inv', 'solve', 'cholesky', 'svd', 'eigh'].flatMap((op) =>
    [64, 256, 512].map((n) => ({
      id: `linalg-${op}-${n}`,
      group: 'linalg',
      op,
      n,
      title:
        { solve: `solve ${n}x${n}, B [${n},1]`, svd: `svd ${n}x${n} (S, U, V)` }[op] ?? `${op} ${n}x${n}`,
      metric: 'ms',
      unit: 'ms',
      higherIsBetter: false,
    })),
  ),
  // One epoch of Fashion-MNIST training (bench/mnist-bench.mjs): samples/s, peak RSS, test accuracy.
  ...['mlp', 'cnn'].map((kind) => ({
    id: `mnist-${kind}`,
    group: 'mnist',
    kind,
    title: kind === 'mlp' ? 'MLP 784-128-10, batch 128' : 'CNN c32-pool-d10, batch 64',
    metric: 'samples/s',
    unit: 'samples/s',
    higherIsBetter: true,
  })),
];

/**
 * `--only a,b`: a workload is selected when a term equals its group (seed, perop, matmul, linalg, mnist) or is a
 * prefix of its id (`matmul` selects matmul-128/512/1024 but not op-matmul; `op` selects the per-op set).
 */
export function selectWorkloads(only) {
  if (!only || only.length === 0) return workloads;
  return workloads.filter((w) => only.some((t) => t === w.group || w.id.startsWith(t)));
}

// ---- checks ---------------------------------------------------------------------------------------

// Seed 000's expected end state. A fixed step on RMSE ends oscillating between two points; float32
// rounding picks the phase, so either is right.
const SEED_LOSS = 0.6283;
const SEED_PHASES = [
  [1.9456, 3.0007, 4.9735],
  [2.0574, 2.9995, 4.9809],
];

/** @returns {{ ok: boolean, note: string }} */
export function checkSeed(final) {
  if (!final) return { ok: false, note: 'no result' };
  const { loss, w1, w2, b, points } = final;
  const got = [w1, w2, b];
  if (![loss, ...got].every(Number.isFinite)) return { ok: false, note: `non-finite: ${fmtFinal(final)}` };
  const problems = [];
  if (points !== undefined && points !== 100) problems.push(`x has ${points} points, expected 100`);
  if (Math.abs(loss - SEED_LOSS) > 2e-3)
    problems.push(`final loss ${loss.toFixed(4)}, expected ~${SEED_LOSS}`);
  if (!SEED_PHASES.some((p) => p.every((v, i) => Math.abs(got[i] - v) < 1e-2))) {
    problems.push(`weights ${got.map((v) => v.toFixed(4)).join(', ')} not near 1.95/3.00/4.97`);
  }
  return { ok: problems.length === 0, note: problems.length ? problems.join('; ') : fmtFinal(final) };
}

function fmtFinal(f) {
  return `loss ${f.loss?.toFixed(4)} w1 ${f.w1?.toFixed(4)} w2 ${f.w2?.toFixed(4)} b ${f.b?.toFixed(4)}`;
}

/** Float64 reference result of one tiny op. */
export function expectedPerOp(op) {
  const { a, b, m1, m2 } = protocol.perop.inputs;
  switch (op) {
    case 'add':
      return a.map((v, i) => v + b[i]);
    case 'mul':
      return a.map((v, i) => v * b[i]);
    case 'exp':
      return a.map((v) => Math.exp(v));
    case 'matmul':
      return [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
      ];
    default:
      throw new Error(`unknown op ${op}`);
  }
}

export function checkPerOp(op, sample) {
  const want = expectedPerOp(op);
  if (!sample || sample.length !== want.length) {
    return {
      ok: false,
      note: `got ${sample ? `${sample.length} values` : 'nothing'}, expected ${want.length}`,
    };
  }
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(sample[i] - want[i]) / Math.max(1, Math.abs(want[i]));
    if (!(err <= 1e-5)) return { ok: false, note: `got [${[...sample]}], expected [${want}]` };
    worst = Math.max(worst, err);
  }
  return { ok: true, note: `max rel err ${worst.toExponential(1)}` };
}

/** Matmul results are compared on sampled entries with a float64 dot product: |c - ref| / sum|a b|. */
export const MATMUL_TOL = 1e-5;

export function checkMatmul(maxRelErr) {
  if (maxRelErr === undefined || maxRelErr === null) return { ok: false, note: 'no check value' };
  if (!(maxRelErr <= MATMUL_TOL)) return { ok: false, note: `max rel err ${maxRelErr} > ${MATMUL_TOL}` };
  return { ok: true, note: `max rel err ${maxRelErr.toExponential(1)}` };
}

export function matmulMaxRelErr(n, a, b, c, samples) {
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    const i = (s * 7919 + 13) % n;
    const j = (s * 104729 + 101) % n;
    let ref = 0;
    let scale = 0;
    for (let k = 0; k < n; k++) {
      const p = a[i * n + k] * b[k * n + j];
      ref += p;
      scale += Math.abs(p);
    }
    const err = Math.abs(c[i * n + j] - ref) / (scale || 1);
    if (Number.isNaN(err)) return Number.NaN;
    worst = Math.max(worst, err);
  }
  return worst;
}

/** Deterministic uniform data in [-1, 1) (xorshift32), shared by the JS peers. */
export function randomData(size, seed) {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

export function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
