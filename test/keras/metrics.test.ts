/**
 * tf.keras.metrics: Keras's documented examples, every metric against its formula written out here in
 * plain JS (AUC's Riemann sums and Davis-Goadrich PR interpolation included), streaming over batches,
 * sample weights, the resolvers ('accuracy' chosen from shapes and loss) and bad input.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import * as losses from '../../src/keras/losses.js';
import * as metrics from '../../src/keras/metrics.js';

const flat = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);
const value = (t: tf.Tensor): number => flat(t)[0]!;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sumOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const argmax = (row: number[]) => row.reduce((best, v, i) => (v > row[best]! ? i : best), 0);
const f32 = Math.fround;

// --------------------------------------------------------------------------- documented examples

describe("Keras's documented examples", () => {
  it('Accuracy: 0.75, weighted 0.5', () => {
    const m = new metrics.Accuracy();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]]);
    expect(value(m.result())).toBeCloseTo(0.75, 6);
    m.resetState();
    m.updateState([[1], [2], [3], [4]], [[0], [2], [3], [4]], [1, 1, 0, 0]);
    expect(value(m.result())).toBeCloseTo(0.5, 6);
  });

  it('BinaryAccuracy: 0.75, weighted 0.5', () => {
    const m = new metrics.BinaryAccuracy();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]]);
    expect(value(m.result())).toBeCloseTo(0.75, 6);
    m.resetState();
    m.updateState([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]], [1, 0, 0, 1]);
    expect(value(m.result())).toBeCloseTo(0.5, 6);
  });

  it('CategoricalAccuracy and SparseCategoricalAccuracy: 0.5, weighted 0.3', () => {
    const p = [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ];
    const c = new metrics.CategoricalAccuracy();
    c.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      p,
    );
    expect(value(c.result())).toBeCloseTo(0.5, 6);
    c.resetState();
    c.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      p,
      [0.7, 0.3],
    );
    expect(value(c.result())).toBeCloseTo(0.3, 6);
    const s = new metrics.SparseCategoricalAccuracy();
    const ps = [
      [0.1, 0.6, 0.3],
      [0.05, 0.95, 0],
    ];
    s.updateState([[2], [1]], ps);
    expect(value(s.result())).toBeCloseTo(0.5, 6);
    s.resetState();
    s.updateState([[2], [1]], ps, [0.7, 0.3]);
    expect(value(s.result())).toBeCloseTo(0.3, 6);
  });

  it('TopKCategoricalAccuracy(k=1): 0.5, weighted 0.3; SparseTopKCategoricalAccuracy(k=1) the same', () => {
    const p = [
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ];
    const m = new metrics.TopKCategoricalAccuracy({ k: 1 });
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      p,
    );
    expect(value(m.result())).toBeCloseTo(0.5, 6);
    m.resetState();
    m.updateState(
      [
        [0, 0, 1],
        [0, 1, 0],
      ],
      p,
      [0.7, 0.3],
    );
    expect(value(m.result())).toBeCloseTo(0.3, 6);
    const s = new metrics.SparseTopKCategoricalAccuracy({ k: 1 });
    s.updateState([2, 1], p, [0.7, 0.3]);
    expect(value(s.result())).toBeCloseTo(0.3, 6);
  });

  it('Precision: 0.667, weighted 1; top_k=2 gives 0, top_k=4 gives 0.5; Recall 0.667, weighted 1', () => {
    const p = new metrics.Precision();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expect(value(p.result())).toBeCloseTo(2 / 3, 6);
    p.resetState();
    p.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expect(value(p.result())).toBeCloseTo(1, 6);
    const top2 = new metrics.Precision({ topK: 2 });
    top2.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expect(value(top2.result())).toBeCloseTo(0, 6);
    const top4 = new metrics.Precision({ topK: 4 });
    top4.updateState([0, 0, 1, 1], [1, 1, 1, 1]);
    expect(value(top4.result())).toBeCloseTo(0.5, 6);
    const r = new metrics.Recall();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1]);
    expect(value(r.result())).toBeCloseTo(2 / 3, 6);
    r.resetState();
    r.updateState([0, 1, 1, 1], [1, 0, 1, 1], [0, 0, 1, 0]);
    expect(value(r.result())).toBeCloseTo(1, 6);
  });

  it('AUC(numThresholds 3): 0.75, weighted 1', () => {
    const m = new metrics.AUC({ numThresholds: 3 });
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]);
    expect(value(m.result())).toBeCloseTo(0.75, 6);
    m.resetState();
    m.updateState([0, 0, 1, 1], [0, 0.5, 0.3, 0.9], [1, 0, 0, 1]);
    expect(value(m.result())).toBeCloseTo(1, 6);
  });

  it('Mean 4, weighted 2; Sum 16', () => {
    const m = new metrics.Mean();
    m.updateState([1, 3, 5, 7]);
    expect(value(m.result())).toBe(4);
    m.resetState();
    m.updateState([1, 3, 5, 7], [1, 1, 0, 0]);
    expect(value(m.result())).toBe(2);
    const s = new metrics.Sum();
    s.updateState([1, 3, 5, 7]);
    expect(value(s.result())).toBe(16);
  });

  it('MeanSquaredError / MeanAbsoluteError 0.25, weighted 0.5; RootMeanSquaredError 0.5, weighted 0.707', () => {
    const t = [
      [0, 1],
      [0, 0],
    ];
    const p = [
      [1, 1],
      [0, 0],
    ];
    for (const Cls of [metrics.MeanSquaredError, metrics.MeanAbsoluteError]) {
      const m = new Cls();
      m.updateState(t, p);
      expect(value(m.result())).toBeCloseTo(0.25, 6);
      m.resetState();
      m.updateState(t, p, [1, 0]);
      expect(value(m.result())).toBeCloseTo(0.5, 6);
    }
    const r = new metrics.RootMeanSquaredError();
    r.updateState(t, p);
    expect(value(r.result())).toBeCloseTo(0.5, 6);
    r.resetState();
    r.updateState(t, p, [1, 0]);
    expect(value(r.result())).toBeCloseTo(Math.SQRT1_2, 6);
  });
});

// ----------------------------------------------------------------- against the written-out formulas

describe('every metric against its formula', () => {
  const rand = lcg(11);
  const N = 40;
  const C = 5;
  const logits = Array.from({ length: N }, () => Array.from({ length: C }, () => rand() * 4 - 2));
  const probs = logits.map((row) => {
    const e = row.map(Math.exp);
    const s = sumOf(e);
    return e.map((v) => v / s);
  });
  const labels = Array.from({ length: N }, () => Math.floor(rand() * C));
  const onehot = labels.map((k) => Array.from({ length: C }, (_, j) => (j === k ? 1 : 0)));
  const weights = Array.from({ length: N }, () => rand() * 2);
  const weightedMean = (vals: number[], w: number[] | null) =>
    w ? sumOf(vals.map((v, i) => v * w[i]!)) / sumOf(w) : sumOf(vals) / vals.length;

  /** Feeds the data in batches of `batch` and returns the result. */
  function streamed(m: metrics.Metric, t: unknown[], p: unknown[], w: number[] | null, batch = 7): number[] {
    for (let i = 0; i < t.length; i += batch) {
      m.updateState(
        t.slice(i, i + batch) as never,
        p.slice(i, i + batch) as never,
        w ? w.slice(i, i + batch) : null,
      );
    }
    return flat(m.result());
  }

  for (const w of [null, weights]) {
    const tag = w ? 'weighted' : 'unweighted';

    it(`SparseCategoricalAccuracy / CategoricalAccuracy, ${tag}, streamed in batches`, () => {
      const hits = labels.map((k, i) => (argmax(probs[i]!) === k ? 1 : 0));
      const want = weightedMean(hits, w);
      expect(streamed(new metrics.SparseCategoricalAccuracy(), labels, probs, w)[0]).toBeCloseTo(want, 6);
      expect(streamed(new metrics.CategoricalAccuracy(), onehot, probs, w)[0]).toBeCloseTo(want, 6);
      // Keras's documented [N, 1] labels.
      expect(
        streamed(
          new metrics.SparseCategoricalAccuracy(),
          labels.map((k) => [k]),
          probs,
          w,
        )[0],
      ).toBeCloseTo(want, 6);
    });

    it(`TopKCategoricalAccuracy (k = 1, 2, 3, 5), ${tag}`, () => {
      for (const k of [1, 2, 3, 5]) {
        const hits = labels.map((c, i) => (probs[i]!.filter((v) => v > probs[i]![c]!).length < k ? 1 : 0));
        const want = weightedMean(hits, w);
        expect(
          streamed(new metrics.TopKCategoricalAccuracy({ k }), onehot, probs, w)[0],
          `k=${k}`,
        ).toBeCloseTo(want, 6);
        expect(streamed(new metrics.SparseTopKCategoricalAccuracy({ k }), labels, probs, w)[0]).toBeCloseTo(
          want,
          6,
        );
      }
    });

    it(`BinaryAccuracy (thresholds 0.5 and 0.3) and Accuracy, ${tag}`, () => {
      const yb = onehot;
      for (const threshold of [0.5, 0.3]) {
        const perSample = yb.map(
          (row, i) => sumOf(row.map((y, j) => (y === (probs[i]![j]! > threshold ? 1 : 0) ? 1 : 0))) / C,
        );
        expect(streamed(new metrics.BinaryAccuracy({ threshold }), yb, probs, w)[0]).toBeCloseTo(
          weightedMean(perSample, w),
          6,
        );
      }
      const rounded = probs.map((row) => row.map((v) => (v > 0.2 ? 1 : 0)));
      const perElement = yb.flatMap((row, i) => row.map((y, j) => (y === rounded[i]![j] ? 1 : 0)));
      const ew = w ? w.flatMap((x) => new Array(C).fill(x)) : null;
      expect(streamed(new metrics.Accuracy(), yb, rounded, w)[0]).toBeCloseTo(
        weightedMean(perElement, ew),
        6,
      );
    });

    it(`MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError, MAPE, MSLE, ${tag}`, () => {
      const t = onehot;
      const p = probs;
      const rowMean = (f: (a: number, b: number) => number) =>
        t.map((row, i) => sumOf(row.map((a, j) => f(a, p[i]![j]!))) / C);
      const mse = weightedMean(
        rowMean((a, b) => (a - b) ** 2),
        w,
      );
      expect(streamed(new metrics.MeanSquaredError(), t, p, w)[0]).toBeCloseTo(mse, 6);
      expect(streamed(new metrics.RootMeanSquaredError(), t, p, w)[0]).toBeCloseTo(Math.sqrt(mse), 6);
      expect(streamed(new metrics.MeanAbsoluteError(), t, p, w)[0]).toBeCloseTo(
        weightedMean(
          rowMean((a, b) => Math.abs(a - b)),
          w,
        ),
        6,
      );
      const msle = rowMean((a, b) => (Math.log1p(Math.max(b, 1e-7)) - Math.log1p(Math.max(a, 1e-7))) ** 2);
      expect(streamed(new metrics.MeanSquaredLogarithmicError(), t, p, w)[0]).toBeCloseTo(
        weightedMean(msle, w),
        6,
      );
      const pt = p.map((row) => row.map((v) => v + 0.5));
      const mape = t.map(
        (row, i) => (100 * sumOf(row.map((a, j) => Math.abs(a + 0.5 - pt[i]![j]!) / (a + 0.5)))) / C,
      );
      expect(
        streamed(
          new metrics.MeanAbsolutePercentageError(),
          t.map((row) => row.map((a) => a + 0.5)),
          pt,
          w,
        )[0],
      ).toBeCloseTo(weightedMean(mape, w), 4);
    });

    it(`cross-entropy, KL, Poisson, hinge and cosine metrics are the weighted means of the losses, ${tag}`, () => {
      const pairs: [metrics.Metric, losses.Loss, unknown[], unknown[]][] = [
        [new metrics.CategoricalCrossentropy(), new losses.CategoricalCrossentropy(), onehot, probs],
        [
          new metrics.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
          new losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
          onehot,
          logits,
        ],
        [
          new metrics.SparseCategoricalCrossentropy({ fromLogits: true }),
          new losses.SparseCategoricalCrossentropy({ fromLogits: true }),
          labels,
          logits,
        ],
        [new metrics.BinaryCrossentropy(), new losses.BinaryCrossentropy(), onehot, probs],
        [new metrics.KLDivergence(), new losses.KLDivergence(), probs.slice().reverse(), probs],
        [new metrics.Poisson(), new losses.Poisson(), onehot, probs],
        [new metrics.Hinge(), new losses.Hinge(), onehot, logits],
        [new metrics.SquaredHinge(), new losses.SquaredHinge(), onehot, logits],
        [new metrics.CategoricalHinge(), new losses.CategoricalHinge(), onehot, logits],
        [new metrics.LogCoshError(), new losses.LogCosh(), onehot, logits],
      ];
      for (const [metric, loss, t, p] of pairs) {
        const per = flat(
          new (loss.constructor as new (o: object) => losses.Loss)({
            ...loss.getConfig(),
            reduction: 'none',
          }).apply(t as never, p as never),
        );
        expect(streamed(metric, t, p, w)[0], metric.name).toBeCloseTo(weightedMean(per, w), 5);
      }
      const cos = new metrics.CosineSimilarity();
      const perCos = flat(new losses.CosineSimilarity({ reduction: 'none' }).apply(onehot, logits)).map(
        (v) => -v,
      );
      expect(streamed(cos, onehot, logits, w)[0]).toBeCloseTo(weightedMean(perCos, w), 5);
    });
  }

  it('Mean with [N, K] values and [N] weights averages each row first (Keras)', () => {
    const m = new metrics.Mean();
    m.updateState(
      [
        [1, 3],
        [5, 7],
      ],
      [1, 3],
    );
    // Weights broadcast to [[1, 1], [3, 3]]: (1 + 3 + 15 + 21) / 8.
    expect(value(m.result())).toBeCloseTo(40 / 8, 6);
    const s = new metrics.Sum();
    s.updateState(
      [
        [1, 3],
        [5, 7],
      ],
      [[2], [1]],
    );
    expect(value(s.result())).toBeCloseTo(2 * 4 + 12, 6);
  });
});

