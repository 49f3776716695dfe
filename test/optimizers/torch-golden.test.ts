import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import golden from '../fixtures/golden-optim.json' with { type: 'json' };

// tf.optim against PyTorch 1.13's trajectories (test/fixtures/make-golden-optim.py): every optimizer,
// every option, parameter groups and LR schedulers, on Rosenbrock and a least-squares problem. The loop
// is PyTorch's: zeroGrad(); loss.backward(); step(); [scheduler.step()].

type Config = (typeof golden.configs)[number] & {
  groups?: { params: number[]; options: Record<string, unknown> }[];
  scheduler?: { name: string; options: Record<string, unknown> };
};

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const camelize = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [camel(k), v]));
/** PyTorch's T_max is camelCased as tMax. */
const schedulerOptions = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k === 'T_max' ? 'tMax' : camel(k), v]));

const { A, y } = golden.problems.least_squares;

function makeParams(problem: string, dtype: 'float32' | 'float64'): tf.Tensor[] {
  if (problem === 'rosenbrock')
    return [tf.tensor(golden.problems.rosenbrock.init[0]!, { dtype, requiresGrad: true })];
  const [W, b] = golden.problems.least_squares.init as [number[][], number[]];
  return [tf.tensor(W, { dtype, requiresGrad: true }), tf.tensor(b, { dtype, requiresGrad: true })];
}

function lossOf(problem: string, params: tf.Tensor[], dtype: 'float32' | 'float64'): tf.Tensor {
  if (problem === 'rosenbrock') {
    const [x, yy] = params[0]!.unstack();
    return x!.neg().add(1).square().add(yy!.sub(x!.square()).square().mul(100));
  }
  const r = tf.tensor(A, { dtype }).matmul(params[0]!).add(params[1]!).sub(tf.tensor(y, { dtype }));
  return r.mul(r).mean();
}

function flat(params: tf.Tensor[]): number[] {
  return params.flatMap((p) => Array.from(p.dataSync()));
}

function label(c: Config): string {
  const opts = JSON.stringify(c.options);
  const extra = c.groups
    ? ' groups'
    : c.scheduler
      ? ` ${c.scheduler.name}${JSON.stringify(c.scheduler.options)}`
      : '';
  return `${c.problem} ${c.dtype} ${c.optimizer}${opts}${c.negate ? ' (maximize)' : ''}${extra}`;
}

function run(c: Config) {
  const dtype = c.dtype as 'float32' | 'float64';
  const params = makeParams(c.problem, dtype);
  const cls = (tf.optim as unknown as Record<string, new (p: unknown, o: unknown) => tf.optim.Optimizer>)[
    c.optimizer
  ]!;
  const options = camelize(c.options);
  const opt = c.groups
    ? new cls(
        c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...camelize(g.options) })),
        options,
      )
    : new cls(params, options);
  let sched: { step(metric?: number): void } | undefined;
  if (c.scheduler) {
    const S = (
      tf.optim.lrScheduler as unknown as Record<
        string,
        new (
          o: unknown,
          p: unknown,
        ) => { step(m?: number): void }
      >
    )[c.scheduler.name]!;
    sched = new S(opt, schedulerOptions(c.scheduler.options));
  }
  const out: { step: number; params: number[]; lr: number[] }[] = [];
  const record = new Set(c.trajectory.map((t) => t.step));
  for (let step = 1; step <= golden.steps; step++) {
    opt.zeroGrad();
    let loss = lossOf(c.problem, params, dtype);
    if (c.negate) loss = loss.neg();
    loss.backward();
    opt.step();
    if (sched) {
      if (c.scheduler!.name === 'ReduceLROnPlateau') sched.step(loss.numpy() as number);
      else sched.step();
    }
    if (record.has(step)) out.push({ step, params: flat(params), lr: opt.paramGroups.map((g) => g.lr) });
  }
  return out;
}

function relErr(got: number, want: number): number {
  return Math.abs(got - want) / Math.max(Math.abs(want), 1e-8);
}

describe('tf.optim reproduces PyTorch trajectories', () => {
  const configs = golden.configs as Config[];

  it('covers every optimizer, option, groups and schedulers', () => {
    const names = new Set(configs.map((c) => c.optimizer));
    expect([...names].sort()).toEqual([
      'Adadelta',
      'Adagrad',
      'Adam',
      'AdamW',
      'Adamax',
      'NAdam',
      'RMSprop',
      'SGD',
    ]);
    const scheds = new Set(configs.flatMap((c) => (c.scheduler ? [c.scheduler.name] : [])));
    expect([...scheds].sort()).toEqual([
      'CosineAnnealingLR',
      'ExponentialLR',
      'MultiStepLR',
      'OneCycleLR',
      'ReduceLROnPlateau',
      'StepLR',
    ]);
    expect(configs.length).toBeGreaterThan(100);
  });

  for (const c of configs) {
    it(label(c), () => {
      const got = run(c);
      // float64: 1e-6 relative (the differences are rounding, ~1e-13); float32: the last bits differ per op.
      const tol = c.dtype === 'float64' ? 1e-6 : 2e-5;
      let worst = 0;
      c.trajectory.forEach((want, k) => {
        const g = got[k]!;
        expect(g.step).toBe(want.step);
        want.params.forEach((w, i) => {
          worst = Math.max(worst, relErr(g.params[i]!, w));
        });
        want.lr.forEach((w, i) => {
          expect(relErr(g.lr[i]!, w), `lr of group ${i} at step ${want.step}`).toBeLessThan(1e-12);
        });
      });
      if (process.env.OPTIM_GOLDEN_REPORT) console.log(`worst ${worst.toExponential(2)} ${label(c)}`);
      expect(worst, `worst relative error over the trajectory`).toBeLessThan(tol);
    });
  }
});
