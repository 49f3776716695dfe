/**
 * Seed 001's picture: a point sliding down a 1-D loss curve by gradient descent, one panel per learning
 * rate, animated step by step. The descent itself is tapeflow's: a float32 tf.Variable, a GradientTape
 * and `assignSub(grad * lr)` per step, exactly as the notes write it.
 */
import { GradientTape } from '../autograd/tape.js';
import { tensor } from '../ops/creation.js';
import { variable } from '../ops/variable.js';
import type { Tensor } from '../tensor/tensor.js';
import { Figure } from './figure.js';
import type { VegaSpec } from './render.js';

/** A loss of one scalar parameter, written with tapeflow ops (it must also work elementwise on a vector). */
export type LossFn1D = (x: Tensor) => Tensor;

/** Seed 001's loss (beta/2 - 1)^2, minimum at beta = 2. */
export const seed001Loss: LossFn1D = (beta) => beta.div(2).sub(1).pow(2);

export interface DescentPath {
  learningRate: number;
  /** How the learning rate was written (e.g. '0.01/6'). */
  label: string;
  /** x after 0, 1, ..., steps steps (x[0] is the start), and the loss there. */
  x: number[];
  loss: number[];
}

export interface DescentOptions {
  /** The loss (default seed 001's (beta/2 - 1)^2). */
  fn?: LossFn1D;
  /** Its formula, shown in the title (default '(β/2 − 1)²'). */
  formula?: string;
  /** The starting point (default -10, as in the notes). */
  from?: number;
  /** Learning rates (default 0.01/6, 0.1 and 1.0), and how to print them (default their values). */
  learningRates?: number[];
  labels?: string[];
  /** Steps per learning rate (default 100). */
  steps?: number;
}

/** Runs gradient descent (tf.Variable, GradientTape, assignSub) for each learning rate. */
export function descentPaths(options: DescentOptions = {}): DescentPath[] {
  const fn = options.fn ?? seed001Loss;
  const from = options.from ?? -10;
  const rates = options.learningRates ?? [0.01 / 6, 0.1, 1.0];
  const steps = options.steps ?? 100;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`tf.viz.descent: steps must be a positive integer, got ${steps}`);
  if (rates.length === 0) throw new RangeError('tf.viz.descent: give at least one learning rate');
  return rates.map((lr, i) => {
    if (!Number.isFinite(lr) || lr <= 0)
      throw new RangeError(`tf.viz.descent: learning rate must be a positive number, got ${lr}`);
    const beta = variable(from);
    const x = [beta.dataSync()[0]!];
    const loss: number[] = [];
    for (let k = 0; k < steps; k++) {
      const tape = new GradientTape();
      const l = tape.record(() => fn(beta));
      loss.push(Number(l.dataSync()[0]));
      const g = tape.gradient(l, beta);
      if (g === null) throw new TypeError('tf.viz.descent: the loss does not depend on its argument');
      beta.assignSub(g.mul(lr));
      x.push(Number(beta.dataSync()[0]));
    }
    loss.push(Number(fn(beta).dataSync()[0]));
    return { learningRate: lr, label: options.labels?.[i] ?? String(Number(lr.toPrecision(6))), x, loss };
  });
}