// -------------------------------------------------------------------- confusion-matrix metrics

/** Per-threshold weighted counts written out directly: positive prediction when p > threshold. */
function counts(yTrue: number[], yPred: number[], thresholds: number[], w: number[] | null) {
  return thresholds.map((th) => {
    let tp = 0;
    let fp = 0;
    let tn = 0;
    let fn = 0;
    yTrue.forEach((y, i) => {
      const pos = f32(yPred[i]!) > f32(th);
      const wi = w ? w[i]! : 1;
      if (y && pos) tp += wi;
      else if (!y && pos) fp += wi;
      else if (!y && !pos) tn += wi;
      else fn += wi;
    });
    return { tp, fp, tn, fn };
  });
}

const div0 = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** Keras's AUC from per-threshold counts (thresholds ascending), written from its documented formulas. */
function aucOf(
  c: { tp: number; fp: number; tn: number; fn: number }[],
  curve: 'ROC' | 'PR',
  method: 'interpolation' | 'minoring' | 'majoring',
): number {
  let total = 0;
  for (let i = 0; i + 1 < c.length; i++) {
    const a = c[i]!;
    const b = c[i + 1]!;
    if (curve === 'PR' && method === 'interpolation') {
      const dtp = a.tp - b.tp;
      const pA = a.tp + a.fp;
      const pB = b.tp + b.fp;
      const slope = div0(dtp, Math.max(pA - pB, 0));
      const intercept = b.tp - slope * pB;
      const ratio = pA > 0 && pB > 0 ? div0(pA, pB) : 1;
      total += div0(slope * (dtp + intercept * Math.log(ratio)), b.tp + b.fn);
      continue;
    }
    const recallA = div0(a.tp, a.tp + a.fn);
    const recallB = div0(b.tp, b.tp + b.fn);
    const [xA, xB, yA, yB] =
      curve === 'ROC'
        ? [div0(a.fp, a.fp + a.tn), div0(b.fp, b.fp + b.tn), recallA, recallB]
        : [recallA, recallB, div0(a.tp, a.tp + a.fp), div0(b.tp, b.tp + b.fp)];
    const h =
      method === 'interpolation'
        ? (yA + yB) / 2
        : method === 'minoring'
          ? Math.min(yA, yB)
          : Math.max(yA, yB);
    total += (xA - xB) * h;
  }
  return total;
}

