/** Line charts of a Keras History: one panel per metric, train and validation as two lines (Vega-Lite). */
import { Figure } from './figure.js';
import { compileVegaLite } from './render.js';

/** A History (`model.fit`'s result) or its `history` record: metric name -> one value per epoch. */
export type HistoryLike = { history: Record<string, number[]>; epoch?: number[] } | Record<string, number[]>;

export interface HistoryChartOptions {
  title?: string;
  /** Metric names to draw (default all, loss first); `val_x` is drawn with `x`. */
  metrics?: string[];
  /** Logarithmic y axis for the loss panel (default false). */
  logLoss?: boolean;
  /** Panel size (default 320 x 200). */
  width?: number;
  height?: number;
}

function records(h: HistoryLike): Record<string, number[]> {
  const maybe = (h as { history?: unknown }).history;
  if (maybe !== undefined && typeof maybe === 'object' && maybe !== null && !Array.isArray(maybe)) {
    return maybe as Record<string, number[]>;
  }
  return h as Record<string, number[]>;
}

/** The chart's rows: { epoch (1-based), metric, split: 'train' | 'validation', value }. */
export function historyRows(
  h: HistoryLike,
  metrics?: string[],
): { rows: { epoch: number; metric: string; split: string; value: number | null }[]; metrics: string[] } {
  const rec = records(h);
  const base = new Set<string>();
  for (const key of Object.keys(rec)) base.add(key.startsWith('val_') ? key.slice(4) : key);
  let names =
    metrics ?? [...base].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
  names = names.filter((m) => rec[m] !== undefined || rec[`val_${m}`] !== undefined);
  if (names.length === 0) throw new RangeError('tf.viz.historyChart: the history has no metrics to draw');
  const rows: { epoch: number; metric: string; split: string; value: number | null }[] = [];
  for (const metric of names) {
    for (const [split, key] of [
      ['train', metric],
      ['validation', `val_${metric}`],
    ] as const) {
      const values = rec[key];
      if (!values) continue;
      if (!Array.isArray(values))
        throw new TypeError(`tf.viz.historyChart: history['${key}'] is not an array`);
      values.forEach((v, i) => {
        rows.push({ epoch: i + 1, metric, split, value: Number.isFinite(v) ? v : null });
      });
    }
  }
  return { rows, metrics: names };
}

/** Line charts of `fit`'s History: loss and metrics per epoch, train vs validation. */
export async function historyChart(h: HistoryLike, options: HistoryChartOptions = {}): Promise<Figure> {
  const { rows, metrics } = historyRows(h, options.metrics);
  const epochs = Math.max(...rows.map((r) => r.epoch));
  const panel = (metric: string) => ({
    title: metric,
    width: options.width ?? 320,
    height: options.height ?? 200,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    mark: { type: 'line', point: epochs <= 40, strokeWidth: 2 },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: metric,
        scale: metric === 'loss' && options.logLoss ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: { domain: ['train', 'validation'], range: ['#1f77b4', '#ff7f0e'] },
      },
      tooltip: [
        { field: 'epoch', type: 'quantitative' },
        { field: 'split', type: 'nominal' },
        { field: 'value', type: 'quantitative', format: '.4g' },
      ],
    },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title ?? 'Training history',
    data: { values: rows },
    concat: metrics.map(panel),
    columns: Math.min(2, metrics.length),
    config: { font: 'DejaVu Sans', view: { stroke: '#ddd' } },
    background: 'white',
  };
  return new Figure({
    title: options.title ?? 'Training history',
    spec: await compileVegaLite(spec),
    caption: `${metrics.join(', ')} per epoch over ${epochs} epoch(s); train and validation.`,
  });
}
