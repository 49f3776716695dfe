import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// tf.optimizers against small float64 references written here, element by element, from Keras's published
// update formulas (keras.io optimizer docs and the papers they cite), not from tapeflow's code.

type O = Record<string, unknown>;
type State = Record<string, number[]>;

/** One element-wise Keras update: mutates p and the state; t is the 1-based step. */
type Ref = {
  slots: (o: O) => Record<string, number>;
  /** Optimizer-wide per-step state (Nadam's momentum product). */
  prepare?: (o: O, t: number, shared: Record<string, number>) => void;
  update: (
    p: number[],
    g: number[],
    s: State,
    o: O,
    t: number,
    lr: number,
    shared: Record<string, number>,
  ) => void;
};

const num = (o: O, k: string, d: number) => (o[k] as number | undefined) ?? d;

const REF: Record<string, Ref> = {
  SGD: {
    slots: (o): Record<string, number> => (num(o, 'momentum', 0) !== 0 ? { momentum: 0 } : {}),
    update(p, g, s, o, _t, lr) {
      const mu = num(o, 'momentum', 0);
      for (let i = 0; i < p.length; i++) {
        if (mu === 0) {
          p[i]! -= lr * g[i]!;
          continue;
        }
        const v = mu * s.momentum![i]! - lr * g[i]!;
        s.momentum![i] = v;
        p[i] = o.nesterov ? p[i]! + mu * v - lr * g[i]! : p[i]! + v;
      }
    },
  },
  Adagrad: {
    slots: (o) => ({ accumulator: num(o, 'initialAccumulatorValue', 0.1) }),
    update(p, g, s, o, _t, lr) {
      const eps = num(o, 'epsilon', 1e-7);
      for (let i = 0; i < p.length; i++) {
        s.accumulator![i]! += g[i]! ** 2;
        p[i]! -= (lr * g[i]!) / Math.sqrt(s.accumulator![i]! + eps);
      }
    },
  },
  RMSprop: {
    slots: () => ({ rms: 0, mg: 0, momentum: 0 }),
    update(p, g, s, o, _t, lr) {
      const rho = num(o, 'rho', 0.9);
      const eps = num(o, 'epsilon', 1e-7);
      const mu = num(o, 'momentum', 0);
      for (let i = 0; i < p.length; i++) {
        s.rms![i] = rho * s.rms![i]! + (1 - rho) * g[i]! ** 2;
        let den = s.rms![i]! + eps;
        if (o.centered) {
          s.mg![i] = rho * s.mg![i]! + (1 - rho) * g[i]!;
          den -= s.mg![i]! ** 2;
        }
        const inc = (lr * g[i]!) / Math.sqrt(den);
        if (mu > 0) {
          s.momentum![i] = mu * s.momentum![i]! + inc;
          p[i]! -= s.momentum![i];
        } else p[i]! -= inc;
      }
    },
  },
  Adadelta: {
    slots: () => ({ accum_grad: 0, accum_var: 0 }),
    update(p, g, s, o, _t, lr) {
      const rho = num(o, 'rho', 0.95);
      const eps = num(o, 'epsilon', 1e-7);
      for (let i = 0; i < p.length; i++) {
        s.accum_grad![i] = rho * s.accum_grad![i]! + (1 - rho) * g[i]! ** 2;
        const dx = (Math.sqrt(s.accum_var![i]! + eps) / Math.sqrt(s.accum_grad![i]! + eps)) * g[i]!;
        s.accum_var![i] = rho * s.accum_var![i]! + (1 - rho) * dx ** 2;
        p[i]! -= lr * dx;
      }
    },
  },
  Adam: {
    slots: () => ({ m: 0, v: 0, vhat: 0 }),
    update(p, g, s, o, t, lr) {
      const b1 = num(o, 'beta1', 0.9);
      const b2 = num(o, 'beta2', 0.999);
      const eps = num(o, 'epsilon', 1e-7);
      const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < p.length; i++) {
        s.m![i] = b1 * s.m![i]! + (1 - b1) * g[i]!;
        s.v![i] = b2 * s.v![i]! + (1 - b2) * g[i]! ** 2;
        let v = s.v![i]!;
        if (o.amsgrad) v = s.vhat![i] = Math.max(s.vhat![i]!, v);
        p[i]! -= (alpha * s.m![i]!) / (Math.sqrt(v) + eps);
      }
    },
  },
  Nadam: {
    slots: () => ({ m: 0, v: 0 }),
    prepare(o, t, shared) {
      const b1 = num(o, 'beta1', 0.9);
      shared.u = b1 * (1 - 0.5 * 0.96 ** t);
      shared.uNext = b1 * (1 - 0.5 * 0.96 ** (t + 1));
      shared.prod = (shared.prod ?? 1) * shared.u;
    },
    update(p, g, s, o, t, lr, shared) {
      const b1 = num(o, 'beta1', 0.9);
      const b2 = num(o, 'beta2', 0.999);
      const eps = num(o, 'epsilon', 1e-7);
      const { u, uNext, prod } = shared as { u: number; uNext: number; prod: number };
      for (let i = 0; i < p.length; i++) {
        s.m![i] = b1 * s.m![i]! + (1 - b1) * g[i]!;
        s.v![i] = b2 * s.v![i]! + (1 - b2) * g[i]! ** 2;
        const mHat = (uNext * s.m![i]!) / (1 - prod * uNext) + ((1 - u) * g[i]!) / (1 - prod);
        const vHat = s.v![i]! / (1 - b2 ** t);
        p[i]! -= (lr * mHat) / (Math.sqrt(vHat) + eps);
      }
    },
  },
  Adamax: {
    slots: () => ({ m: 0, v: 0 }),
    update(p, g, s, o, t, lr) {
      const b1 = num(o, 'beta1', 0.9);
      const b2 = num(o, 'beta2', 0.999);
      const eps = num(o, 'epsilon', 1e-7);
      for (let i = 0; i < p.length; i++) {
        s.m![i] = b1 * s.m![i]! + (1 - b1) * g[i]!;
        s.v![i] = Math.max(b2 * s.v![i]!, Math.abs(g[i]!));
        p[i]! -= (lr * s.m![i]!) / ((1 - b1 ** t) * (s.v![i]! + eps));
      }
    },
  },
  Lion: {
    slots: () => ({ m: 0 }),
    update(p, g, s, o, _t, lr) {
      const b1 = num(o, 'beta1', 0.9);
      const b2 = num(o, 'beta2', 0.99);
      for (let i = 0; i < p.length; i++) {
        p[i]! -= lr * Math.sign(b1 * s.m![i]! + (1 - b1) * g[i]!);
        s.m![i] = b2 * s.m![i]! + (1 - b2) * g[i]!;
      }
    },
  },
};
REF.AdamW = REF.Adam!;