function kerasThresholds(n: number): number[] {
  const t = [-1e-7];
  for (let i = 1; i < n - 1; i++) t.push(i / (n - 1));
  t.push(1 + 1e-7);
  return t;
}

describe('Precision, Recall, TruePositives..., AUC against the written-out counts', () => {
  const rand = lcg(5);
  const N = 300;
  const yTrue = Array.from({ length: N }, () => (rand() < 0.4 ? 1 : 0));
  // Informative but noisy scores, some exactly on thresholds.
  const yPred = yTrue.map((y) => {
    const r = rand();
    if (r < 0.05) return 0.5;
    if (r < 0.08) return 0;
    return Math.min(1, Math.max(0, 0.35 * y + 0.65 * rand()));
  });
  const w = Array.from({ length: N }, () => rand() * 2);

  it('Precision and Recall at several thresholds (vector result), weighted and not', () => {
    const thresholds = [0.1, 0.5, 0.35, 0.9];
    for (const weights of [null, w]) {
      const c = counts(yTrue, yPred, thresholds, weights);
      const p = new metrics.Precision({ thresholds });
      p.updateState(yTrue.slice(0, 100), yPred.slice(0, 100), weights?.slice(0, 100));
      p.updateState(yTrue.slice(100), yPred.slice(100), weights?.slice(100));
      const got = flat(p.result());
      expect(got.length).toBe(4);
      got.forEach((v, j) => {
        expect(v).toBeCloseTo(div0(c[j]!.tp, c[j]!.tp + c[j]!.fp), 5);
      });
      const r = new metrics.Recall({ thresholds });
      r.updateState(yTrue, yPred, weights);
      flat(r.result()).forEach((v, j) => {
        expect(v).toBeCloseTo(div0(c[j]!.tp, c[j]!.tp + c[j]!.fn), 5);
      });
      const tp = new metrics.TruePositives({ thresholds });
      const fp = new metrics.FalsePositives({ thresholds });
      const tn = new metrics.TrueNegatives({ thresholds });
      const fn = new metrics.FalseNegatives({ thresholds });
      for (const m of [tp, fp, tn, fn]) m.updateState(yTrue, yPred, weights);
      for (const [j, v] of flat(tp.result()).entries()) expect(v).toBeCloseTo(c[j]!.tp, 3);
      for (const [j, v] of flat(fp.result()).entries()) expect(v).toBeCloseTo(c[j]!.fp, 3);
      for (const [j, v] of flat(tn.result()).entries()) expect(v).toBeCloseTo(c[j]!.tn, 3);
      for (const [j, v] of flat(fn.result()).entries()) expect(v).toBeCloseTo(c[j]!.fn, 3);
    }
  });

  it('Precision/Recall with classId score one column; topK keeps the k largest per row', () => {
    const t = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [1, 0, 0],
    ];
    const p = [
      [0.7, 0.6, 0.1],
      [0.2, 0.9, 0.8],
      [0.6, 0.3, 0.2],
      [0.4, 0.45, 0.1],
    ];
    const r0 = new metrics.Recall({ classId: 0 });
    r0.updateState(t, p);
    expect(value(r0.result())).toBeCloseTo(0.5, 6); // column 0: labels [1,0,0,1], preds [0.7,0.2,0.6,0.4]
    const p0 = new metrics.Precision({ classId: 0 });
    p0.updateState(t, p);
    expect(value(p0.result())).toBeCloseTo(0.5, 6);
    const top1 = new metrics.Precision({ topK: 1 });
    top1.updateState(t, p);
    // Row maxima: 0.7 (hit), 0.9 (hit), 0.6 (miss), 0.45 (miss).
    expect(value(top1.result())).toBeCloseTo(0.5, 6);
  });

  for (const curve of ['ROC', 'PR'] as const) {
    for (const method of ['interpolation', 'minoring', 'majoring'] as const) {
      it(`AUC ${curve} ${method} (200 thresholds), weighted and not, streamed`, () => {
        for (const weights of [null, w]) {
          const want = aucOf(counts(yTrue, yPred, kerasThresholds(200), weights), curve, method);
          const m = new metrics.AUC({ curve, summationMethod: method });
          for (let i = 0; i < N; i += 64)
            m.updateState(yTrue.slice(i, i + 64), yPred.slice(i, i + 64), weights?.slice(i, i + 64));
          expect(value(m.result())).toBeCloseTo(want, 5);
        }
      });
    }
  }

  it('ROC AUC with 200 thresholds is close to the exact AUC (Mann-Whitney); explicit thresholds work', () => {
    let pairs = 0;
    let wins = 0;
    const cont = yTrue.map(() => rand());
    const score = yTrue.map((y, i) => Math.min(1, Math.max(0, 0.3 * y + 0.7 * cont[i]!)));
    for (const [i, a] of yTrue.entries()) {
      for (const [j, b] of yTrue.entries()) {
        if (a === 1 && b === 0) {
          pairs++;
          wins += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
        }
      }
    }
    const m = new metrics.AUC();
    m.updateState(yTrue, score);
    expect(Math.abs(value(m.result()) - wins / pairs)).toBeLessThan(0.005);
    const explicit = new metrics.AUC({ thresholds: [0.75, 0.25, 0.5] });
    explicit.updateState(yTrue, score);
    expect(explicit.thresholds).toEqual([-1e-7, 0.25, 0.5, 0.75, 1 + 1e-7]);
    expect(value(explicit.result())).toBeCloseTo(
      aucOf(counts(yTrue, score, explicit.thresholds, null), 'ROC', 'interpolation'),
      5,
    );
  });

  it('AUC: a perfect ranking gives 1, fromLogits applies a sigmoid, multiLabel averages per-label curves', () => {
    const perfect = new metrics.AUC();
    perfect.updateState([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]);
    expect(value(perfect.result())).toBeCloseTo(1, 6);
    const logits = yPred.map((p) => Math.log((p + 0.01) / (1.01 - p)));
    const fromLogits = new metrics.AUC({ fromLogits: true });
    fromLogits.updateState(yTrue, logits);
    const sig = logits.map((x) => 1 / (1 + Math.exp(-x)));
    expect(value(fromLogits.result())).toBeCloseTo(
      aucOf(counts(yTrue, sig, kerasThresholds(200), null), 'ROC', 'interpolation'),
      5,
    );

    const L = 3;
    const t2 = Array.from({ length: 100 }, (_, i) =>
      Array.from({ length: L }, (_, l) => yTrue[(i * L + l) % N]!),
    );
    const p2 = Array.from({ length: 100 }, (_, i) =>
      Array.from({ length: L }, (_, l) => yPred[(i * L + l) % N]!),
    );
    const perLabel = Array.from({ length: L }, (_, l) =>
      aucOf(
        counts(
          t2.map((r) => r[l]!),
          p2.map((r) => r[l]!),
          kerasThresholds(200),
          null,
        ),
        'ROC',
        'interpolation',
      ),
    );
    const multi = new metrics.AUC({ multiLabel: true });
    multi.updateState(t2, p2);
    expect(value(multi.result())).toBeCloseTo(sumOf(perLabel) / L, 5);
    const weighted = new metrics.AUC({ multiLabel: true, labelWeights: [1, 0, 3] });
    weighted.updateState(t2, p2);
    expect(value(weighted.result())).toBeCloseTo((perLabel[0]! + 3 * perLabel[2]!) / 4, 5);
    // Pooled (not multiLabel) equals the AUC of the flattened data.
    const pooled = new metrics.AUC();
    pooled.updateState(t2, p2);
    expect(value(pooled.result())).toBeCloseTo(
      aucOf(counts(t2.flat(), p2.flat(), kerasThresholds(200), null), 'ROC', 'interpolation'),
      5,
    );
  });

  it('results are 0 before any update and after a reset; resetStates is resetState', () => {
    for (const m of [
      new metrics.AUC(),
      new metrics.Precision(),
      new metrics.Mean(),
      new metrics.SparseCategoricalAccuracy(),
    ]) {
      expect(value(m.result())).toBe(0);
    }
    const m = new metrics.AUC();
    m.updateState([0, 1], [0.2, 0.7]);
    expect(value(m.result())).toBeGreaterThan(0);
    m.resetStates();
    expect(value(m.result())).toBe(0);
    const acc = new metrics.SparseCategoricalAccuracy();
    expect(value(acc.apply([1], [[0.1, 0.9]]))).toBe(1);
    expect(value(acc.apply([0], [[0.1, 0.9]]))).toBe(0.5);
  });
});

