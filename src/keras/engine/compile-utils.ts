/**
 * What `compile` sets up: a loss per model output (weighted and summed with the regularization
 * losses) and metrics per output, with their running means for the logs.
 */
import { add, mul } from '../../ops/binary.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Logs } from '../callbacks.js';
import * as losses from '../losses.js';
import * as metrics from '../metrics.js';
import { addN } from './ops-util.js';

export type LossLike = losses.LossIdentifier;
export type MetricLike = Parameters<typeof metrics.get>[0];

/** A loss for every output, or per output (an array, or a record by output name). */
export type CompileLoss =
  | LossLike
  | readonly (LossLike | null)[]
  | { readonly [output: string]: LossLike | null };
/** Metrics for every output, or per output (a record by output name, or an array of lists). */
export type CompileMetrics =
  | readonly MetricLike[]
  | readonly (readonly MetricLike[])[]
  | { readonly [output: string]: MetricLike | readonly MetricLike[] };

function perOutput<T>(
  what: string,
  spec: T | readonly T[] | { readonly [k: string]: T } | undefined,
  outputNames: readonly string[],
  isItem: (v: unknown) => boolean,
  fallback: T,
): T[] {
  const n = outputNames.length;
  if (spec === undefined) return outputNames.map(() => fallback);
  if (Array.isArray(spec) && !isItem(spec)) {
    if (spec.length !== n) {
      throw new RangeError(
        `compile: ${what} has ${spec.length} entries but the model has ${n} output(s) (${outputNames.join(', ')})`,
      );
    }
    return [...(spec as readonly T[])];
  }
  if (spec !== null && typeof spec === 'object' && !isItem(spec)) {
    const record = spec as { readonly [k: string]: T };
    for (const key of Object.keys(record)) {
      if (!outputNames.includes(key)) {
        throw new RangeError(
          `compile: ${what} names an unknown output '${key}' (outputs: ${outputNames.join(', ')})`,
        );
      }
    }
    return outputNames.map((name) => (name in record ? record[name]! : fallback));
  }
  return outputNames.map(() => spec as T);
}

const isLossItem = (v: unknown) =>
  !Array.isArray(v) &&
  (typeof v !== 'object' || v === null || v instanceof losses.Loss || 'className' in (v as object));

/** Running weighted mean of a scalar per batch (Keras's loss tracker), in plain numbers. */
export class RunningMean {
  total = 0;
  count = 0;
  add(value: number, weight: number): void {
    this.total += value * weight;
    this.count += weight;
  }
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

export class CompiledLoss {
  readonly lossFns: (losses.Loss | null)[];
  readonly weights: number[];
  readonly trackers: RunningMean[];
  readonly total = new RunningMean();

  constructor(
    loss: CompileLoss,
    lossWeights: readonly number[] | { readonly [output: string]: number } | undefined,
    readonly outputNames: readonly string[],
  ) {
    const specs = perOutput<LossLike | null>('loss', loss as never, outputNames, isLossItem, null);
    this.lossFns = specs.map((s) => (s === null ? null : losses.get(s)));
    if (this.lossFns.every((l) => l === null)) throw new TypeError('compile: no loss given for any output');
    this.weights = perOutput<number>(
      'lossWeights',
      lossWeights as never,
      outputNames,
      (v) => typeof v === 'number',
      1,
    );
    this.trackers = outputNames.map(() => new RunningMean());
  }

  /**
   * The weighted sum of the output losses plus the regularization losses. Recorded by the enclosing
   * tape; `values` holds each output's loss for the logs.
   */
  compute(
    yTrue: readonly Tensor[],
    yPred: readonly Tensor[],
    sampleWeight: Tensor | null,
    regularization: readonly Tensor[],
  ): { total: Tensor; values: (Tensor | null)[] } {
    if (yTrue.length !== yPred.length) {
      throw new RangeError(
        `The model has ${yPred.length} output(s) (${this.outputNames.join(', ')}) but ${yTrue.length} target array(s) were given`,
      );
    }
    const values = this.lossFns.map((fn, i) => (fn ? fn.apply(yTrue[i]!, yPred[i]!, sampleWeight) : null));
    const terms: Tensor[] = [];
    values.forEach((v, i) => {
      if (v) terms.push(this.weights[i] === 1 ? v : mul(v, this.weights[i]!));
    });
    let total = addN(terms);
    if (regularization.length > 0) total = add(total, addN(regularization as Tensor[]));
    return { total, values };
  }

  /** Adds a batch's losses to the running means. */
  track(total: Tensor, values: readonly (Tensor | null)[], batchSize: number): void {
    this.total.add(Number(total.dataSync()[0]), batchSize);
    if (this.outputNames.length > 1) {
      values.forEach((v, i) => {
        if (v) this.trackers[i]!.add(Number(v.dataSync()[0]), batchSize);
      });
    }
  }

