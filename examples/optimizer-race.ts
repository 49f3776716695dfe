/**
 * The optimizer race: every tf.optimizers optimizer (and seed 003's custom sign-agreement SGD) on the same
 * three problems, printing how many steps each needs to converge and the loss it ends with.
 *
 *   npm run race                    (runs this file with vite-node, which ships with vitest)
 *
 * Problems
 * - quadratic fit (seed 000): y = 2x^2 + 3x + 5 on 100 float32 points, RMSE loss, w1 = w2 = b = 1;
 *   converged when the loss is below 0.1.
 * - Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), float64; converged when f < 1e-4.
 * - saddle: x^2 + y^4 / 4 - y^2 / 2 from (1, 1e-4), float64: it starts next to the saddle point at the
 *   origin, on its attracting direction; the minima are (0, +-1) with f = -1/4. Converged when
 *   f < -0.25 + 1e-4, i.e. after escaping the saddle.
 *
 * Each optimizer uses the learning rate in LEARNING_RATES (the fastest of 3e-4, 1e-3, 3e-3, ..., 1 in a
 * coarse search; sign-based steps capped at 0.3 on the saddle, where a unit step lands on the minimum by
 * luck) and Keras's defaults otherwise. A run stops at convergence or after MAX_STEPS. Lion moves every
 * coordinate by exactly lr per step, so it lands exactly on an optimum whose offsets from the start are
 * multiples of lr (here the quadratic fit's (2, 3, 5) and Rosenbrock's (1, 1)): hence its tiny losses.
 */
import * as tf from '../src/index.js';

/**
 * Seed 003's custom optimizer, written the Keras way: a plain SGD step, except that where the gradient's
 * sign disagrees with the previous gradient's, the variable goes to the average of its previous and
 * current values instead. Slots: 'pv' (previous value) and 'pg' (previous gradient).
 */
export class SignAgreementSGD extends tf.optimizers.Optimizer {
  constructor(options: { learningRate?: tf.optimizers.LearningRate; name?: string } = {}) {
    super({ learningRate: 0.001, name: 'CustomSGDOptimizer', ...options });
  }

  protected override createSlots(varList: readonly tf.Variable[]): void {
    for (const v of varList) {
      this.addSlot(v, 'pv'); // previous variable
      this.addSlot(v, 'pg'); // previous gradient
    }
  }

  override updateStep(grad: tf.Tensor, variable: tf.Variable, learningRate: number): void {
    const pv = this.getSlot(variable, 'pv');
    const pg = this.getSlot(variable, 'pg');
    const plain = variable.sub(grad.mul(learningRate));
    // On the first step pg is 0, so every element agrees and the step is plain SGD (the notes' _is_first).
    const agree = grad.mul(pg).greaterEqual(0);
    const next = tf.where(agree, plain, pv.add(variable).div(2));
    pv.assign(variable);
    pg.assign(grad);
    variable.assign(next);
  }
}

export interface Problem {
  name: string;
  /** Fresh variables and the loss over them. */
  make(): { vars: tf.Variable[]; loss: () => tf.Tensor };
  converged(loss: number): boolean;
}

export const PROBLEMS: Problem[] = [
  {
    name: 'quadratic fit',
    make() {
      const x = tf.range(-5, 5, 0.1);
      const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
      const vars = [tf.variable(1.0), tf.variable(1.0), tf.variable(1.0)];
      const [w1, w2, b] = vars as [tf.Variable, tf.Variable, tf.Variable];
      return {
        vars,
        loss: () => tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
      };
    },
    converged: (l) => l < 0.1,
  },
  {
    name: 'Rosenbrock',
    make() {
      const x = tf.variable(-1.5, { dtype: 'float64' });
      const y = tf.variable(2.0, { dtype: 'float64' });
      return { vars: [x, y], loss: () => x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)) };
    },
    converged: (l) => l < 1e-4,
  },
  {
    name: 'saddle',
    make() {
      const x = tf.variable(1.0, { dtype: 'float64' });
      const y = tf.variable(1e-4, { dtype: 'float64' });
      return { vars: [x, y], loss: () => x.square().add(y.pow(4).div(4)).sub(y.square().div(2)) };
    },
    converged: (l) => l < -0.25 + 1e-4,
  },
];

type Make = (learningRate: number) => tf.optimizers.Optimizer;

