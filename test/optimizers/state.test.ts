import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

// Saving and restoring optimizer state: a plain JSON-able object plus typed arrays. Stopping, saving
// (through JSON text), restoring into fresh objects and going on gives bit-identical steps to never stopping.

/** JSON text of a state: typed arrays become { typed, data } records (float64 text round-trips exactly). */
function toJSON(state: unknown): string {
  return JSON.stringify(state, (_, v) =>
    v instanceof Float32Array || v instanceof Float64Array
      ? { typed: v instanceof Float32Array ? 'float32' : 'float64', data: Array.from(v) }
      : v,
  );
}

function fromJSON<T>(text: string): T {
  return JSON.parse(text, (_, v) =>
    v && typeof v === 'object' && 'typed' in v && Array.isArray(v.data)
      ? v.typed === 'float32'
        ? Float32Array.from(v.data)
        : Float64Array.from(v.data)
      : v,
  ) as T;
}

const SHAPES = [[3], [2, 2]];
const INIT = [
  [0.5, -1.2, 2.0],
  [1.5, -0.3, 0.8, -2.2],
];
const gradAt = (t: number, k: number, i: number) =>
  Math.sin(1.1 * t + 0.6 * i + 1.9 * k) * (1 + 0.4 * Math.cos(t * i));
const gradsAt = (t: number, dtype: 'float32' | 'float64') =>
  INIT.map((p, k) =>
    tf
      .tensor(
        p.map((_, i) => gradAt(t, k, i)),
        { dtype },
      )
      .reshape(SHAPES[k]!),
  );

function bits(vs: tf.Tensor[]): string {
  return vs
    .map((v) => Array.from(v.dataSync(), (x) => (Object.is(x, -0) ? '-0' : String(x))).join(','))
    .join('|');
}

const KERAS: [string, Record<string, unknown>][] = [
  ['SGD', { learningRate: 0.05, momentum: 0.9, nesterov: true }],
  ['Adagrad', { learningRate: 0.1, initialAccumulatorValue: 0.2 }],
  ['RMSprop', { learningRate: 0.01, centered: true, momentum: 0.5 }],
  ['Adadelta', { learningRate: 1.0 }],
  ['Adam', { learningRate: 0.05, amsgrad: true, clipnorm: 1.0 }],
  ['AdamW', { learningRate: 0.05, weightDecay: 0.1 }],
  ['Nadam', { learningRate: 0.02 }],
  ['Adamax', { learningRate: 0.05, globalClipnorm: 0.5 }],
  ['Lion', { learningRate: 0.01, clipvalue: 0.5 }],
];