const DEFAULT_LR: Record<string, number> = { SGD: 0.01 };
const DEFAULT_WD: Record<string, number> = { AdamW: 0.004 };

const SHAPES = [[3], [2, 2]];
const INIT = [
  [0.5, -1.2, 2.0],
  [1.5, -0.3, 0.8, -2.2],
];

/** Deterministic gradients with sign changes and varied magnitudes. */
function gradAt(t: number, k: number, i: number): number {
  return Math.sin(1.3 * t + 0.7 * i + 2.1 * k) * (1 + 0.5 * Math.cos(t * (i + 1))) * (k === 0 ? 1 : 3);
}

interface Case {
  name: string;
  options: O;
  steps?: number;
  /** learning rate as a function of the 0-based step for the reference (schedules, changes). */
  lrAt?: (step: number) => number;
  /** applied to the optimizer before step `at` (0-based). */
  change?: { at: number; apply: (opt: tf.optimizers.Optimizer) => void };
  exclude?: number[];
  dtype?: 'float32' | 'float64';
}

/** The reference loop: Keras's base optimizer (clipping, weight decay, schedule) around REF[name]. */
function reference(c: Case): number[][][] {
  const o = c.options;
  const ref = REF[c.name]!;
  const steps = c.steps ?? 25;
  const round = c.dtype === 'float32' ? Math.fround : (x: number) => x;
  const params = INIT.map((p) => p.map(round));
  const slotInit = ref.slots(o);
  const states: State[] = params.map((p) =>
    Object.fromEntries(Object.entries(slotInit).map(([k, v]) => [k, p.map(() => v)])),
  );
  const shared: Record<string, number> = {};
  const lr0 = num(o, 'learningRate', DEFAULT_LR[c.name] ?? 0.001);
  const wd = (o.weightDecay as number | undefined) ?? DEFAULT_WD[c.name] ?? 0;
  const out: number[][][] = [];
  for (let step = 0; step < steps; step++) {
    const lr = c.lrAt ? c.lrAt(step) : lr0;
    let grads = params.map((p, k) => p.map((_, i) => round(gradAt(step, k, i))));
    if (o.clipnorm !== undefined) {
      const cn = o.clipnorm as number;
      grads = grads.map((g) => {
        const n = Math.sqrt(g.reduce((a, x) => a + x * x, 0));
        return g.map((x) => (x * cn) / Math.max(n, cn));
      });
    } else if (o.globalClipnorm !== undefined) {
      const cn = o.globalClipnorm as number;
      const n = Math.sqrt(grads.flat().reduce((a, x) => a + x * x, 0));
      grads = grads.map((g) => g.map((x) => (x * cn) / Math.max(n, cn)));
    } else if (o.clipvalue !== undefined) {
      const cv = o.clipvalue as number;
      grads = grads.map((g) => g.map((x) => Math.min(Math.max(x, -cv), cv)));
    }
    params.forEach((p, k) => {
      if (wd && !c.exclude?.includes(k)) for (let i = 0; i < p.length; i++) p[i]! -= p[i]! * wd * lr;
    });
    ref.prepare?.(o, step + 1, shared);
    params.forEach((p, k) => {
      ref.update(p, grads[k]!, states[k]!, o, step + 1, lr, shared);
    });
    out.push(params.map((p) => [...p]));
  }
  return out;
}

