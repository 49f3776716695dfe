/**
 * Keras's TensorBoard callback, for scalars: `logDir/train/` receives `epoch_<metric>` at step = epoch
 * for the training logs, `logDir/validation/` the `val_` logs under the same tags (`epoch_loss`, ...),
 * each directory holding a TensorBoard event file. With `updateFreq` 'batch' or a number n, the
 * training writer also receives `batch_<metric>` every n batches (step = batches since training began),
 * and the validation writer `evaluation_<metric>_vs_iterations` at that step after each validation.
 */
import { Callback, type Logs } from '../callbacks.js';
import { EventFileWriter, joinPath } from './writer.js';

export interface TensorBoardOptions {
  /** Directory of the logs (default 'logs'); `train/` and `validation/` are made inside it. */
  logDir?: string;
  /** 'epoch' (default): scalars after each epoch; 'batch' or a number n: also every (n-th) batch. */
  updateFreq?: 'epoch' | 'batch' | number;
}

/** Keys of the batch logs that are not metrics. */
const NOT_METRICS = new Set(['batch', 'size']);

function scalars(logs: Logs, prefix: string, select: (key: string) => string | null) {
  const out: { tag: string; value: number }[] = [];
  for (const [key, value] of Object.entries(logs)) {
    const name = select(key);
    if (name === null || typeof value !== 'number') continue;
    out.push({ tag: `${prefix}${name}`, value });
  }
  return out;
}

const trainKey = (key: string) => (key.startsWith('val_') || NOT_METRICS.has(key) ? null : key);
const valKey = (key: string) => (key.startsWith('val_') ? key.slice(4) : null);

/**
 * Writes the losses and metrics of `fit` as TensorBoard scalars (`tensorboard --logdir logs` shows
 * them): `new tf.keras.callbacks.TensorBoard({ logDir: 'logs/run1' })`. New event files are started by
 * each `fit`, as in Keras. Histograms, graphs, images and profiling are not written.
 */
// The interface gives the class Callback's members in types; linkToCallback makes that true at run time.
export interface TensorBoard extends Callback {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: Callback.prototype becomes the parent prototype on construction (see linkToCallback).
export class TensorBoard {
  readonly logDir: string;
  readonly updateFreq: 'epoch' | number;
  private train: EventFileWriter | null = null;
  private validation: EventFileWriter | null = null;
  private globalBatch = 0;

  constructor(options: TensorBoardOptions = {}) {
    linkToCallback();
    this.model = null;
    this.params = {};
    this.logDir = options.logDir ?? 'logs';
    if (typeof this.logDir !== 'string') {
      throw new TypeError(`TensorBoard: logDir must be a string, got ${String(this.logDir)}`);
    }
    const freq = options.updateFreq ?? 'epoch';
    if (freq === 'batch') this.updateFreq = 1;
    else if (freq === 'epoch' || (Number.isInteger(freq) && (freq as number) > 0)) this.updateFreq = freq;
    else {
      throw new RangeError(
        `TensorBoard: updateFreq must be 'epoch', 'batch' or a positive integer, got ${String(freq)}`,
      );
    }
  }

  /** The path of the current training event file, once training has begun (null before). */
  get trainEventFile(): string | null {
    return this.train?.path ?? null;
  }

  /** The path of the current validation event file, once validation logs were written (null before). */
  get validationEventFile(): string | null {
    return this.validation?.path ?? null;
  }

  async onTrainBegin(): Promise<void> {
    await this.closeWriters();
    this.globalBatch = 0;
    this.train = await EventFileWriter.create(joinPath(this.logDir, 'train'));
  }

  onTrainBatchEnd(_batch: number, logs: Logs = {}): void {
    if (this.updateFreq === 'epoch') return;
    this.globalBatch += 1;
    if (this.globalBatch % this.updateFreq !== 0 || !this.train) return;
    this.train.addScalars(this.globalBatch, scalars(logs, 'batch_', trainKey));
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.train ??= await EventFileWriter.create(joinPath(this.logDir, 'train'));
    this.train.addScalars(epoch, scalars(logs, 'epoch_', trainKey));
    const val = scalars(logs, 'epoch_', valKey);
    if (val.length > 0) {
      this.validation ??= await EventFileWriter.create(joinPath(this.logDir, 'validation'));
      this.validation.addScalars(epoch, val);
      if (this.updateFreq !== 'epoch') {
        this.validation.addScalars(
          this.globalBatch,
          val.map(({ tag, value }) => ({ tag: `evaluation_${tag.slice(6)}_vs_iterations`, value })),
        );
      }
      await this.validation.flush();
    }
    await this.train.flush();
  }

  async onTrainEnd(): Promise<void> {
    await this.closeWriters();
  }

  private async closeWriters(): Promise<void> {
    const writers = [this.train, this.validation];
    this.train = null;
    this.validation = null;
    for (const w of writers) await w?.close();
  }
}

/**
 * Makes TensorBoard a subclass of Callback at run time. `callbacks.ts` re-exports this module, so when
 * `callbacks.ts` is imported first this module is evaluated before `Callback` exists, and a plain
 * `class TensorBoard extends Callback` would throw there; the parent is therefore set on construction.
 */
function linkToCallback(): void {
  if (Object.getPrototypeOf(TensorBoard.prototype) !== Callback.prototype) {
    Object.setPrototypeOf(TensorBoard.prototype, Callback.prototype);
    Object.setPrototypeOf(TensorBoard, Callback);
  }
}