describe('tf.optimizers state: getState / setState', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, options] of KERAS) {
      it(`${name} ${JSON.stringify(options)} ${dtype}: resuming is bit-identical`, () => {
        const cls = (tf.optimizers as unknown as Record<string, new (o?: object) => tf.optimizers.Optimizer>)[
          name
        ]!;
        const schedule = new tf.optimizers.schedules.InverseTimeDecay({
          initialLearningRate: options.learningRate as number,
          decaySteps: 3,
          decayRate: 0.5,
        });
        const vars = INIT.map((p, k) => tf.variable(tf.tensor(p, { dtype }).reshape(SHAPES[k]!)));
        const opt = new cls({ ...options, learningRate: schedule });
        for (let t = 0; t < 5; t++)
          opt.applyGradients(gradsAt(t, dtype).map((g, k) => [g, vars[k]!] as const));

        const text = toJSON(opt.getState());
        const state = fromJSON<tf.optimizers.OptimizerState>(text);
        expect(state.iterations).toBe(5);
        expect(state.config.learningRate).toMatchObject({ className: 'InverseTimeDecay' });

        const vars2 = vars.map((v) => tf.variable(v.dataSync(), { dtype }).reshape(v.shape as number[]));
        const restoredVars = vars2.map((v) => tf.variable(v));
        const fresh = new cls(); // default hyperparameters: setState brings the saved ones back
        fresh.setState(state);
        expect(fresh.getConfig()).toEqual(opt.getConfig());
        for (let t = 5; t < 12; t++) {
          opt.applyGradients(gradsAt(t, dtype).map((g, k) => [g, vars[k]!] as const));
          // The restored optimizer meets its variables here, in the same order: slots restore lazily.
          fresh.applyGradients(gradsAt(t, dtype).map((g, k) => [g, restoredVars[k]!] as const));
        }
        expect(bits(restoredVars)).toBe(bits(vars));
        expect(fresh.iterations).toBe(12);
        // The whole state matches too (variable names aside: they are the variables' own).
        const unnamed = (st: tf.optimizers.OptimizerState) =>
          toJSON({ ...st, variables: st.variables.map((v) => v.slots) });
        expect(unnamed(fresh.getState())).toBe(unnamed(opt.getState()));
      });
    }
  }

  it('setState with varList restores immediately; mismatches are reported', () => {
    const a = tf.variable([1, 2, 3]);
    const opt = new tf.optimizers.Adam();
    opt.applyGradients([[tf.tensor([1, 2, 3]), a]]);
    const state = opt.getState();
    const b = tf.variable([1, 2, 3]);
    const other = new tf.optimizers.Adam();
    other.setState(state, [b]);
    expect(Array.from(other.getSlot(b, 'm').dataSync())).toEqual(Array.from(opt.getSlot(a, 'm').dataSync()));
    expect(() => new tf.optimizers.Adam().setState(state, [tf.variable([1, 2])])).toThrow(
      /shape \[3\].*shape \[2\]/,
    );
    expect(() => new tf.optimizers.SGD().setState(state)).toThrow(/saved from a Adam/);
    expect(() => new tf.optimizers.SGD().setState({} as never)).toThrow(/not an optimizer state/);
  });

  it('the slots are copies: later updates do not change a saved state', () => {
    const a = tf.variable([1, 2, 3]);
    const opt = new tf.optimizers.Adam();
    opt.applyGradients([[tf.tensor([1, 2, 3]), a]]);
    const state = opt.getState();
    const m = Array.from(state.variables[0]!.slots.m!);
    opt.applyGradients([[tf.tensor([1, 2, 3]), a]]);
    expect(Array.from(state.variables[0]!.slots.m!)).toEqual(m);
  });
});

const TORCH: [string, Record<string, unknown>, Record<string, unknown>][] = [
  [
    'SGD',
    { lr: 0.05, momentum: 0.9, dampening: 0.1 },
    { lr: 0.01, nesterov: true, momentum: 0.5, dampening: 0 },
  ],
  ['Adagrad', { lr: 0.1, lrDecay: 0.01 }, { initialAccumulatorValue: 0.3 }],
  ['RMSprop', { lr: 0.01, momentum: 0.5 }, { centered: true }],
  ['Adadelta', { lr: 1.0 }, { weightDecay: 0.1 }],
  ['Adam', { lr: 0.05, amsgrad: true }, { betas: [0.8, 0.99] }],
  ['AdamW', { lr: 0.05 }, { weightDecay: 0.2 }],
  ['NAdam', { lr: 0.02 }, { momentumDecay: 0.01 }],
  ['Adamax', { lr: 0.05 }, { maximize: true }],
];