// ------------------------------------------------------------------------------ custom metrics

describe('custom metrics', () => {
  it('MeanMetricWrapper averages a per-sample function', () => {
    const maxError = (t: tf.Tensor, p: tf.Tensor) => tf.max(tf.abs(t.sub(p)), -1);
    const m = new metrics.MeanMetricWrapper(maxError, { name: 'max_error' });
    m.updateState(
      [
        [0, 1],
        [2, 2],
      ],
      [
        [0.5, 1],
        [0, 2],
      ],
    );
    expect(m.name).toBe('max_error');
    expect(value(m.result())).toBeCloseTo((0.5 + 2) / 2, 6);
    expect(metrics.get(maxError).name).toBe('max_error');
  });

  it('a Metric subclass with addWeight state (the Keras pattern) resets through the default resetState', () => {
    class CountPositives extends metrics.Metric {
      readonly count = this.addWeight('count');
      override updateState(_yTrue: tf.TensorLike, yPred?: tf.TensorLike | null): void {
        const p = tf.tensor(yPred as never);
        this.count.assignAdd(tf.sum(tf.cast(tf.greater(p, 0.5), 'float32')));
      }
      override result(): tf.Tensor {
        return this.count;
      }
    }
    const m = new CountPositives();
    expect(m.name).toBe('count_positives');
    m.updateState([0], [0.7, 0.2, 0.9]);
    m.updateState([0], [0.6]);
    expect(value(m.result())).toBe(3);
    m.resetState();
    expect(value(m.result())).toBe(0);
    expect(m.variables.length).toBe(1);
  });
});