  reset(): void {
    this.total.reset();
    for (const t of this.trackers) t.reset();
  }

  logs(out: Logs): void {
    out['loss'] = this.total.result();
    if (this.outputNames.length > 1) {
      this.lossFns.forEach((fn, i) => {
        if (fn) out[`${this.outputNames[i]}_loss`] = this.trackers[i]!.result();
      });
    }
  }
}

interface MetricEntry {
  /** The identifier given to compile, resolved on the first batch (when 'accuracy' can be told apart). */
  spec: MetricLike;
  metric: metrics.Metric | null;
  displayName: string;
  weighted: boolean;
}

export class CompiledMetrics {
  private readonly entries: MetricEntry[][];

  constructor(
    metricSpec: CompileMetrics | undefined,
    weightedSpec: CompileMetrics | undefined,
    readonly outputNames: readonly string[],
    private readonly lossFns: readonly (losses.Loss | null)[],
  ) {
    const isMetricItem = (v: unknown) => !Array.isArray(v);
    const asLists = (spec: CompileMetrics | undefined): MetricLike[][] => {
      if (spec === undefined) return outputNames.map(() => []);
      if (Array.isArray(spec) && spec.every((s) => !Array.isArray(s))) {
        return outputNames.map(() => [...(spec as readonly MetricLike[])]);
      }
      const lists = perOutput<MetricLike | readonly MetricLike[]>(
        'metrics',
        spec as never,
        outputNames,
        (v) => isMetricItem(v) && (typeof v !== 'object' || v === null || v instanceof metrics.Metric),
        [],
      );
      return lists.map((l) => (Array.isArray(l) ? [...l] : [l as MetricLike]));
    };
    const plain = asLists(metricSpec);
    const weighted = asLists(weightedSpec);
    this.entries = outputNames.map((_, i) => [
      ...plain[i]!.map((spec) => this.entry(spec, false)),
      ...weighted[i]!.map((spec) => this.entry(spec, true)),
    ]);
  }

  private entry(spec: MetricLike, weighted: boolean): MetricEntry {
    if (typeof spec === 'string') {
      if (['accuracy', 'acc'].includes(spec)) return { spec, metric: null, displayName: spec, weighted };
      const metric = metrics.get(spec);
      return { spec, metric, displayName: spec, weighted };
    }
    const metric = metrics.get(spec);
    return { spec, metric, displayName: metric.name, weighted };
  }

  get isEmpty(): boolean {
    return this.entries.every((e) => e.length === 0);
  }

  /** Keras's choice for 'accuracy': binary for one output unit, sparse for integer labels, else categorical. */
  private resolveAccuracy(entry: MetricEntry, output: number, yTrue: Tensor, yPred: Tensor): metrics.Metric {
    const loss = this.lossFns[output];
    const name = entry.displayName;
    if (loss instanceof losses.BinaryCrossentropy) return new metrics.BinaryAccuracy({ name });
    if (loss instanceof losses.SparseCategoricalCrossentropy)
      return new metrics.SparseCategoricalAccuracy({ name });
    if (loss instanceof losses.CategoricalCrossentropy) return new metrics.CategoricalAccuracy({ name });
    const last = yPred.shape[yPred.rank - 1] ?? 1;
    if (last === 1) return new metrics.BinaryAccuracy({ name });
    const sparse = yTrue.rank < yPred.rank || (yTrue.shape[yTrue.rank - 1] === 1 && last > 1);
    return sparse
      ? new metrics.SparseCategoricalAccuracy({ name })
      : new metrics.CategoricalAccuracy({ name });
  }

  update(yTrue: readonly Tensor[], yPred: readonly Tensor[], sampleWeight: Tensor | null): void {
    this.entries.forEach((list, i) => {
      for (const entry of list) {
        entry.metric ??= this.resolveAccuracy(entry, i, yTrue[i]!, yPred[i]!);
        entry.metric.updateState(yTrue[i]!, yPred[i]!, entry.weighted ? sampleWeight : null);
      }
    });
  }

  reset(): void {
    for (const list of this.entries) for (const e of list) e.metric?.resetState();
  }

  logs(out: Logs): void {
    const multi = this.outputNames.length > 1;
    this.entries.forEach((list, i) => {
      for (const e of list) {
        if (!e.metric) continue;
        const key = multi ? `${this.outputNames[i]}_${e.displayName}` : e.displayName;
        out[key] = Number(e.metric.result().dataSync()[0]);
      }
    });
  }

  /** The metric objects (those resolved so far). */
  get metrics(): metrics.Metric[] {
    return this.entries.flatMap((l) => l.map((e) => e.metric).filter((m): m is metrics.Metric => m !== null));
  }
}
