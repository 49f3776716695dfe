/**
 * Optimizer races on 2-D loss surfaces (seeds 000 and 002): a contour plot of the surface with every
 * optimizer's path animated together, beside a panel of the loss gap per step. The optimizers are
 * tapeflow's Keras optimizers (tf.optimizers), run by `minimize` on two float64 variables.
 */
import { tensor } from '../ops/creation.js';
import { variable } from '../ops/variable.js';
import { Adadelta, Adagrad, Adam, Nadam, type Optimizer, RMSprop, SGD } from '../optimizers/keras/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { frameSteps } from './descent.js';
import { Figure } from './figure.js';
import type { VegaSpec } from './render.js';

export type LossFn2D = (x: Tensor, y: Tensor) => Tensor;

export const OPTIMIZER_NAMES = [
  'sgd',
  'momentum',
  'nag',
  'adagrad',
  'rmsprop',
  'adadelta',
  'adam',
  'nadam',
] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

export interface Surface {
  name: string;
  formula: string;
  fn: LossFn2D;
  start: [number, number];
  x: [number, number];
  y: [number, number];
  /** Where the minima are, and the minimum value. */
  minima: [number, number][];
  fStar: number;
  steps: number;
  /** Learning rate per optimizer on this surface (picked so that each makes visible progress). */
  learningRates: Record<OptimizerName, number>;
}

export const SURFACE_NAMES = ['rosenbrock', 'beale', 'saddle', 'quadratic'] as const;
export type SurfaceName = (typeof SURFACE_NAMES)[number];

export const SURFACES: Record<SurfaceName, Surface> = {
  rosenbrock: {
    name: 'rosenbrock',
    formula: '(1 − x)² + 100 (y − x²)²',
    fn: (x, y) => x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)),
    start: [-1.5, 2],
    x: [-2, 2],
    y: [-1, 3],
    minima: [[1, 1]],
    fStar: 0,
    steps: 400,
    learningRates: {
      sgd: 1e-3,
      momentum: 3e-4,
      nag: 3e-4,
      adagrad: 0.5,
      rmsprop: 0.01,
      adadelta: 1,
      adam: 0.05,
      nadam: 0.05,
    },
  },
  beale: {
    name: 'beale',
    formula: '(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²',
    fn: (x, y) =>
      x
        .neg()
        .add(x.mul(y))
        .add(1.5)
        .square()
        .add(x.neg().add(x.mul(y.square())).add(2.25).square())
        .add(
          x
            .neg()
            .add(x.mul(y.pow(3)))
            .add(2.625)
            .square(),
        ),
    start: [1, 1.5],
    x: [-1, 4.5],
    y: [-1.5, 2],
    minima: [[3, 0.5]],
    fStar: 0,
    steps: 300,
    learningRates: {
      sgd: 1e-3,
      momentum: 3e-4,
      nag: 3e-4,
      adagrad: 0.3,
      rmsprop: 0.01,
      adadelta: 1,
      adam: 0.05,
      nadam: 0.05,
    },
  },
  saddle: {
    name: 'saddle',
    formula: 'x² + y⁴/4 − y²/2',
    fn: (x, y) => x.square().add(y.pow(4).div(4)).sub(y.square().div(2)),
    start: [1.2, 1e-3],
    x: [-1.5, 1.5],
    y: [-1.5, 1.5],
    minima: [
      [0, 1],
      [0, -1],
    ],
    fStar: -0.25,
    steps: 200,
    learningRates: {
      sgd: 0.05,
      momentum: 0.02,
      nag: 0.02,
      adagrad: 0.3,
      rmsprop: 0.01,
      adadelta: 1,
      adam: 0.03,
      nadam: 0.03,
    },
  },
  quadratic: {
    name: 'quadratic',
    formula: 'x²/10 + 2y²',
    fn: (x, y) => x.square().div(10).add(y.square().mul(2)),
    start: [-4.5, 1.5],
    x: [-5, 5],
    y: [-3, 3],
    minima: [[0, 0]],
    fStar: 0,
    steps: 150,
    learningRates: {
      sgd: 0.2,
      momentum: 0.05,
      nag: 0.05,
      adagrad: 1,
      rmsprop: 0.05,
      adadelta: 1,
      adam: 0.1,
      nadam: 0.1,
    },
  },
};