describe('tf.optim state: stateDict / loadStateDict', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, options, group1] of TORCH) {
      it(`${name} ${JSON.stringify(options)} + group ${JSON.stringify(group1)} ${dtype}, with StepLR`, () => {
        const cls = (
          tf.optim as unknown as Record<string, new (p: unknown, o?: object) => tf.optim.Optimizer>
        )[name]!;
        const make = (params: tf.Tensor[], opts: Record<string, unknown>) =>
          new cls([{ params: [params[0]] }, { params: [params[1]], ...group1 }], opts);
        const params = INIT.map((p, k) =>
          tf.tensor(p, { dtype, requiresGrad: true }).reshape(SHAPES[k]!).detach(),
        );
        for (const p of params) p.requiresGrad = true;
        const opt = make(params, options);
        const sched = new tf.optim.lrScheduler.StepLR(opt, { stepSize: 2, gamma: 0.5 });
        const run = (o: tf.optim.Optimizer, s: { step(): void }, ps: tf.Tensor[], t: number) => {
          o.zeroGrad();
          const grads = gradsAt(t, dtype);
          ps.forEach((p, k) => {
            p.grad = grads[k]!;
          });
          o.step();
          s.step();
        };
        for (let t = 0; t < 5; t++) run(opt, sched, params, t);

        const saved = fromJSON<{ opt: tf.optim.StateDict; sched: Record<string, unknown> }>(
          toJSON({ opt: opt.stateDict(), sched: sched.stateDict() }),
        );
        const params2 = params.map((p) =>
          tf.tensor(p.dataSync(), { dtype, shape: [...p.shape], requiresGrad: true }),
        );
        const fresh = make(params2, {}); // defaults: loadStateDict brings the saved options back
        const sched2 = new tf.optim.lrScheduler.StepLR(fresh, { stepSize: 2, gamma: 0.5 });
        fresh.loadStateDict(saved.opt);
        sched2.loadStateDict(saved.sched);
        expect(fresh.paramGroups.map((g) => g.lr)).toEqual(opt.paramGroups.map((g) => g.lr));
        for (let t = 5; t < 12; t++) {
          run(opt, sched, params, t);
          run(fresh, sched2, params2, t);
        }
        expect(bits(params2)).toBe(bits(params));
        expect(toJSON(fresh.stateDict())).toBe(toJSON(opt.stateDict()));
      });
    }
  }

  it('loadStateDict checks the structure', () => {
    const p = tf.tensor([1, 2], { requiresGrad: true });
    const q = tf.tensor([1, 2, 3], { requiresGrad: true });
    const opt = new tf.optim.Adam([p]);
    p.grad = tf.tensor([1, 1]);
    opt.step();
    const sd = opt.stateDict();
    expect(() => new tf.optim.Adam([p, q]).loadStateDict(sd)).toThrow(
      /group 0 has 1 parameters in the state, 2 here/,
    );
    expect(() => new tf.optim.Adam([q]).loadStateDict(sd)).toThrow(/has 2 elements, the parameter 3/);
    expect(() =>
      new tf.optim.Adam([p]).loadStateDict({ state: {}, paramGroups: [{ params: [0], lr: -1 }] } as never),
    ).toThrow(/lr must be >= 0/);
  });

  it('ReduceLROnPlateau and OneCycleLR state survive JSON', () => {
    const p = tf.tensor([1, 2], { requiresGrad: true });
    const opt = new tf.optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const plateau = new tf.optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 1 });
    const text = toJSON(plateau.stateDict());
    const opt2 = new tf.optim.SGD([tf.tensor([1, 2], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    const again = new tf.optim.lrScheduler.ReduceLROnPlateau(opt2, { patience: 1 });
    again.loadStateDict(fromJSON(text));
    expect(again.best).toBe(Number.POSITIVE_INFINITY);
    for (const m of [3, 2, 2, 2]) {
      plateau.step(m);
      again.step(m);
    }
    expect(again.getLastLr()).toEqual(plateau.getLastLr());

    const one = new tf.optim.lrScheduler.OneCycleLR(opt, { maxLr: 0.5, totalSteps: 20 });
    for (let i = 0; i < 5; i++) one.step();
    const copy = new tf.optim.lrScheduler.OneCycleLR(
      new tf.optim.SGD([tf.tensor([1], { requiresGrad: true })], { momentum: 0.9 }),
      {
        maxLr: 0.1,
        totalSteps: 50,
      },
    );
    copy.loadStateDict(fromJSON(toJSON(one.stateDict())));
    expect(copy.lastEpoch).toBe(5);
    expect(copy.getLr()).toEqual(one.getLr());
  });
});