function actual(c: Case, make: () => tf.optimizers.Optimizer): number[][][] {
  const dtype = c.dtype ?? 'float64';
  const vars = INIT.map((p, k) => tf.variable(tf.tensor(p, { dtype }).reshape(SHAPES[k]!)));
  const opt = make();
  if (c.exclude) opt.excludeFromWeightDecay({ varList: c.exclude.map((k) => vars[k]!) });
  const out: number[][][] = [];
  for (let step = 0; step < (c.steps ?? 25); step++) {
    if (c.change?.at === step) c.change.apply(opt);
    const grads = vars.map((_, k) =>
      tf
        .tensor(
          INIT[k]!.map((_, i) => gradAt(step, k, i)),
          { dtype },
        )
        .reshape(SHAPES[k]!),
    );
    opt.applyGradients(vars.map((v, k) => [grads[k]!, v] as const));
    out.push(vars.map((v) => Array.from(v.dataSync())));
  }
  expect(opt.iterations).toBe(c.steps ?? 25);
  return out;
}

function compare(got: number[][][], want: number[][][], tol: number): void {
  let worst = 0;
  want.forEach((stepWant, s) => {
    stepWant.forEach((p, k) => {
      p.forEach((w, i) => {
        const g = got[s]![k]![i]!;
        const err = Math.abs(g - w) / Math.max(Math.abs(w), 1e-3);
        if (!(err <= worst)) worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : Math.max(worst, err);
      });
    });
  });
  expect(worst).toBeLessThan(tol);
}

const CASES: Case[] = [
  { name: 'SGD', options: {} },
  { name: 'SGD', options: { momentum: 0.9 } },
  { name: 'SGD', options: { momentum: 0.9, nesterov: true } },
  { name: 'SGD', options: { learningRate: 0.1, momentum: 0.5, weightDecay: 0.01 } },
  { name: 'SGD', options: { momentum: 0.8, clipvalue: 0.3 } },
  { name: 'Adagrad', options: {} },
  { name: 'Adagrad', options: { learningRate: 0.1, initialAccumulatorValue: 0.5, epsilon: 1e-3 } },
  { name: 'RMSprop', options: {} },
  { name: 'RMSprop', options: { rho: 0.8 } },
  { name: 'RMSprop', options: { momentum: 0.9 } },
  { name: 'RMSprop', options: { centered: true } },
  { name: 'RMSprop', options: { learningRate: 0.01, centered: true, momentum: 0.5 } },
  { name: 'RMSprop', options: { globalClipnorm: 1.0 } },
  { name: 'Adadelta', options: {} },
  { name: 'Adadelta', options: { learningRate: 1.0, rho: 0.9, epsilon: 1e-6 } },
  { name: 'Adam', options: {} },
  { name: 'Adam', options: { amsgrad: true } },
  { name: 'Adam', options: { beta1: 0.8, beta2: 0.99, epsilon: 1e-3 } },
  { name: 'Adam', options: { weightDecay: 0.1, learningRate: 0.05 } },
  { name: 'Adam', options: { clipnorm: 0.5, learningRate: 0.05 } },
  { name: 'AdamW', options: {} },
  { name: 'AdamW', options: { weightDecay: 0.1, amsgrad: true, learningRate: 0.05 } },
  { name: 'AdamW', options: { weightDecay: 0.2, learningRate: 0.05 }, exclude: [1] },
  { name: 'Nadam', options: {} },
  { name: 'Nadam', options: { beta1: 0.8, learningRate: 0.01 } },
  { name: 'Adamax', options: {} },
  { name: 'Adamax', options: { beta2: 0.99, epsilon: 1e-3, learningRate: 0.02 } },
  { name: 'Lion', options: {} },
  { name: 'Lion', options: { beta1: 0.5, beta2: 0.9, learningRate: 0.01, weightDecay: 0.05 } },
  { name: 'Adam', options: {}, dtype: 'float32' },
  { name: 'SGD', options: { momentum: 0.9, nesterov: true }, dtype: 'float32' },
  { name: 'RMSprop', options: { centered: true, momentum: 0.5, learningRate: 0.01 }, dtype: 'float32' },
];