// ------------------------------------------------------------------------------------ resolvers

describe('metrics.get and metrics.resolve', () => {
  it('resolves names (keeping the given name), class names and instances', () => {
    expect(metrics.get('mse')).toBeInstanceOf(metrics.MeanSquaredError);
    expect(metrics.get('mse').name).toBe('mse');
    expect(metrics.get('mean_absolute_error')).toBeInstanceOf(metrics.MeanAbsoluteError);
    expect(metrics.get('acc')).toBeInstanceOf(metrics.Accuracy);
    expect(metrics.get('AUC')).toBeInstanceOf(metrics.AUC);
    expect(metrics.get('AUC').name).toBe('auc');
    expect(metrics.get('sparse_categorical_accuracy')).toBeInstanceOf(metrics.SparseCategoricalAccuracy);
    expect(metrics.get('RootMeanSquaredError')).toBeInstanceOf(metrics.RootMeanSquaredError);
    const m = new metrics.Recall();
    expect(metrics.get(m)).toBe(m);
  });

  it("resolve picks Keras's accuracy from the shapes, or from the loss", () => {
    const kind = (ctx: metrics.ResolveContext) => metrics.resolve('accuracy', ctx).constructor;
    expect(kind({ yTrueShape: [null, 1], yPredShape: [null, 1] })).toBe(metrics.BinaryAccuracy);
    expect(kind({ yTrueShape: [null], yPredShape: [null, 10] })).toBe(metrics.SparseCategoricalAccuracy);
    expect(kind({ yTrueShape: [null, 1], yPredShape: [null, 10] })).toBe(metrics.SparseCategoricalAccuracy);
    expect(kind({ yTrueShape: [null, 10], yPredShape: [null, 10] })).toBe(metrics.CategoricalAccuracy);
    expect(kind({ loss: 'sparse_categorical_crossentropy' })).toBe(metrics.SparseCategoricalAccuracy);
    expect(kind({ loss: new losses.BinaryCrossentropy() })).toBe(metrics.BinaryAccuracy);
    expect(kind({ loss: 'categorical_crossentropy', yPredShape: [null, 3] })).toBe(
      metrics.CategoricalAccuracy,
    );
    expect(metrics.resolve('acc', { yPredShape: [null, 1] }).name).toBe('acc');
    expect(metrics.resolve('crossentropy', { loss: 'sparse_categorical_crossentropy' })).toBeInstanceOf(
      metrics.SparseCategoricalCrossentropy,
    );
    expect(metrics.resolve('mae')).toBeInstanceOf(metrics.MeanAbsoluteError);
  });

  it('serialize / deserialize and getConfig round-trip', () => {
    const auc = new metrics.AUC({ numThresholds: 50, curve: 'PR', name: 'pr_auc' });
    const copy = metrics.deserialize(metrics.serialize(auc)) as metrics.AUC;
    expect(copy).toBeInstanceOf(metrics.AUC);
    expect(copy.getConfig()).toEqual(auc.getConfig());
    expect(new metrics.Precision({ thresholds: [0.2, 0.8] }).getConfig()).toMatchObject({
      thresholds: [0.2, 0.8],
    });
  });

  it('unknown names throw, suggesting the closest and listing the known ones', () => {
    expect(() => metrics.get('acuracy')).toThrow(
      /metrics.get: unknown metric 'acuracy'. Did you mean 'accuracy'\?/,
    );
    expect(() => metrics.get('zzz_metric')).toThrow(/Known metrics: .*accuracy.*auc.*mse/);
  });
});

