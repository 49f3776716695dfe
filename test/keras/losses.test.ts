/**
 * tf.keras.losses: Keras's documented examples, every loss against its formula written out
 * independently here in plain JS, golden values and gradients from PyTorch (test/fixtures/
 * golden-losses.json, made by make-golden-losses.py), float64 gradient checks, reductions and sample
 * weights, seed 003's custom loss, the resolver and bad input.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import * as losses from '../../src/keras/losses.js';

type Nested = number | Nested[];
const EPS = 1e-7;

const flat = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);
const value = (t: tf.Tensor): number => flat(t)[0]!;

function expectClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  rtol = 1e-9,
  atol = 1e-9,
  what = '',
): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    if (!(Math.abs(g - w) <= atol + rtol * Math.abs(w))) {
      throw new Error(`${what}: element ${i}: got ${g}, want ${w} (|diff| ${Math.abs(g - w)})`);
    }
  }
}

/** A small deterministic generator so the reference data needs no library. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function matrix(rows: number, cols: number, f: () => number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, f));
}

const f64 = (x: Nested) => tf.tensor(x as never, { dtype: 'float64' });

// ------------------------------------------------------------ Keras's formulas, written out in JS

type Row = number[];
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const zip = (a: Row, b: Row, f: (x: number, y: number) => number) => a.map((x, i) => f(x, b[i]!));

const reference: Record<string, (t: Row, p: Row) => number> = {
  mse: (t, p) => meanOf(zip(t, p, (a, b) => (b - a) ** 2)),
  mae: (t, p) => meanOf(zip(t, p, (a, b) => Math.abs(b - a))),
  mape: (t, p) => 100 * meanOf(zip(t, p, (a, b) => Math.abs((a - b) / Math.max(Math.abs(a), EPS)))),
  msle: (t, p) =>
    meanOf(zip(t, p, (a, b) => (Math.log(Math.max(b, EPS) + 1) - Math.log(Math.max(a, EPS) + 1)) ** 2)),
  huber: (t, p) =>
    meanOf(
      zip(t, p, (a, b) => {
        const e = Math.abs(b - a);
        return e <= 1 ? 0.5 * e * e : e - 0.5;
      }),
    ),
  logcosh: (t, p) => meanOf(zip(t, p, (a, b) => Math.log(Math.cosh(b - a)))),
  bce: (t, p) =>
    meanOf(
      zip(t, p, (y, q) => {
        const c = clip(q, EPS, 1 - EPS);
        return -(y * Math.log(c + EPS) + (1 - y) * Math.log(1 - c + EPS));
      }),
    ),
  bceLogits: (t, x) => meanOf(zip(t, x, (y, z) => -(y * Math.log(sig(z)) + (1 - y) * Math.log(1 - sig(z))))),
  cce: (t, p) => {
    const s = sumOf(p);
    return -sumOf(zip(t, p, (y, q) => y * Math.log(clip(q / s, EPS, 1 - EPS))));
  },
  cceLogits: (t, x) => {
    const m = Math.max(...x);
    const lse = m + Math.log(sumOf(x.map((v) => Math.exp(v - m))));
    return -sumOf(zip(t, x, (y, z) => y * (z - lse)));
  },
  kld: (t, p) => sumOf(zip(t, p, (a, b) => clip(a, EPS, 1) * Math.log(clip(a, EPS, 1) / clip(b, EPS, 1)))),
  poisson: (t, p) => meanOf(zip(t, p, (a, b) => b - a * Math.log(b + EPS))),
  cosine: (t, p) => {
    const nt = Math.sqrt(Math.max(sumOf(t.map((v) => v * v)), 1e-12));
    const np = Math.sqrt(Math.max(sumOf(p.map((v) => v * v)), 1e-12));
    return -sumOf(zip(t, p, (a, b) => (a / nt) * (b / np)));
  },
  hinge: (t, p) => meanOf(zip(t, p, (a, b) => Math.max(1 - a * b, 0))),
  squaredHinge: (t, p) => meanOf(zip(t, p, (a, b) => Math.max(1 - a * b, 0) ** 2)),
  categoricalHinge: (t, p) => {
    const pos = sumOf(zip(t, p, (a, b) => a * b));
    const neg = Math.max(...zip(t, p, (a, b) => (1 - a) * b));
    return Math.max(neg - pos + 1, 0);
  },
};

function sig(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function softmaxRow(x: Row): Row {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = sumOf(e);
  return e.map((v) => v / s);
}

// ------------------------------------------------------------------------- documented examples

describe("Keras's documented examples", () => {
  const yt = [
    [0, 1],
    [0, 0],
  ];
  const yp = [
    [1, 1],
    [1, 0],
  ];
  const ht = [
    [0, 1],
    [0, 0],
  ];
  const hp = [
    [0.6, 0.4],
    [0.4, 0.6],
  ];

  it('MeanSquaredError and MeanAbsoluteError: 0.5, weighted 0.25, sum 1, none [0.5, 0.5]', () => {
    for (const Cls of [losses.MeanSquaredError, losses.MeanAbsoluteError]) {
      expect(value(new Cls().apply(yt, yp))).toBeCloseTo(0.5, 6);
      expect(value(new Cls().apply(yt, yp, [0.7, 0.3]))).toBeCloseTo(0.25, 6);
      expect(value(new Cls({ reduction: 'sum' }).apply(yt, yp))).toBeCloseTo(1, 6);
      expectClose(flat(new Cls({ reduction: 'none' }).apply(yt, yp)), [0.5, 0.5], 1e-6);
    }
  });

  it('MeanAbsolutePercentageError: 50, weighted 20, sum 100, none [25, 75]', () => {
    const t = [
      [2, 1],
      [2, 3],
    ];
    const p = [
      [1, 1],
      [1, 0],
    ];
    expect(value(new losses.MeanAbsolutePercentageError().apply(t, p))).toBeCloseTo(50, 4);
    expect(value(new losses.MeanAbsolutePercentageError().apply(t, p, [0.7, 0.3]))).toBeCloseTo(20, 4);
    expect(value(new losses.MeanAbsolutePercentageError({ reduction: 'sum' }).apply(t, p))).toBeCloseTo(
      100,
      4,
    );
    expectClose(
      flat(new losses.MeanAbsolutePercentageError({ reduction: 'none' }).apply(t, p)),
      [25, 75],
      1e-6,
    );
  });

  it('MeanSquaredLogarithmicError: 0.240, weighted 0.120, sum 0.480', () => {
    expect(value(new losses.MeanSquaredLogarithmicError().apply(yt, yp))).toBeCloseTo(0.24, 3);
    expect(value(new losses.MeanSquaredLogarithmicError().apply(yt, yp, [0.7, 0.3]))).toBeCloseTo(0.12, 3);
    expect(value(new losses.MeanSquaredLogarithmicError({ reduction: 'sum' }).apply(yt, yp))).toBeCloseTo(
      0.48,
      3,
    );
  });

  it('CosineSimilarity(axis 1): -0.5, weighted -0.0999, sum -0.999, none [-0, -0.999]', () => {
    const t = [
      [0, 1],
      [1, 1],
    ];
    const p = [
      [1, 0],
      [1, 1],
    ];
    expect(value(new losses.CosineSimilarity({ axis: 1 }).apply(t, p))).toBeCloseTo(-0.5, 5);
    expect(value(new losses.CosineSimilarity({ axis: 1 }).apply(t, p, [0.8, 0.2]))).toBeCloseTo(-0.1, 4);
    expect(value(new losses.CosineSimilarity({ axis: 1, reduction: 'sum' }).apply(t, p))).toBeCloseTo(-1, 4);
    expectClose(
      flat(new losses.CosineSimilarity({ axis: 1, reduction: 'none' }).apply(t, p)),
      [0, -1],
      1e-6,
      1e-6,
    );
  });

  it('Huber: 0.155, weighted 0.09, sum 0.31, none [0.18, 0.13]', () => {
    expect(value(new losses.Huber().apply(ht, hp))).toBeCloseTo(0.155, 6);
    expect(value(new losses.Huber().apply(ht, hp, [1, 0]))).toBeCloseTo(0.09, 6);
    expect(value(new losses.Huber({ reduction: 'sum' }).apply(ht, hp))).toBeCloseTo(0.31, 6);
    expectClose(flat(new losses.Huber({ reduction: 'none' }).apply(ht, hp)), [0.18, 0.13], 1e-6);
  });

  it('LogCosh: 0.108', () => {
    const p = [
      [1, 1],
      [0, 0],
    ];
    expect(value(new losses.LogCosh().apply(yt, p))).toBeCloseTo(0.108, 3);
  });

  it('BinaryCrossentropy: from logits 0.865; probabilities 0.815, weighted 0.458, sum 1.630, none [0.916, 0.714]', () => {
    expect(
      value(
        new losses.BinaryCrossentropy({ fromLogits: true }).apply([0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]),
      ),
    ).toBeCloseTo(0.865, 3);
    expect(value(new losses.BinaryCrossentropy().apply(ht, hp))).toBeCloseTo(0.815, 3);
    expect(value(new losses.BinaryCrossentropy().apply(ht, hp, [1, 0]))).toBeCloseTo(0.458, 3);
    expect(value(new losses.BinaryCrossentropy({ reduction: 'sum' }).apply(ht, hp))).toBeCloseTo(1.63, 3);
    expectClose(
      flat(new losses.BinaryCrossentropy({ reduction: 'none' }).apply(ht, hp)),
      [0.916, 0.714],
      1e-3,
    );
  });

  const ct = [
    [0, 1, 0],
    [0, 0, 1],
  ];
  const cp = [
    [0.05, 0.95, 0],
    [0.1, 0.8, 0.1],
  ];

  it('CategoricalCrossentropy: 1.177, weighted 0.814, sum 2.354, none [0.0513, Math.LN10]', () => {
    expect(value(new losses.CategoricalCrossentropy().apply(ct, cp))).toBeCloseTo(1.177, 3);
    expect(value(new losses.CategoricalCrossentropy().apply(ct, cp, [0.3, 0.7]))).toBeCloseTo(0.814, 3);
    expect(value(new losses.CategoricalCrossentropy({ reduction: 'sum' }).apply(ct, cp))).toBeCloseTo(
      2.354,
      3,
    );
    expectClose(
      flat(new losses.CategoricalCrossentropy({ reduction: 'none' }).apply(ct, cp)),
      [0.0513, Math.LN10],
      1e-3,
    );
  });

  it('SparseCategoricalCrossentropy: the same numbers from labels [1, 2]', () => {
    expect(value(new losses.SparseCategoricalCrossentropy().apply([1, 2], cp))).toBeCloseTo(1.177, 3);
    expect(value(new losses.SparseCategoricalCrossentropy().apply([1, 2], cp, [0.3, 0.7]))).toBeCloseTo(
      0.814,
      3,
    );
    expect(
      value(new losses.SparseCategoricalCrossentropy({ reduction: 'sum' }).apply([1, 2], cp)),
    ).toBeCloseTo(2.354, 3);
    expectClose(
      flat(new losses.SparseCategoricalCrossentropy({ reduction: 'none' }).apply([1, 2], cp)),
      [0.0513, Math.LN10],
      1e-3,
    );
  });

  it('KLDivergence: 0.458, weighted 0.366, sum 0.916, none [0.916, -3.08e-6]', () => {
    expect(value(new losses.KLDivergence().apply(ht, hp))).toBeCloseTo(0.458, 3);
    expect(value(new losses.KLDivergence().apply(ht, hp, [0.8, 0.2]))).toBeCloseTo(0.3665, 4);
    expect(value(new losses.KLDivergence({ reduction: 'sum' }).apply(ht, hp))).toBeCloseTo(0.916, 3);
    const none = flat(new losses.KLDivergence({ reduction: 'none' }).apply(ht, hp));
    expect(none[0]).toBeCloseTo(0.916, 3);
    expect(none[1]).toBeCloseTo(-3.08e-6, 7);
  });

  it('Poisson: 0.5, weighted 0.4, sum 0.999, none [0.999, 0]', () => {
    const p = [
      [1, 1],
      [0, 0],
    ];
    expect(value(new losses.Poisson().apply(yt, p))).toBeCloseTo(0.5, 5);
    expect(value(new losses.Poisson().apply(yt, p, [0.8, 0.2]))).toBeCloseTo(0.4, 5);
    expect(value(new losses.Poisson({ reduction: 'sum' }).apply(yt, p))).toBeCloseTo(1, 5);
    expectClose(flat(new losses.Poisson({ reduction: 'none' }).apply(yt, p)), [1, 0], 1e-6, 1e-6);
  });

  it('Hinge: 1.3, weighted 0.55, sum 2.6, none [1.1, 1.5]', () => {
    expect(value(new losses.Hinge().apply(ht, hp))).toBeCloseTo(1.3, 5);
    expect(value(new losses.Hinge().apply(ht, hp, [1, 0]))).toBeCloseTo(0.55, 5);
    expect(value(new losses.Hinge({ reduction: 'sum' }).apply(ht, hp))).toBeCloseTo(2.6, 5);
    expectClose(flat(new losses.Hinge({ reduction: 'none' }).apply(ht, hp)), [1.1, 1.5], 1e-6);
  });
});

// --------------------------------------------------------------- against the written-out formulas

describe('every loss against its formula (float64, random data)', () => {
  const rand = lcg(7);
  const N = 6;
  const D = 4;
  const normal = () => (rand() + rand() + rand() - 1.5) * 2;
  const real = { t: matrix(N, D, normal), p: matrix(N, D, normal) };
  const positive = { t: matrix(N, D, () => 0.1 + 3 * rand()), p: matrix(N, D, () => 0.1 + 3 * rand()) };
  const binary = {
    t: matrix(N, D, () => (rand() < 0.5 ? 0 : 1)),
    p: matrix(N, D, () => 0.02 + 0.96 * rand()),
  };
  const logits = matrix(N, D, normal);
  const onehotLabels = Array.from({ length: N }, () => Math.floor(rand() * D));
  const onehot = onehotLabels.map((k) => Array.from({ length: D }, (_, j) => (j === k ? 1 : 0)));
  const dist = {
    t: matrix(N, D, () => 0.05 + rand()).map(softmaxRow),
    p: matrix(N, D, normal).map(softmaxRow),
  };
  const signs = matrix(N, D, () => (rand() < 0.5 ? -1 : 1));
  const weights = Array.from({ length: N }, () => 0.1 + rand());

  const cases: [string, losses.Loss, Row[], Row[], (t: Row, p: Row) => number][] = [
    ['MeanSquaredError', new losses.MeanSquaredError(), real.t, real.p, reference.mse!],
    ['MeanAbsoluteError', new losses.MeanAbsoluteError(), real.t, real.p, reference.mae!],
    [
      'MeanAbsolutePercentageError',
      new losses.MeanAbsolutePercentageError(),
      real.t,
      real.p,
      reference.mape!,
    ],
    [
      'MeanSquaredLogarithmicError',
      new losses.MeanSquaredLogarithmicError(),
      positive.t,
      positive.p,
      reference.msle!,
    ],
    ['Huber', new losses.Huber(), real.t, real.p, reference.huber!],
    ['LogCosh', new losses.LogCosh(), real.t, real.p, reference.logcosh!],
    ['BinaryCrossentropy', new losses.BinaryCrossentropy(), binary.t, binary.p, reference.bce!],
    [
      'BinaryCrossentropy logits',
      new losses.BinaryCrossentropy({ fromLogits: true }),
      binary.t,
      logits,
      reference.bceLogits!,
    ],
    ['CategoricalCrossentropy', new losses.CategoricalCrossentropy(), onehot, dist.p, reference.cce!],
    [
      'CategoricalCrossentropy logits',
      new losses.CategoricalCrossentropy({ fromLogits: true }),
      dist.t,
      logits,
      reference.cceLogits!,
    ],
    ['KLDivergence', new losses.KLDivergence(), dist.t, dist.p, reference.kld!],
    ['Poisson', new losses.Poisson(), positive.t, positive.p, reference.poisson!],
    ['CosineSimilarity', new losses.CosineSimilarity(), real.t, real.p, reference.cosine!],
    ['Hinge', new losses.Hinge(), signs, real.p, reference.hinge!],
    ['SquaredHinge', new losses.SquaredHinge(), signs, real.p, reference.squaredHinge!],
    ['CategoricalHinge', new losses.CategoricalHinge(), onehot, real.p, reference.categoricalHinge!],
  ];

  for (const [name, loss, t, p, ref] of cases) {
    it(`${name}: per-sample values, the three reductions and sample weights`, () => {
      const want = t.map((row, i) => ref(row, p[i]!));
      const cls = loss.constructor as new (o: object) => losses.Loss;
      const config = loss.getConfig();
      const none = new cls({ ...config, reduction: 'none' }).apply(f64(t), f64(p));
      expect(none.dtype).toBe('float64');
      expect(none.shape).toEqual([N]);
      expectClose(flat(none), want, 1e-10, 1e-12, `${name} none`);
      expectClose(
        [value(new cls({ ...config, reduction: 'sum' }).apply(f64(t), f64(p)))],
        [sumOf(want)],
        1e-10,
        1e-12,
      );
      expectClose([value(loss.apply(f64(t), f64(p)))], [sumOf(want) / N], 1e-10, 1e-12, `${name} mean`);
      const weighted = sumOf(want.map((v, i) => v * weights[i]!)) / N;
      expectClose([value(loss.apply(f64(t), f64(p), weights))], [weighted], 1e-10, 1e-12, `${name} weighted`);
      // [N, 1] weights are aligned to [N] per-sample losses, as Keras does.
      expectClose(
        [value(loss.apply(f64(t), f64(p), f64(weights.map((w) => [w]))))],
        [weighted],
        1e-10,
        1e-12,
        `${name} [N,1] weights`,
      );
      // The function form returns the same per-sample values.
      expectClose(flat(loss.call(f64(t), f64(p))), want, 1e-10, 1e-12, `${name} call`);
    });
  }

  it('SparseCategoricalCrossentropy equals CategoricalCrossentropy on one-hot labels (probabilities and logits)', () => {
    const scce = new losses.SparseCategoricalCrossentropy({ reduction: 'none', fromLogits: true });
    const want = onehot.map((row, i) => reference.cceLogits!(row, logits[i]!));
    expectClose(flat(scce.apply(onehotLabels, f64(logits))), want, 1e-10, 1e-12);
    const probs = new losses.SparseCategoricalCrossentropy({ reduction: 'none' });
    const wantP = onehot.map((row, i) => reference.cce!(row, dist.p[i]!));
    expectClose(flat(probs.apply(onehotLabels, f64(dist.p))), wantP, 1e-9, 1e-12);
  });

  it('label smoothing: binary toward 1/2, categorical and sparse toward 1/numClasses', () => {
    const s = 0.2;
    const bce = new losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: s, reduction: 'none' });
    const smoothed = binary.t.map((row) => row.map((y) => y * (1 - s) + s / 2));
    expectClose(
      flat(bce.apply(f64(binary.t), f64(logits))),
      smoothed.map((row, i) => reference.bceLogits!(row, logits[i]!)),
      1e-10,
    );
    const cce = new losses.CategoricalCrossentropy({
      fromLogits: true,
      labelSmoothing: s,
      reduction: 'none',
    });
    const soft = onehot.map((row) => row.map((y) => y * (1 - s) + s / D));
    const want = soft.map((row, i) => reference.cceLogits!(row, logits[i]!));
    expectClose(flat(cce.apply(f64(onehot), f64(logits))), want, 1e-10);
    const scce = new losses.SparseCategoricalCrossentropy({
      fromLogits: true,
      labelSmoothing: s,
      reduction: 'none',
    });
    expectClose(flat(scce.apply(onehotLabels, f64(logits))), want, 1e-10);
  });

  it('probabilities are clipped to [1e-7, 1 - 1e-7]: log(0) never appears', () => {
    const bce = new losses.BinaryCrossentropy({ reduction: 'none' });
    const out = flat(bce.apply(f64([[1, 0]]), f64([[0, 1]])));
    expect(out[0]).toBeCloseTo(-Math.log(2e-7), 5);
    const cce = new losses.CategoricalCrossentropy({ reduction: 'none' });
    expect(flat(cce.apply(f64([[1, 0]]), f64([[0, 1]])))[0]).toBeCloseTo(-Math.log(1e-7), 6);
    const scce = new losses.SparseCategoricalCrossentropy({ reduction: 'none' });
    expect(Number.isFinite(flat(scce.apply([0], f64([[0, 1]])))[0]!)).toBe(true);
  });

  it('CategoricalCrossentropy and SparseCategoricalCrossentropy take the class axis', () => {
    // Logits [N, C, T] with the classes on axis 1.
    const rand2 = lcg(3);
    const x = Array.from({ length: 2 }, () => matrix(3, 4, () => rand2() * 4 - 2));
    const labels = [
      [0, 2, 1, 1],
      [2, 2, 0, 1],
    ];
    const want = labels.map((row, n) =>
      row.map((k, tIdx) => {
        const col = x[n]!.map((c) => c[tIdx]!);
        return -Math.log(softmaxRow(col)[k]!);
      }),
    );
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true, axis: 1, reduction: 'none' });
    const got = scce.apply(labels, f64(x));
    expect(got.shape).toEqual([2, 4]);
    expectClose(flat(got), want.flat(), 1e-10);
    const onehotT = labels.map((row) => [0, 1, 2].map((c) => row.map((k) => (k === c ? 1 : 0))));
    const cce = new losses.CategoricalCrossentropy({ fromLogits: true, axis: 1, reduction: 'none' });
    expectClose(flat(cce.apply(f64(onehotT), f64(x))), want.flat(), 1e-10);
  });

  it("Hinge maps 0/1 labels to -1/1, as Keras's hinge does", () => {
    const zeroOne = signs.map((row) => row.map((v) => (v + 1) / 2));
    const h = new losses.Hinge({ reduction: 'none' });
    expectClose(flat(h.apply(f64(zeroOne), f64(real.p))), flat(h.apply(f64(signs), f64(real.p))), 1e-12);
  });
});

// ----------------------------------------------------------------------------- PyTorch goldens

interface JsonTensor {
  shape: number[];
  dtype: string;
  data: Nested;
}

interface GoldenCase {
  name: string;
  loss: string;
  options: Record<string, unknown>;
  source: string;
  yTrue: JsonTensor;
  yPred: JsonTensor;
  sampleWeight?: JsonTensor;
  perSample: JsonTensor;
  value: number;
  gradYPred: JsonTensor;
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-losses.json', import.meta.url), 'utf8'),
) as {
  cases: GoldenCase[];
};

function fromJson(t: JsonTensor): tf.Tensor {
  const values: number[] = [];
  const walk = (x: Nested): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else values.push(x);
  };
  walk(t.data);
  return tf.tensor(values, { shape: t.shape, dtype: t.dtype === 'int32' ? 'int32' : 'float64' });
}

describe('golden values and gradients from PyTorch (float64)', () => {
  it('covers every loss class', () => {
    const covered = new Set(golden.cases.map((c) => c.loss));
    for (const name of [
      'MeanSquaredError',
      'MeanAbsoluteError',
      'MeanAbsolutePercentageError',
      'MeanSquaredLogarithmicError',
      'Huber',
      'LogCosh',
      'BinaryCrossentropy',
      'CategoricalCrossentropy',
      'SparseCategoricalCrossentropy',
      'KLDivergence',
      'Poisson',
      'CosineSimilarity',
      'Hinge',
    ]) {
      expect(covered.has(name), name).toBe(true);
    }
  });

  for (const c of golden.cases) {
    it(`${c.name} (${c.source})`, () => {
      // Keras adds 1e-7 inside BCE's logs and PyTorch does not: those agree to ~1e-6.
      const rtol = c.name === 'binary_crossentropy probabilities' ? 2e-6 : 1e-9;
      const cls = losses.get(c.loss).constructor as new (o: object) => losses.Loss;
      const yTrue = fromJson(c.yTrue);
      const yPred = fromJson(c.yPred);
      const sw = c.sampleWeight ? fromJson(c.sampleWeight) : undefined;
      const perSample = new cls({ ...c.options, reduction: 'none' }).apply(yTrue, yPred);
      expect(perSample.shape).toEqual(c.perSample.shape);
      expectClose(flat(perSample), flat(fromJson(c.perSample)), rtol, 1e-12, `${c.name} per sample`);
      const loss = new cls(c.options);
      const tape = new tf.GradientTape();
      tape.watch(yPred);
      const v = tape.record(() => loss.apply(yTrue, yPred, sw));
      expectClose([value(v)], [c.value], rtol, 1e-12, `${c.name} value`);
      const g = tape.gradient(v, yPred)!;
      expectClose(flat(g), flat(fromJson(c.gradYPred)), rtol, 1e-12, `${c.name} gradient`);
    });
  }
});

// ----------------------------------------------------------------------------- gradient checks

describe('gradients pass tf.gradcheck in float64', () => {
  const rand = lcg(99);
  const normal = () => (rand() + rand() + rand() - 1.5) * 2;
  const N = 3;
  const D = 4;
  const real = () => f64(matrix(N, D, normal));
  const positive = () => f64(matrix(N, D, () => 0.2 + 2 * rand()));
  const prob = () => f64(matrix(N, D, () => 0.05 + 0.9 * rand()));
  const dist = () => f64(matrix(N, D, normal).map(softmaxRow));
  const onehot = f64([
    [1, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
  ]);
  const binaryLabels = f64(matrix(N, D, () => (rand() < 0.5 ? 0 : 1)));
  const sampleWeight = f64([0.5, 1.5, 1]);

  // [name, loss, yTrue, yPred] with yPred away from kinks and clipping bounds.
  const cases: [string, losses.Loss, tf.Tensor, tf.Tensor][] = [
    ['MeanSquaredError', new losses.MeanSquaredError(), real(), real()],
    ['MeanAbsoluteError', new losses.MeanAbsoluteError(), real(), real()],
    ['MeanAbsolutePercentageError', new losses.MeanAbsolutePercentageError(), real(), real()],
    ['MeanSquaredLogarithmicError', new losses.MeanSquaredLogarithmicError(), positive(), positive()],
    ['Huber', new losses.Huber({ delta: 0.7 }), real(), real()],
    ['LogCosh', new losses.LogCosh(), real(), real()],
    ['BinaryCrossentropy', new losses.BinaryCrossentropy(), binaryLabels, prob()],
    [
      'BinaryCrossentropy logits',
      new losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      binaryLabels,
      real(),
    ],
    ['CategoricalCrossentropy', new losses.CategoricalCrossentropy(), onehot, prob()],
    [
      'CategoricalCrossentropy logits',
      new losses.CategoricalCrossentropy({ fromLogits: true }),
      dist(),
      real(),
    ],
    [
      'SparseCategoricalCrossentropy',
      new losses.SparseCategoricalCrossentropy(),
      tf.tensor([0, 2, 1], { dtype: 'int32' }),
      dist(),
    ],
    [
      'SparseCategoricalCrossentropy logits',
      new losses.SparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
      tf.tensor([0, 2, 1], { dtype: 'int32' }),
      real(),
    ],
    ['KLDivergence', new losses.KLDivergence(), dist(), dist()],
    ['Poisson', new losses.Poisson(), positive(), positive()],
    ['CosineSimilarity', new losses.CosineSimilarity(), real(), real()],
    [
      'Hinge',
      new losses.Hinge(),
      f64(matrix(N, D, () => (rand() < 0.5 ? -1 : 1))),
      f64(matrix(N, D, () => 0.4 * normal())),
    ],
    ['SquaredHinge', new losses.SquaredHinge(), f64(matrix(N, D, () => (rand() < 0.5 ? -1 : 1))), real()],
    ['CategoricalHinge', new losses.CategoricalHinge(), onehot, real()],
  ];

  for (const [name, loss, yTrue, yPred] of cases) {
    it(`${name}: d loss / d yPred (mean and weighted sum)`, () => {
      const report = tf.gradcheck((p) => loss.apply(yTrue, p), [yPred]);
      expect(report.ok, report.toString()).toBe(true);
      const weightedSum = new (loss.constructor as new (o: object) => losses.Loss)({
        ...loss.getConfig(),
        reduction: 'sum',
      });
      const r2 = tf.gradcheck((p) => weightedSum.apply(yTrue, p, sampleWeight), [yPred]);
      expect(r2.ok, r2.toString()).toBe(true);
    });
  }

  it('regression losses are differentiable in yTrue too', () => {
    for (const loss of [
      new losses.MeanSquaredError(),
      new losses.Huber(),
      new losses.LogCosh(),
      new losses.CosineSimilarity(),
    ]) {
      const report = tf.gradcheck((t, p) => loss.apply(t, p), [real(), real()]);
      expect(report.ok, `${loss.name}: ${report}`).toBe(true);
    }
  });
});

// --------------------------------------------------------------------------- dtypes and shapes

describe('labels, dtypes and shapes', () => {
  it('int32 labels and float32 predictions give a float32 loss', () => {
    const yTrue = tf.tensor([1, 0, 1], { dtype: 'int32' });
    const out = new losses.BinaryCrossentropy().apply(yTrue, tf.tensor([0.9, 0.2, 0.6]));
    expect(out.dtype).toBe('float32');
    expect(out.shape).toEqual([]);
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true });
    const loss = scce.apply(
      tf.tensor([2, 0], { dtype: 'int32' }),
      tf.tensor([
        [0.1, 0.2, 3],
        [2, 0, 0],
      ]),
    );
    expect(loss.dtype).toBe('float32');
    // Float-valued class labels work too.
    expect(
      value(
        scce.apply(
          tf.tensor([2, 0]),
          tf.tensor([
            [0.1, 0.2, 3],
            [2, 0, 0],
          ]),
        ),
      ),
    ).toBeCloseTo(value(loss), 6);
  });

  it('[N] labels meet [N, 1] predictions (the trailing axis is squeezed) and [N, 1] sparse labels work', () => {
    const mse = new losses.MeanSquaredError();
    const a = value(mse.apply([1, 2, 3], [[1.5], [2], [2]]));
    expect(a).toBeCloseTo((0.25 + 0 + 1) / 3, 6);
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true, reduction: 'none' });
    const logits = [
      [1, 2, 3],
      [3, 2, 1],
    ];
    expectClose(flat(scce.apply([[2], [0]], logits)), flat(scce.apply([2, 0], logits)), 1e-7);
    expect(scce.apply([[2], [0]], logits).shape).toEqual([2]);
  });

  it('sequence labels [N, T] with logits [N, T, C] give per-step losses [N, T]', () => {
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true, reduction: 'none' });
    const out = scce.apply(tf.zeros([2, 5], 'int32'), tf.zeros([2, 5, 4]));
    expect(out.shape).toEqual([2, 5]);
    expectClose(flat(out), new Array(10).fill(Math.log(4)), 1e-6);
  });

  it('ignoreClass: ignored entries get 0 and the mean runs over the others', () => {
    const x = [
      [1, 2, 0.5],
      [0.1, 0.2, 0.3],
      [2, -1, 0],
    ];
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
    const none = new losses.SparseCategoricalCrossentropy({
      fromLogits: true,
      ignoreClass: -1,
      reduction: 'none',
    });
    const per = flat(none.apply([2, -1, 0], x));
    expect(per[1] === 0).toBe(true);
    expect(value(scce.apply([2, -1, 0], x))).toBeCloseTo((per[0]! + per[2]!) / 2, 6);
  });

  it('reduction names are checked; "auto" is sum_over_batch_size', () => {
    expect(() => new losses.MeanSquaredError({ reduction: 'mean' as never })).toThrow(
      /unknown reduction 'mean'/,
    );
    const auto = new losses.MeanSquaredError({ reduction: 'auto' });
    expect(value(auto.apply([[0, 1]], [[1, 1]]))).toBeCloseTo(0.5, 6);
  });
});

describe('bad input', () => {
  it('mismatched shapes name the loss and both shapes', () => {
    expect(() => new losses.MeanSquaredError().apply(tf.zeros([4, 3]), tf.zeros([4, 2]))).toThrow(
      /mean_squared_error: yTrue and yPred must have the same shape, got yTrue \[4,3\] and yPred \[4,2\]/,
    );
    expect(() =>
      new losses.CategoricalCrossentropy().apply(tf.zeros([4], 'int32'), tf.zeros([4, 10])),
    ).toThrow(/categorical_crossentropy: .*yTrue \[4\] and yPred \[4,10\].*sparse_categorical_crossentropy/);
    expect(() =>
      new losses.SparseCategoricalCrossentropy().apply(tf.zeros([3], 'int32'), tf.zeros([4, 10])),
    ).toThrow(/sparse_categorical_crossentropy: yTrue of shape \[3\] does not fit yPred of shape \[4,10\]/);
    expect(() =>
      new losses.SparseCategoricalCrossentropy().apply(tf.zeros([4, 10]), tf.zeros([4, 10])),
    ).toThrow(/yTrue of shape \[4,10\] does not fit yPred of shape \[4,10\].*categorical_crossentropy/);
  });

  it('labels outside [0, numClasses) or fractional are rejected', () => {
    const scce = new losses.SparseCategoricalCrossentropy({ fromLogits: true });
    expect(() => scce.apply([0, 10], tf.zeros([2, 10]))).toThrow(
      /label 10 is outside the valid range \[0, 10\)/,
    );
    expect(() => scce.apply([0, -1], tf.zeros([2, 10]))).toThrow(/label -1 is outside/);
    expect(() => scce.apply(tf.tensor([0.5, 1]), tf.zeros([2, 10]))).toThrow(
      /integer class indices, got 0.5/,
    );
  });

  it('sample weights of the wrong shape are named', () => {
    expect(() => new losses.MeanSquaredError().apply(tf.zeros([4, 3]), tf.zeros([4, 3]), [1, 2, 3])).toThrow(
      /mean_squared_error: sampleWeight of shape \[3\] does not match the per-sample values of shape \[4\]/,
    );
  });

  it('option values are checked', () => {
    expect(() => new losses.BinaryCrossentropy({ labelSmoothing: 2 })).toThrow(
      /labelSmoothing must be a number in \[0, 1\]/,
    );
    expect(() => new losses.Huber({ delta: -1 })).toThrow(/delta must be a finite number >= 0/);
  });

  it('a Loss subclass without call says so', () => {
    class Empty extends losses.Loss {}
    expect(() => new Empty().apply([1], [1])).toThrow(/Empty.call: not implemented/);
  });
});

// ---------------------------------------------------------------------------------- resolver

describe('losses.get', () => {
  it('resolves Keras names, camelCase, class names and aliases to instances', () => {
    const pairs: [string, new () => losses.Loss][] = [
      ['mse', losses.MeanSquaredError],
      ['mean_squared_error', losses.MeanSquaredError],
      ['meanSquaredError', losses.MeanSquaredError],
      ['MeanSquaredError', losses.MeanSquaredError],
      ['mae', losses.MeanAbsoluteError],
      ['mape', losses.MeanAbsolutePercentageError],
      ['msle', losses.MeanSquaredLogarithmicError],
      ['huber', losses.Huber],
      ['log_cosh', losses.LogCosh],
      ['logcosh', losses.LogCosh],
      ['binary_crossentropy', losses.BinaryCrossentropy],
      ['categorical_crossentropy', losses.CategoricalCrossentropy],
      ['sparse_categorical_crossentropy', losses.SparseCategoricalCrossentropy],
      ['kl_divergence', losses.KLDivergence],
      ['kld', losses.KLDivergence],
      ['poisson', losses.Poisson],
      ['cosine_similarity', losses.CosineSimilarity],
      ['hinge', losses.Hinge],
    ];
    for (const [name, cls] of pairs) expect(losses.get(name), name).toBeInstanceOf(cls);
    expect(losses.get('mse').name).toBe('mean_squared_error');
    expect(losses.get('huber').name).toBe('huber_loss');
  });

  it('passes a Loss through and wraps a function', () => {
    const l = new losses.Huber({ delta: 2 });
    expect(losses.get(l)).toBe(l);
    const wrapped = losses.get(function myLoss(t: tf.Tensor, p: tf.Tensor) {
      return tf.abs(t.sub(p)).sum(-1);
    });
    expect(wrapped).toBeInstanceOf(losses.LossFunctionWrapper);
    expect(wrapped.name).toBe('my_loss');
    expect(value(wrapped.apply([[1, 2]], [[0, 0]]))).toBeCloseTo(3, 6);
  });

  it('unknown names throw, suggesting the closest and listing the known ones', () => {
    expect(() => losses.get('msee')).toThrow(/losses.get: unknown loss 'msee'. Did you mean 'mse'\?/);
    expect(() => losses.get('nonsense_loss')).toThrow(
      /Known losses: .*binary_crossentropy.*mse.*sparse_categorical_crossentropy/,
    );
    expect(() => losses.get(42 as never)).toThrow(TypeError);
  });

  it('getConfig / fromConfig and serialize / deserialize round-trip', () => {
    const l = new losses.SparseCategoricalCrossentropy({ fromLogits: true, reduction: 'sum', name: 'xent' });
    expect(l.getConfig()).toEqual({
      reduction: 'sum',
      name: 'xent',
      fromLogits: true,
      axis: -1,
      ignoreClass: null,
      labelSmoothing: 0,
    });
    const copy = losses.SparseCategoricalCrossentropy.fromConfig(l.getConfig());
    expect(copy).toBeInstanceOf(losses.SparseCategoricalCrossentropy);
    expect(copy.getConfig()).toEqual(l.getConfig());
    const again = losses.deserialize(losses.serialize(new losses.Huber({ delta: 0.25 })));
    expect(again).toBeInstanceOf(losses.Huber);
    expect((again as losses.Huber).delta).toBe(0.25);
    expect(losses.get({ className: 'BinaryCrossentropy', config: { fromLogits: true } })).toBeInstanceOf(
      losses.BinaryCrossentropy,
    );
  });
});

// ------------------------------------------------------------------------- seed 003's custom loss

describe("seed 003's custom loss", () => {
  // As the notes write it: class CustomMSE(keras.losses.Loss) with call = reduce_mean(square(y_true - y_pred)).
  class CustomMSE extends losses.Loss {
    override call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
      let L = tf.square(yTrue.sub(yPred));
      L = tf.reduceMean(L);
      return L;
    }
  }

  it('apply reduces the (already scalar) value and matches the built-in MSE', () => {
    const yTrue = f64([
      [1, 2],
      [3, 4],
    ]);
    const yPred = f64([
      [1.5, 2],
      [2, 5],
    ]);
    const custom = new CustomMSE();
    expect(custom.name).toBe('custom_mse');
    expect(value(custom.apply(yTrue, yPred))).toBeCloseTo(
      value(new losses.MeanSquaredError().apply(yTrue, yPred)),
      12,
    );
  });

  it('trains: gradients flow through a custom loss on a tape', () => {
    const w = tf.variable(tf.tensor([[0.0], [0.0]]));
    const x = tf.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const y = x.matmul(tf.tensor([[1], [-1]]));
    const loss = new CustomMSE();
    const history: number[] = [];
    for (let i = 0; i < 100; i++) {
      const tape = new tf.GradientTape();
      const l = tape.record(() => loss.apply(y, x.matmul(w)));
      history.push(value(l));
      const [g] = tape.gradient(l, [w]);
      w.assignSub(g!.mul(0.02));
    }
    for (let i = 1; i < history.length; i++) expect(history[i]).toBeLessThan(history[i - 1]!);
    expect(history.at(-1)!).toBeLessThan(history[0]! / 5);
  });

  it('a custom loss with options keeps them in getConfig', () => {
    class ScaledMSE extends losses.Loss {
      readonly scale: number;
      constructor(options: losses.LossOptions & { scale?: number } = {}) {
        super(options);
        this.scale = options.scale ?? 1;
      }
      override call(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
        return tf.mean(tf.square(yTrue.sub(yPred)), -1).mul(this.scale);
      }
      override getConfig(): losses.LossConfig {
        return { ...super.getConfig(), scale: this.scale };
      }
    }
    const l = new ScaledMSE({ scale: 3 });
    const copy = losses.deserialize(losses.serialize(l), { ScaledMSE });
    expect(copy).toBeInstanceOf(ScaledMSE);
    expect((copy as ScaledMSE).scale).toBe(3);
    expect(value(copy.apply([[0, 0]], [[1, 1]]))).toBeCloseTo(3, 6);
  });
});

describe('the spelling of API.md (tf.keras.losses / tf.keras.metrics)', () => {
  it('SparseCategoricalCrossentropy from logits and SparseCategoricalAccuracy through tf.keras', () => {
    const lossFn = new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });
    const acc = new tf.keras.metrics.SparseCategoricalAccuracy();
    const yb = tf.tensor([2, 0, 1], { dtype: 'int32' });
    const logits = tf.tensor([
      [0.1, 0.2, 2.0],
      [1.5, 0.3, 0.2],
      [0.9, 0.4, 0.1],
    ]);
    const want =
      -(
        Math.log(Math.exp(2) / (Math.exp(0.1) + Math.exp(0.2) + Math.exp(2))) +
        Math.log(Math.exp(1.5) / (Math.exp(1.5) + Math.exp(0.3) + Math.exp(0.2))) +
        Math.log(Math.exp(0.4) / (Math.exp(0.9) + Math.exp(0.4) + Math.exp(0.1)))
      ) / 3;
    expect(value(lossFn.apply(yb, logits))).toBeCloseTo(want, 5);
    acc.updateState(yb, logits);
    expect(value(acc.result())).toBeCloseTo(2 / 3, 6);
    acc.resetState();
    expect(value(acc.result())).toBe(0);
    expect(tf.keras.regularizers.get('l2')).toBeInstanceOf(tf.keras.regularizers.L2);
    expect(tf.keras.initializers.get('glorotUniform')).toBeInstanceOf(tf.keras.initializers.GlorotUniform);
    expect(tf.keras.activations.get('relu')).toBe(tf.keras.activations.relu);
  });
});