function create(name: string, options: O): tf.optimizers.Optimizer {
  const cls = (tf.optimizers as unknown as Record<string, new (o: O) => tf.optimizers.Optimizer>)[name]!;
  return new cls(options);
}

describe("tf.optimizers follows Keras's formulas (float64 reference)", () => {
  for (const c of CASES) {
    it(`${c.name} ${JSON.stringify(c.options)}${c.exclude ? ' excluding a variable from weight decay' : ''} ${c.dtype ?? 'float64'}`, () => {
      const got = actual(c, () => create(c.name, c.options));
      compare(got, reference(c), c.dtype === 'float32' ? 2e-5 : 1e-12);
    });
  }

  it('a learning-rate schedule is evaluated at iterations (0 for the first update)', () => {
    const schedule = new tf.optimizers.schedules.ExponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 5,
      decayRate: 0.5,
    });
    const c: Case = { name: 'SGD', options: { momentum: 0.9 }, lrAt: (s) => 0.1 * 0.5 ** (s / 5) };
    const got = actual(c, () => new tf.optimizers.SGD({ learningRate: schedule, momentum: 0.9 }));
    compare(got, reference(c), 1e-12);
  });

  it('changing learningRate between updates: the Keras velocity keeps the old rate', () => {
    const c: Case = {
      name: 'SGD',
      options: { momentum: 0.9, learningRate: 0.05 },
      lrAt: (s) => (s < 10 ? 0.05 : 0.005),
      change: { at: 10, apply: (opt) => (opt.learningRate = 0.005) },
    };
    const got = actual(c, () => new tf.optimizers.SGD({ learningRate: 0.05, momentum: 0.9 }));
    compare(got, reference(c), 1e-12);
  });

  it('a function learning rate is called at every update', () => {
    let calls = 0;
    const c: Case = { name: 'Adam', options: {}, lrAt: (s) => 0.01 / (1 + s) };
    const got = actual(c, () => new tf.optimizers.Adam({ learningRate: () => 0.01 / (1 + calls++) }));
    compare(got, reference(c), 1e-12);
  });

  it('applyGradients skips null gradients and updates the rest', () => {
    const a = tf.variable([1, 2], { dtype: 'float64' });
    const b = tf.variable([3], { dtype: 'float64' });
    const opt = new tf.optimizers.SGD({ learningRate: 0.5 });
    opt.applyGradients([
      [null, a],
      [tf.tensor([2], { dtype: 'float64' }), b],
    ]);
    expect(a.numpy()).toEqual([1, 2]);
    expect(b.numpy()).toEqual([2]);
  });

  it('has Keras defaults', () => {
    const cases: [string, O][] = [
      ['SGD', { learningRate: 0.01, momentum: 0, nesterov: false }],
      ['Adagrad', { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 }],
      ['RMSprop', { learningRate: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }],
      ['Adadelta', { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 }],
      [
        'Adam',
        { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: null },
      ],
      [
        'AdamW',
        { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0.004 },
      ],
      ['Nadam', { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
      ['Adamax', { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
      ['Lion', { learningRate: 0.001, beta1: 0.9, beta2: 0.99 }],
    ];
    for (const [name, want] of cases) {
      const config = create(name, {}).getConfig();
      expect(config.name).toBe(name);
      for (const [k, v] of Object.entries(want)) expect(config[k], `${name}.${k}`).toBe(v);
    }
    expect(tf.keras.optimizers.Adam).toBe(tf.optimizers.Adam);
  });
});