describe('bad input', () => {
  it('label shapes that do not fit name the metric and both shapes', () => {
    expect(() => new metrics.SparseCategoricalAccuracy().updateState([1, 2, 3], tf.zeros([4, 10]))).toThrow(
      /sparse_categorical_accuracy: yTrue of shape \[3\] does not fit yPred of shape \[4,10\]/,
    );
    expect(() => new metrics.CategoricalAccuracy().updateState(tf.zeros([4]), tf.zeros([4, 10]))).toThrow(
      /categorical_accuracy: yTrue and yPred must have the same shape, got yTrue \[4\] and yPred \[4,10\]/,
    );
    expect(() => new metrics.MeanSquaredError().updateState(tf.zeros([4, 2]), tf.zeros([4, 3]))).toThrow(
      /mean_squared_error: .*\[4,2\].*\[4,3\]/,
    );
    expect(() => new metrics.Mean().updateState([1, 2, 3], [1, 2])).toThrow(
      /mean: sampleWeight of shape \[2\] does not match values of shape \[3\]/,
    );
  });

  it('AUC and Precision reject predictions outside [0, 1] and bad thresholds', () => {
    expect(() => new metrics.AUC().updateState([0, 1], [0.5, 1.5])).toThrow(
      /auc: predictions must be in \[0, 1\], got 1.5/,
    );
    expect(() => new metrics.Precision({ thresholds: [1.2] })).toThrow(
      /thresholds must be numbers in \[0, 1\]/,
    );
    expect(() => new metrics.AUC({ numThresholds: 1 })).toThrow(/numThresholds must be an integer > 1/);
    expect(() => new metrics.AUC({ curve: 'XY' as never })).toThrow(/curve must be 'ROC' or 'PR'/);
    expect(() => new metrics.TopKCategoricalAccuracy({ k: 0 })).toThrow(/k must be a positive integer/);
  });
});