export const CONTESTANTS: { name: string; make: Make }[] = [
  { name: 'SGD', make: (lr) => new tf.optimizers.SGD({ learningRate: lr }) },
  { name: 'SGD momentum 0.9', make: (lr) => new tf.optimizers.SGD({ learningRate: lr, momentum: 0.9 }) },
  {
    name: 'SGD Nesterov 0.9',
    make: (lr) => new tf.optimizers.SGD({ learningRate: lr, momentum: 0.9, nesterov: true }),
  },
  { name: 'Adagrad', make: (lr) => new tf.optimizers.Adagrad({ learningRate: lr }) },
  { name: 'RMSprop', make: (lr) => new tf.optimizers.RMSprop({ learningRate: lr }) },
  { name: 'Adadelta', make: (lr) => new tf.optimizers.Adadelta({ learningRate: lr }) },
  { name: 'Adam', make: (lr) => new tf.optimizers.Adam({ learningRate: lr }) },
  { name: 'AMSGrad', make: (lr) => new tf.optimizers.Adam({ learningRate: lr, amsgrad: true }) },
  { name: 'AdamW', make: (lr) => new tf.optimizers.AdamW({ learningRate: lr }) },
  { name: 'Nadam', make: (lr) => new tf.optimizers.Nadam({ learningRate: lr }) },
  { name: 'Adamax', make: (lr) => new tf.optimizers.Adamax({ learningRate: lr }) },
  { name: 'Lion', make: (lr) => new tf.optimizers.Lion({ learningRate: lr }) },
  { name: 'sign-agreement SGD', make: (lr) => new SignAgreementSGD({ learningRate: lr }) },
];

/** Learning rate per contestant and problem: [quadratic fit, Rosenbrock, saddle]. */
export const LEARNING_RATES: Record<string, [number, number, number]> = {
  SGD: [0.003, 0.001, 0.3],
  'SGD momentum 0.9': [0.003, 0.001, 0.1],
  'SGD Nesterov 0.9': [0.001, 0.001, 0.3],
  Adagrad: [0.3, 1, 0.3],
  RMSprop: [0.01, 0.003, 0.1],
  Adadelta: [1, 1, 1],
  Adam: [0.1, 1, 0.3],
  AMSGrad: [1, 1, 0.3],
  AdamW: [0.3, 0.03, 1],
  Nadam: [0.1, 0.1, 0.3],
  Adamax: [1, 1, 0.3],
  Lion: [0.1, 0.01, 0.1],
  'sign-agreement SGD': [0.003, 0.003, 1],
};

export const MAX_STEPS = 3000;

export interface RaceResult {
  optimizer: string;
  problem: string;
  learningRate: number;
  /** Updates until the loss met the problem's criterion; null when it never did. */
  steps: number | null;
  finalLoss: number;
}

/** Runs one optimizer on one problem. */
export function runOne(
  contestant: { name: string; make: Make },
  problem: Problem,
  learningRate: number,
  maxSteps = MAX_STEPS,
): RaceResult {
  const { vars, loss } = problem.make();
  const opt = contestant.make(learningRate);
  let steps: number | null = null;
  let value = loss().numpy() as number;
  for (let t = 1; t <= maxSteps; t++) {
    opt.minimize(loss, vars);
    value = loss().numpy() as number;
    if (!Number.isFinite(value)) break;
    if (problem.converged(value)) {
      steps = t;
      break;
    }
  }
  return { optimizer: contestant.name, problem: problem.name, learningRate, steps, finalLoss: value };
}

/** Every contestant on every problem. */
export function race(options: { maxSteps?: number } = {}): RaceResult[] {
  const results: RaceResult[] = [];
  for (const c of CONTESTANTS) {
    PROBLEMS.forEach((p, k) => {
      results.push(runOne(c, p, LEARNING_RATES[c.name]![k]!, options.maxSteps ?? MAX_STEPS));
    });
  }
  return results;
}

/** The results as a text table: one row per optimizer, per problem "steps (lr) final loss". */
export function formatTable(results: RaceResult[]): string {
  const problems = [...new Set(results.map((r) => r.problem))];
  const names = [...new Set(results.map((r) => r.optimizer))];
  const cell = (r: RaceResult | undefined) => {
    if (!r) return '';
    const steps = r.steps === null ? '   --' : String(r.steps).padStart(5);
    const loss = Number.isFinite(r.finalLoss) ? r.finalLoss.toExponential(2) : String(r.finalLoss);
    return `${steps}  ${loss.padStart(9)}  lr ${String(r.learningRate).padEnd(6)}`;
  };
  const width = 32;
  const head = `${'optimizer'.padEnd(20)}${problems.map((p) => `| ${`${p}: steps, final loss`.padEnd(width)}`).join('')}`;
  const lines = [head, '-'.repeat(head.length)];
  for (const n of names) {
    lines.push(
      `${n.padEnd(20)}${problems.map((p) => `| ${cell(results.find((r) => r.optimizer === n && r.problem === p)).padEnd(width)}`).join('')}`,
    );
  }
  lines.push(
    '',
    `steps: updates until converged ("--": not within ${MAX_STEPS}); final loss after the last update.`,
  );
  return lines.join('\n');
}

export function main(): void {
  const t0 = performance.now();
  const results = race();
  console.log(formatTable(results));
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// Run when executed (npm run race); tests import it without running.
if (!process.env.VITEST) main();