/** Frame k shows the state after frameSteps[k] steps (at most maxFrames + 1 frames, first and last kept). */
export function frameSteps(steps: number, maxFrames: number): number[] {
  const n = Math.min(steps, Math.max(1, maxFrames));
  const out: number[] = [];
  for (let k = 0; k <= n; k++) out.push(Math.round((k * steps) / n));
  return out;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

const finite = (v: number, cap: number) => Number.isFinite(v) && Math.abs(v) <= cap;

/** The 1-D descent animation: the loss curve, and per learning rate a panel with the point's path. */
export async function descentAnimation(
  options: DescentOptions & { maxFrames?: number; title?: string } = {},
): Promise<Figure> {
  const fn = options.fn ?? seed001Loss;
  const paths = descentPaths(options);
  const steps = paths[0]!.x.length - 1;
  const frames = frameSteps(steps, options.maxFrames ?? 100);
  // Domain: every point the paths visit (capped, so that a diverging path does not flatten the curve).
  const from = options.from ?? -10;
  const cap = 1e3 * Math.max(1, Math.abs(from));
  const xs = paths.flatMap((p) => p.x.filter((v) => finite(v, cap)));
  let lo = Math.min(from, ...xs);
  let hi = Math.max(from, ...xs);
  const pad = Math.max(1, 0.1 * (hi - lo));
  lo -= pad;
  hi += pad;
  const samples = 201;
  const grid = Array.from({ length: samples }, (_, i) => lo + ((hi - lo) * i) / (samples - 1));
  const curveLoss = Array.from(fn(tensor(grid, { dtype: 'float64' })).dataSync(), Number);
  const curve = grid.map((x, i) => ({ x, loss: curveLoss[i]! }));
  const finiteLoss = curveLoss.filter(Number.isFinite);
  const yLo = Math.min(...finiteLoss);
  const yHi = Math.max(...finiteLoss);

  const rows: { series: number; frame: number; step: number; x: number; loss: number }[] = [];
  paths.forEach((p, series) => {
    frames.forEach((step, frame) => {
      const x = p.x[step]!;
      const loss = p.loss[step]!;
      if (finite(x, cap) && Number.isFinite(loss)) rows.push({ series, frame, step, x, loss });
    });
  });

  const W = 300;
  const H = 230;
  const GAP = 60;
  const n = paths.length;
  const formula = options.formula ?? (options.fn ? 'loss' : '(β/2 − 1)²');
  const title = options.title ?? `Gradient descent on ${formula} from ${from}, ${steps} steps`;
  const spec: VegaSpec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: n * W + (n - 1) * GAP,
    height: H,
    autosize: 'none',
    padding: { left: 70, right: 30, top: 70, bottom: 50 },
    background: 'white',
    config: {
      text: { font: 'DejaVu Sans' },
      title: { font: 'DejaVu Sans' },
      axis: { labelFont: 'DejaVu Sans', titleFont: 'DejaVu Sans' },
    },
    title: { text: title, anchor: 'start', offset: 30, fontSize: 15 },
    signals: [{ name: 'frame', value: frames.length - 1 }],
    data: [
      { name: 'curve', values: curve },
      { name: 'path', values: rows },
    ],
    scales: [
      { name: 'x', type: 'linear', domain: [lo, hi], range: [0, W], zero: false, nice: false },
      { name: 'y', type: 'linear', domain: [yLo, yHi], range: [H, 0], zero: false, nice: true },
    ],
    marks: paths.map((p, i) => {
      const color = COLORS[i % COLORS.length]!;
      const xy = { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'loss' } };
      return {
        type: 'group',
        name: `panel${i}`,
        clip: false,
        encode: {
          enter: {
            x: { value: i * (W + GAP) },
            width: { value: W },
            height: { value: H },
            stroke: { value: '#ddd' },
          },
        },
        title: { text: `learning rate ${p.label}`, fontSize: 13, color },
        data: [
          {
            name: `trail${i}`,
            source: 'path',
            transform: [{ type: 'filter', expr: `datum.series == ${i} && datum.frame <= frame` }],
          },
          {
            name: `head${i}`,
            source: `trail${i}`,
            transform: [{ type: 'filter', expr: 'datum.frame == frame' }],
          },
        ],
        axes: [
          { orient: 'bottom', scale: 'x', title: 'β', grid: false },
          { orient: 'left', scale: 'y', title: 'loss', grid: true, gridOpacity: 0.3 },
        ],
        marks: [
          {
            type: 'line',
            from: { data: 'curve' },
            clip: true,
            encode: { enter: { ...xy, stroke: { value: '#888' }, strokeWidth: { value: 2 } } },
          },
          {
            type: 'line',
            name: `trailLine${i}`,
            from: { data: `trail${i}` },
            clip: true,
            encode: {
              update: {
                ...xy,
                stroke: { value: color },
                strokeWidth: { value: 1.2 },
                strokeOpacity: { value: 0.7 },
              },
            },
          },
          {
            type: 'symbol',
            from: { data: `trail${i}` },
            clip: true,
            encode: {
              update: { ...xy, size: { value: 14 }, fill: { value: color }, fillOpacity: { value: 0.5 } },
            },
          },
          {
            type: 'symbol',
            name: `headMark${i}`,
            from: { data: `head${i}` },
            clip: true,
            encode: {
              update: {
                ...xy,
                size: { value: 130 },
                fill: { value: color },
                stroke: { value: 'black' },
                strokeWidth: { value: 1 },
              },
            },
          },
          {
            type: 'text',
            from: { data: `head${i}` },
            encode: {
              update: {
                x: { value: W - 6 },
                y: { value: 14 },
                align: { value: 'right' },
                fontSize: { value: 12 },
                fill: { value: '#333' },
                text: { signal: "'step ' + datum.step + ':  β = ' + format(datum.x, '.6g')" },
              },
            },
          },
        ],
      };
    }),
  };
  return new Figure({
    title,
    spec,
    frames: frames.length,
    frameLabels: frames.map((s) => `step ${s} of ${steps}`),
    caption: paths
      .map((p) => `lr ${p.label}: β ${p.x[0]} → ${Number(p.x[steps]!.toPrecision(7))} after ${steps} steps`)
      .join('; '),
  });
}