/** A Keras optimizer by its short name: momentum = SGD with momentum 0.9, nag = the same with nesterov. */
export function makeOptimizer(name: string, learningRate: number): Optimizer {
  switch (name) {
    case 'sgd':
      return new SGD({ learningRate });
    case 'momentum':
      return new SGD({ learningRate, momentum: 0.9 });
    case 'nag':
      return new SGD({ learningRate, momentum: 0.9, nesterov: true });
    case 'adagrad':
      return new Adagrad({ learningRate });
    case 'rmsprop':
      return new RMSprop({ learningRate });
    case 'adadelta':
      return new Adadelta({ learningRate });
    case 'adam':
      return new Adam({ learningRate });
    case 'nadam':
      return new Nadam({ learningRate });
    default:
      throw new RangeError(`unknown optimizer '${name}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
  }
}

export function surfaceByName(name: string): Surface {
  const s = (SURFACES as Record<string, Surface>)[name];
  if (!s) throw new RangeError(`unknown function '${name}' (known: ${SURFACE_NAMES.join(', ')})`);
  return s;
}

export interface RacePath {
  optimizer: string;
  learningRate: number;
  /** Positions after 0 .. steps steps, and the loss there. */
  x: number[];
  y: number[];
  loss: number[];
}

export interface RaceOptions {
  /** A named surface (default 'rosenbrock') or your own. */
  surface?: SurfaceName | Surface;
  optimizers?: readonly string[];
  steps?: number;
  /** Learning rates overriding the surface's. */
  learningRates?: Partial<Record<string, number>>;
  /** Called after each optimizer's run (progress). */
  onProgress?: (done: number, total: number, optimizer: string) => void;
}

/** Runs each optimizer from the surface's start for `steps` steps with `minimize`. */
export function racePaths(options: RaceOptions = {}): { surface: Surface; paths: RacePath[]; steps: number } {
  const surface =
    typeof options.surface === 'string' || options.surface === undefined
      ? surfaceByName(options.surface ?? 'rosenbrock')
      : options.surface;
  const names = options.optimizers ?? OPTIMIZER_NAMES;
  if (names.length === 0) throw new RangeError('tf.viz.race: give at least one optimizer');
  const steps = options.steps ?? surface.steps;
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`tf.viz.race: steps must be a positive integer, got ${steps}`);
  const paths = names.map((name, i) => {
    const lr =
      options.learningRates?.[name] ?? (surface.learningRates as Record<string, number>)[name] ?? 0.01;
    const opt = makeOptimizer(name, lr);
    const vx = variable(surface.start[0], { dtype: 'float64' });
    const vy = variable(surface.start[1], { dtype: 'float64' });
    const path: RacePath = {
      optimizer: name,
      learningRate: lr,
      x: [surface.start[0]],
      y: [surface.start[1]],
      loss: [],
    };
    for (let k = 0; k < steps; k++) {
      const l = opt.minimize(() => surface.fn(vx, vy), [vx, vy]);
      path.loss.push(Number(l.dataSync()[0]));
      path.x.push(Number(vx.dataSync()[0]));
      path.y.push(Number(vy.dataSync()[0]));
    }
    path.loss.push(Number(surface.fn(vx, vy).dataSync()[0]));
    options.onProgress?.(i + 1, names.length, name);
    return path;
  });
  return { surface, paths, steps };
}

const COLORS = ['#e41a1c', '#377eb8', '#4daf4a', '#984ea3', '#ff7f00', '#a65628', '#f781bf', '#222222'];

/** The race: contour plot with every optimizer's path animated together, and the loss gap per step. */
export async function optimizerRace(
  options: RaceOptions & { maxFrames?: number; title?: string } = {},
): Promise<Figure> {
  const { surface, paths, steps } = racePaths(options);
  const frames = frameSteps(steps, options.maxFrames ?? 120);
  const S = 420; // contour panel, square
  const N = 105; // grid cells per side: S / N pixels per cell
  const [x0, x1] = surface.x;
  const [y0, y1] = surface.y;
  const gx: number[] = [];
  const gy: number[] = [];
  for (let r = 0; r < N; r++) {
    for (let c = 0; c < N; c++) {
      gx.push(x0 + ((c + 0.5) * (x1 - x0)) / N);
      gy.push(y1 - ((r + 0.5) * (y1 - y0)) / N); // row 0 at the top
    }
  }
  const z = Array.from(
    surface.fn(tensor(gx, { dtype: 'float64' }), tensor(gy, { dtype: 'float64' })).dataSync(),
    Number,
  );
  const fMin = Math.min(surface.fStar, ...z);
  const logGap = z.map((v) => Math.log10(v - fMin + 1e-3));
  const zLo = Math.min(...logGap);
  const zHi = Math.max(...logGap);
  const levels = 18;
  const thresholds = Array.from({ length: levels }, (_, i) => zLo + ((zHi - zLo) * (i + 0.5)) / levels);

  const inBox = (x: number, y: number) =>
    Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) < 1e6 && Math.abs(y) < 1e6;
  const rows: { opt: string; frame: number; step: number; x: number; y: number; gap: number }[] = [];
  for (const p of paths) {
    frames.forEach((step, frame) => {
      const x = p.x[step]!;
      const y = p.y[step]!;
      const loss = p.loss[step]!;
      if (inBox(x, y) && Number.isFinite(loss)) {
        rows.push({ opt: p.optimizer, frame, step, x, y, gap: Math.max(1e-12, loss - surface.fStar) });
      }
    });
  }
  const gaps = rows.map((r) => r.gap);
  const gapLo = Math.max(1e-12, Math.min(...gaps));
  const gapHi = Math.max(gapLo * 10, ...gaps);
  const LW = 380;
  const GAP = 90;
  const names = paths.map((p) => p.optimizer);
  const title = options.title ?? `Optimizer race on ${surface.name}: ${surface.formula}`;
  const xy = { x: { scale: 'x', field: 'x' }, y: { scale: 'y', field: 'y' } };
  const spec: VegaSpec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: S + GAP + LW,
    height: S,
    autosize: 'none',
    padding: { left: 60, right: 175, top: 60, bottom: 50 },
    background: 'white',
    config: {
      text: { font: 'DejaVu Sans' },
      title: { font: 'DejaVu Sans' },
      axis: { labelFont: 'DejaVu Sans', titleFont: 'DejaVu Sans' },
      legend: { labelFont: 'DejaVu Sans', titleFont: 'DejaVu Sans' },
    },
    title: { text: title, anchor: 'start', offset: 16, fontSize: 15 },
    signals: [{ name: 'frame', value: frames.length - 1 }],
    data: [
      { name: 'grid', values: [{ width: N, height: N, values: logGap }] },
      {
        name: 'contours',
        source: 'grid',
        transform: [{ type: 'isocontour', scale: S / N, smooth: true, thresholds }],
      },
      { name: 'path', values: rows },
      { name: 'trail', source: 'path', transform: [{ type: 'filter', expr: 'datum.frame <= frame' }] },
      { name: 'head', source: 'trail', transform: [{ type: 'filter', expr: 'datum.frame == frame' }] },
      {
        name: 'headStep',
        source: 'head',
        transform: [{ type: 'aggregate', fields: ['step'], ops: ['max'], as: ['step'] }],
      },
      { name: 'minima', values: surface.minima.map(([x, y]) => ({ x, y })) },
      { name: 'start', values: [{ x: surface.start[0], y: surface.start[1] }] },
    ],
    scales: [
      {
        name: 'color',
        type: 'ordinal',
        domain: names,
        range: names.map((_, i) => COLORS[i % COLORS.length]),
      },
      { name: 'shade', type: 'linear', domain: [zLo, zHi], range: ['#08306b', '#f7fbff'], zero: false },
    ],
    legends: [
      {
        fill: 'color',
        stroke: 'color',
        title: 'optimizer (lr)',
        orient: 'right',
        labelLimit: 220,
        symbolType: 'circle',
        encode: {
          labels: {
            update: {
              text: {
                signal: `datum.value + ' (' + ${JSON.stringify(Object.fromEntries(paths.map((p) => [p.optimizer, String(Number(p.learningRate.toPrecision(3)))])))}[datum.value] + ')'`,
              },
            },
          },
        },
      },
    ],
    marks: [
      {
        type: 'group',
        name: 'surface',
        encode: {
          enter: { x: { value: 0 }, width: { value: S }, height: { value: S } },
        },
        scales: [
          { name: 'x', type: 'linear', domain: [x0, x1], range: [0, S], zero: false, nice: false },
          { name: 'y', type: 'linear', domain: [y0, y1], range: [S, 0], zero: false, nice: false },
        ],
        axes: [
          { orient: 'bottom', scale: 'x', title: 'x' },
          { orient: 'left', scale: 'y', title: 'y' },
        ],
        marks: [
          {
            type: 'path',
            clip: true,
            from: { data: 'contours' },
            encode: {
              enter: {
                fill: { scale: 'shade', field: 'contour.value' },
                fillOpacity: { value: 0.55 },
                stroke: { value: '#ffffff' },
                strokeOpacity: { value: 0.6 },
                strokeWidth: { value: 0.6 },
              },
            },
            transform: [{ type: 'geopath', field: 'datum.contour' }],
          },
          {
            type: 'symbol',
            clip: true,
            from: { data: 'minima' },
            encode: {
              enter: {
                ...xy,
                shape: { value: 'cross' },
                size: { value: 160 },
                fill: { value: 'gold' },
                stroke: { value: 'black' },
                angle: { value: 45 },
              },
            },
          },
          {
            type: 'symbol',
            clip: true,
            from: { data: 'start' },
            encode: {
              enter: {
                ...xy,
                shape: { value: 'square' },
                size: { value: 60 },
                fill: { value: 'white' },
                stroke: { value: 'black' },
              },
            },
          },
          {
            type: 'group',
            clip: true,
            encode: {
              enter: { width: { field: { group: 'width' } }, height: { field: { group: 'height' } } },
            },
            from: { facet: { name: 'trailByOpt', data: 'trail', groupby: 'opt' } },
            marks: [
              {
                type: 'line',
                name: 'trailLine',
                from: { data: 'trailByOpt' },
                encode: {
                  update: {
                    ...xy,
                    stroke: { scale: 'color', field: 'opt' },
                    strokeWidth: { value: 2 },
                    strokeOpacity: { value: 0.9 },
                  },
                },
              },
            ],
          },
          {
            type: 'symbol',
            clip: true,
            name: 'heads',
            from: { data: 'head' },
            encode: {
              update: {
                ...xy,
                size: { value: 90 },
                fill: { scale: 'color', field: 'opt' },
                stroke: { value: 'black' },
                strokeWidth: { value: 1 },
              },
            },
          },
          {
            type: 'text',
            from: { data: 'headStep' },
            encode: {
              update: {
                x: { value: 8 },
                y: { value: 16 },
                text: { signal: "'step ' + datum.step" },
                fontSize: { value: 13 },
                fill: { value: 'black' },
              },
            },
          },
        ],
      },
      {
        type: 'group',
        name: 'gap',
        encode: {
          enter: {
            x: { value: S + GAP },
            width: { value: LW },
            height: { value: S },
            stroke: { value: '#ddd' },
          },
        },
        title: { text: `loss − minimum (${surface.fStar}), log scale`, fontSize: 12 },
        scales: [
          { name: 's', type: 'linear', domain: [0, steps], range: [0, LW], zero: true, nice: false },
          { name: 'g', type: 'log', domain: [gapLo, gapHi], range: [S, 0], nice: true, clamp: true },
        ],
        axes: [
          { orient: 'bottom', scale: 's', title: 'step' },
          { orient: 'left', scale: 'g', title: 'f − f*', format: '.0e', grid: true, gridOpacity: 0.3 },
        ],
        marks: [
          {
            type: 'group',
            clip: true,
            encode: {
              enter: { width: { field: { group: 'width' } }, height: { field: { group: 'height' } } },
            },
            from: { facet: { name: 'gapByOpt', data: 'trail', groupby: 'opt' } },
            marks: [
              {
                type: 'line',
                from: { data: 'gapByOpt' },
                encode: {
                  update: {
                    x: { scale: 's', field: 'step' },
                    y: { scale: 'g', field: 'gap' },
                    stroke: { scale: 'color', field: 'opt' },
                    strokeWidth: { value: 1.8 },
                  },
                },
              },
            ],
          },
          {
            type: 'symbol',
            clip: true,
            from: { data: 'head' },
            encode: {
              update: {
                x: { scale: 's', field: 'step' },
                y: { scale: 'g', field: 'gap' },
                size: { value: 40 },
                fill: { scale: 'color', field: 'opt' },
              },
            },
          },
        ],
      },
    ],
  };
  const final = paths
    .map(
      (p) =>
        `${p.optimizer}: f = ${Number(p.loss[steps]!.toPrecision(4))} at (${Number(p.x[steps]!.toPrecision(4))}, ${Number(p.y[steps]!.toPrecision(4))})`,
    )
    .join('; ');
  return new Figure({
    title,
    spec,
    frames: frames.length,
    frameLabels: frames.map((s) => `step ${s} of ${steps}`),
    caption: `From (${surface.start.join(', ')}), ${steps} steps. ${final}.`,
  });
}
