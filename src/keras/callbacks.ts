/**
 * Keras callbacks: objects whose hooks `fit`, `evaluate` and `predict` call at the start and end of
 * training, of each epoch and of each batch. `History` and `ProgbarLogger` are callbacks too; `fit`
 * adds them itself. A hook may be async (fit awaits it).
 */
import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { Tensor } from '../tensor/tensor.js';
import type { Model } from './engine/model.js';
import { Progbar, type ProgbarOptions } from './progbar.js';

/** Metric values by name (`loss`, `accuracy`, `val_loss`, ...), as hooks receive them. */
export type Logs = Record<string, number>;

/** What fit tells its callbacks (Keras's `callback.params`). */
export interface CallbackParams {
  epochs?: number;
  /** Steps per epoch, or null when not known (a dataset of unknown length). */
  steps?: number | null;
  verbose?: number;
  [key: string]: unknown;
}

type MaybePromise = void | Promise<void>;

export class Callback {
  model: Model | null = null;
  params: CallbackParams = {};

  setModel(model: Model): void {
    this.model = model;
  }

  setParams(params: CallbackParams): void {
    this.params = params;
  }

  onTrainBegin(_logs?: Logs): MaybePromise {}
  onTrainEnd(_logs?: Logs): MaybePromise {}
  onEpochBegin(_epoch: number, _logs?: Logs): MaybePromise {}
  onEpochEnd(_epoch: number, _logs?: Logs): MaybePromise {}
  /** Keras's on_train_batch_begin; the base calls `onBatchBegin` (its older name). */
  onTrainBatchBegin(batch: number, logs?: Logs): MaybePromise {
    return this.onBatchBegin(batch, logs);
  }
  /** Keras's on_train_batch_end; the base calls `onBatchEnd` (its older name). */
  onTrainBatchEnd(batch: number, logs?: Logs): MaybePromise {
    return this.onBatchEnd(batch, logs);
  }
  onBatchBegin(_batch: number, _logs?: Logs): MaybePromise {}
  onBatchEnd(_batch: number, _logs?: Logs): MaybePromise {}
  onTestBegin(_logs?: Logs): MaybePromise {}
  onTestEnd(_logs?: Logs): MaybePromise {}
  onTestBatchBegin(_batch: number, _logs?: Logs): MaybePromise {}
  onTestBatchEnd(_batch: number, _logs?: Logs): MaybePromise {}
  onPredictBegin(_logs?: Logs): MaybePromise {}
  onPredictEnd(_logs?: Logs): MaybePromise {}
  onPredictBatchBegin(_batch: number, _logs?: Logs): MaybePromise {}
  onPredictBatchEnd(_batch: number, _logs?: Logs): MaybePromise {}
}

type Hook = Exclude<keyof Callback, 'model' | 'params' | 'setModel' | 'setParams'>;

/** True when `cb` (or a class between it and Callback) overrides a hook. */
function overrides(cb: Callback, hook: Hook): boolean {
  return cb[hook] !== Callback.prototype[hook];
}

/**
 * The callbacks of one fit/evaluate/predict, called in order. Batch hooks are skipped entirely when
 * no callback overrides them, so training without per-batch callbacks pays nothing for them.
 */
export class CallbackList {
  readonly callbacks: Callback[];
  private readonly batchHooks: Set<Hook>;

  constructor(callbacks: readonly Callback[], model: Model, params: CallbackParams) {
    this.callbacks = [...callbacks];
    for (const cb of this.callbacks) {
      if (!(cb instanceof Callback)) {
        throw new TypeError(
          `callbacks: expected instances of tf.keras.callbacks.Callback, got ${String(cb)}`,
        );
      }
      cb.setModel(model);
      cb.setParams(params);
    }
    const batch: Hook[] = [
      'onTrainBatchBegin',
      'onTrainBatchEnd',
      'onTestBatchBegin',
      'onTestBatchEnd',
      'onPredictBatchBegin',
      'onPredictBatchEnd',
    ];
    this.batchHooks = new Set(
      batch.filter((h) =>
        this.callbacks.some(
          (cb) =>
            overrides(cb, h) ||
            (h === 'onTrainBatchBegin' && overrides(cb, 'onBatchBegin')) ||
            (h === 'onTrainBatchEnd' && overrides(cb, 'onBatchEnd')),
        ),
      ),
    );
  }

  /** Whether some callback listens to this batch hook (the caller then computes batch logs). */
  wants(hook: Hook): boolean {
    return this.batchHooks.has(hook);
  }

  /**
   * Whether fit's train batch hooks run only built-in code that leaves the model as it is and never
   * waits (the progress bar, TerminateOnNaN): then nothing but fit's own steps runs between two steps
   * of an epoch.
   */
  trainBatchHooksLeaveModel(): boolean {
    const hooks: Hook[] = ['onTrainBatchBegin', 'onTrainBatchEnd', 'onBatchBegin', 'onBatchEnd'];
    return this.callbacks.every(
      (cb) => !hooks.some((h) => overrides(cb, h)) || MODEL_PRESERVING_BATCH_HOOKS.has(cb.constructor),
    );
  }

  /** Calls a hook without awaiting (the synchronous predict on tensors); an async hook's promise is not awaited. */
  callSync(hook: Hook, ...args: unknown[]): void {
    for (const cb of this.callbacks) {
      const result = (cb[hook] as (...a: unknown[]) => MaybePromise).apply(cb, args);
      if (result instanceof Promise) result.catch((error: unknown) => console.error(error));
    }
  }

  async call(hook: Hook, ...args: unknown[]): Promise<void> {
    for (const cb of this.callbacks) {
      const result = (cb[hook] as (...a: unknown[]) => MaybePromise).apply(cb, args);
      if (result instanceof Promise) await result;
    }
  }
}

// ------------------------------------------------------------------------------------ History

/** Records the epoch logs: `history.history.loss[i]` is epoch i's loss. `fit` returns it. */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
    this.history = {};
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }
}

// ------------------------------------------------------------------------------ ProgbarLogger

export interface ProgbarLoggerOptions extends Pick<ProgbarOptions, 'write' | 'isTTY' | 'now'> {
  /** 'steps' (default) counts batches. */
  countMode?: 'steps';
}

/** Prints the `Epoch i/n` header and the progress bar of each epoch (fit's `verbose`). */
export class ProgbarLogger extends Callback {
  private bar: Progbar | null = null;
  private seen = 0;
  private epochs = 1;
  private verbose: 1 | 2 = 1;
  private lastLogs: Logs = {};
  private readonly options: ProgbarLoggerOptions;

  constructor(options: ProgbarLoggerOptions = {}) {
    super();
    this.options = options;
  }

  private write(text: string): void {
    if (this.options.write) this.options.write(text);
    else process.stdout.write(text);
  }

  override onTrainBegin(): void {
    this.epochs = this.params.epochs ?? 1;
    this.verbose = this.params.verbose === 2 ? 2 : 1;
  }

  override onEpochBegin(epoch: number): void {
    if (this.epochs > 1) this.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
    this.seen = 0;
    this.lastLogs = {};
    this.bar = new Progbar(this.params.steps ?? null, { ...this.options, verbose: this.verbose });
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    this.lastLogs = logs;
    const target = this.params.steps ?? null;
    if (this.bar && (target === null || this.seen < target)) this.bar.update(this.seen, logs);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    this.bar?.update(this.seen, { ...this.lastLogs, ...logs }, true);
    this.bar = null;
  }

  /** evaluate(): one bar over the test batches. */
  override onTestBegin(): void {
    if (this.model?.isTraining) return;
    this.seen = 0;
    this.bar = new Progbar(this.params.steps ?? null, { ...this.options, verbose: 1 });
  }

  override onTestBatchEnd(batch: number, logs: Logs = {}): void {
    if (this.model?.isTraining) return;
    this.seen = batch + 1;
    this.lastLogs = logs;
    const target = this.params.steps ?? null;
    if (this.bar && (target === null || this.seen < target)) this.bar.update(this.seen, logs);
  }

  override onTestEnd(logs: Logs = {}): void {
    if (this.model?.isTraining) return;
    this.bar?.update(this.seen, { ...this.lastLogs, ...logs }, true);
    this.bar = null;
  }

  override onPredictBegin(): void {
    this.seen = 0;
    this.bar = new Progbar(this.params.steps ?? null, { ...this.options, verbose: 1 });
  }

  override onPredictBatchEnd(batch: number): void {
    this.seen = batch + 1;
    const target = this.params.steps ?? null;
    if (this.bar && (target === null || this.seen < target)) this.bar.update(this.seen);
  }

  override onPredictEnd(): void {
    this.bar?.update(this.seen, {}, true);
    this.bar = null;
  }
}

// ---------------------------------------------------------------------------- monitoring helpers

type Mode = 'auto' | 'min' | 'max';

/** Whether larger is better for a monitored quantity: 'auto' says so for accuracies and AUC, as Keras. */
function improvement(monitor: string, mode: Mode, owner: string): 'min' | 'max' {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') {
    throw new RangeError(`${owner}: mode must be 'auto', 'min' or 'max', got '${String(mode)}'`);
  }
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|^fmeasure/.test(monitor) ? 'max' : 'min';
}

function warnMissing(owner: string, monitor: string, logs: Logs): void {
  console.warn(
    `${owner}: the monitored metric '${monitor}' is not in the logs (available: ${Object.keys(logs).join(', ') || 'none'}); skipping`,
  );
}

// ------------------------------------------------------------------------------ EarlyStopping

export interface EarlyStoppingOptions {
  monitor?: string;
  /** Smallest change that counts as an improvement. */
  minDelta?: number;
  /** Epochs without improvement before stopping. */
  patience?: number;
  verbose?: number;
  mode?: Mode;
  /** A value the monitored quantity must beat; training stops if it does not within `patience`. */
  baseline?: number | null;
  /** Put back the weights of the best epoch when stopping (or at the end, if stopped by patience). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before starting to monitor. */
  startFromEpoch?: number;
}

/** Stops training when the monitored metric has stopped improving (Keras's EarlyStopping). */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  private readonly direction: 'min' | 'max';
  wait = 0;
  stoppedEpoch = 0;
  best = Number.POSITIVE_INFINITY;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.patience = options.patience ?? 0;
    this.verbose = options.verbose ?? 0;
    this.baseline = options.baseline ?? null;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.startFromEpoch = options.startFromEpoch ?? 0;
    this.direction = improvement(this.monitor, options.mode ?? 'auto', 'EarlyStopping');
    this.minDelta = Math.abs(options.minDelta ?? 0) * (this.direction === 'min' ? -1 : 1);
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  private isImprovement(value: number, reference: number): boolean {
    return this.direction === 'min' ? value - this.minDelta < reference : value - this.minDelta > reference;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      warnMissing('EarlyStopping', this.monitor, logs);
      return;
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) this.bestWeights = this.model!.getWeights();
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model!.getWeights();
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
      if (this.restoreBestWeights && this.bestWeights !== null) {
        if (this.verbose > 0)
          console.log('Restoring model weights from the end of the best epoch: %d.', this.bestEpoch + 1);
        this.model!.setWeights(this.bestWeights);
      }
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0)
      console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
  }
}

// ---------------------------------------------------------------------------- ModelCheckpoint

export interface ModelCheckpointOptions {
  monitor?: string;
  verbose?: number;
  saveBestOnly?: boolean;
  saveWeightsOnly?: boolean;
  mode?: Mode;
  /** 'epoch' (default) or a number of batches. */
  saveFreq?: 'epoch' | number;
}

/**
 * Saves the model (or its weights) after epochs, optionally only when the monitored metric improves
 * (Keras's ModelCheckpoint). The path may contain `{epoch}` and log keys (`{val_loss:.2f}`). It needs
 * the model's `save`/`saveWeights`.
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  private readonly direction: 'min' | 'max';
  best: number;
  private batchesSinceSave = 0;
  private currentEpoch = 0;

  constructor(filepath: string, options: ModelCheckpointOptions = {}) {
    super();
    this.filepath = filepath;
    this.monitor = options.monitor ?? 'val_loss';
    this.verbose = options.verbose ?? 0;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.saveFreq = options.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new RangeError(
        `ModelCheckpoint: saveFreq must be 'epoch' or a positive integer, got ${String(this.saveFreq)}`,
      );
    }
    this.direction = improvement(this.monitor, options.mode ?? 'auto', 'ModelCheckpoint');
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override async onTrainBatchEnd(_batch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') return;
    this.batchesSinceSave += 1;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      await this.save(this.currentEpoch, logs);
    }
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.saveFreq === 'epoch') await this.save(epoch, logs);
  }

  /** The file path for an epoch: `{epoch}` is 1-based, `{name}` and `{name:.Nf}` take log values. */
  formatPath(epoch: number, logs: Logs): string {
    return this.filepath.replace(/\{(\w+)(?::([^}]*))?\}/g, (whole, key: string, spec?: string) => {
      const value = key === 'epoch' ? epoch + 1 : logs[key];
      if (value === undefined) return whole;
      const digits = spec?.match(/^\.?(\d+)f$/);
      if (digits) return value.toFixed(Number(digits[1]));
      const width = spec?.match(/^0(\d+)d$/);
      if (width) return String(Math.round(value)).padStart(Number(width[1]), '0');
      return String(value);
    });
  }

  private async save(epoch: number, logs: Logs): Promise<void> {
    const path = this.formatPath(epoch, logs);
    if (this.saveBestOnly) {
      const current = logs[this.monitor];
      if (current === undefined) {
        warnMissing('ModelCheckpoint', this.monitor, logs);
        return;
      }
      const better = this.direction === 'min' ? current < this.best : current > this.best;
      if (!better) {
        if (this.verbose > 0)
          console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
      if (this.verbose > 0)
        console.log(
          `Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best.toFixed(5)} to ${current.toFixed(5)}, saving model to ${path}`,
        );
      this.best = current;
    } else if (this.verbose > 0) {
      console.log(`Epoch ${epoch + 1}: saving model to ${path}`);
    }
    const model = this.model as unknown as {
      save?: (p: string) => unknown;
      saveWeights?: (p: string) => unknown;
    };
    const method = this.saveWeightsOnly ? 'saveWeights' : 'save';
    const fn = model[method];
    if (typeof fn !== 'function') {
      throw new Error(
        `ModelCheckpoint: the model has no ${method}() method, so it cannot be saved to ${path}`,
      );
    }
    await fn.call(model, path);
  }
}

// ------------------------------------------------------------------- learning-rate callbacks

/** Reads an optimizer's learning rate as a number. */
export function getLearningRate(model: Model | null, owner: string): number {
  const opt = model?.optimizer as unknown as { learningRate?: unknown } | null | undefined;
  const lr = opt?.learningRate;
  if (typeof lr === 'number') return lr;
  if (lr instanceof Tensor) return Number(lr.dataSync()[0]);
  throw new Error(`${owner}: the model's optimizer has no numeric learningRate (compile the model first)`);
}

/** Sets an optimizer's learning rate. */
export function setLearningRate(model: Model | null, value: number, owner: string): void {
  if (!Number.isFinite(value))
    throw new RangeError(`${owner}: the learning rate must be a finite number, got ${value}`);
  const opt = model?.optimizer as unknown as { learningRate?: unknown } | null | undefined;
  if (!opt) throw new Error(`${owner}: the model has no optimizer (compile the model first)`);
  const lr = opt.learningRate;
  if (lr !== null && typeof lr === 'object' && 'assign' in lr && typeof lr.assign === 'function') {
    (lr as { assign: (v: number) => void }).assign(value);
  } else {
    opt.learningRate = value;
  }
}

/** Sets the learning rate at the start of each epoch from `schedule(epoch, lr)` (Keras's LearningRateScheduler). */
export class LearningRateScheduler extends Callback {
  constructor(
    readonly schedule: (epoch: number, lr: number) => number,
    readonly verbose = 0,
  ) {
    super();
  }

  override onEpochBegin(epoch: number): void {
    const lr = this.schedule(epoch, getLearningRate(this.model, 'LearningRateScheduler'));
    if (typeof lr !== 'number' || !Number.isFinite(lr)) {
      throw new TypeError(
        `LearningRateScheduler: the schedule must return a finite number, got ${String(lr)}`,
      );
    }
    setLearningRate(this.model, lr, 'LearningRateScheduler');
    if (this.verbose > 0)
      console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  override onEpochEnd(_epoch: number, logs?: Logs): void {
    if (logs) logs['learning_rate'] = getLearningRate(this.model, 'LearningRateScheduler');
  }
}

export interface ReduceLROnPlateauOptions {
  monitor?: string;
  /** New rate = rate * factor (factor < 1). */
  factor?: number;
  patience?: number;
  verbose?: number;
  mode?: Mode;
  minDelta?: number;
  /** Epochs to wait after a reduction before watching again. */
  cooldown?: number;
  minLr?: number;
}

/** Multiplies the learning rate by `factor` when the monitored metric stops improving (Keras's ReduceLROnPlateau). */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly verbose: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  private readonly direction: 'min' | 'max';
  private wait = 0;
  private cooldownCounter = 0;
  private best = Number.POSITIVE_INFINITY;

  constructor(options: ReduceLROnPlateauOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'val_loss';
    this.factor = options.factor ?? 0.1;
    if (!(this.factor < 1))
      throw new RangeError(`ReduceLROnPlateau: factor must be below 1, got ${this.factor}`);
    this.patience = options.patience ?? 10;
    this.verbose = options.verbose ?? 0;
    this.minDelta = options.minDelta ?? 1e-4;
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.direction = improvement(this.monitor, options.mode ?? 'auto', 'ReduceLROnPlateau');
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.cooldownCounter = 0;
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    logs['learning_rate'] = getLearningRate(this.model, 'ReduceLROnPlateau');
    const current = logs[this.monitor];
    if (current === undefined) {
      warnMissing('ReduceLROnPlateau', this.monitor, logs);
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    const better =
      this.direction === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
    if (better) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait += 1;
    if (this.wait < this.patience) return;
    const old = getLearningRate(this.model, 'ReduceLROnPlateau');
    if (old > this.minLr) {
      const lr = Math.max(old * this.factor, this.minLr);
      setLearningRate(this.model, lr, 'ReduceLROnPlateau');
      if (this.verbose > 0)
        console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}

// ------------------------------------------------------------------------- CSVLogger and others

/** Writes the epoch logs to a CSV file, one row per epoch (Keras's CSVLogger). */
export class CSVLogger extends Callback {
  private keys: string[] | null = null;

  constructor(
    readonly filename: string,
    readonly separator = ',',
    readonly append = false,
  ) {
    super();
  }

  override onTrainBegin(): void {
    this.keys = null;
    if (!this.append) writeFileSync(this.filename, '');
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort();
      const needsHeader = !this.append || !existsSync(this.filename) || statSync(this.filename).size === 0;
      if (needsHeader) appendFileSync(this.filename, `${['epoch', ...this.keys].join(this.separator)}\n`);
    }
    const row = [String(epoch), ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))];
    appendFileSync(this.filename, `${row.join(this.separator)}\n`);
  }
}

/** Stops training as soon as a batch loss is NaN or infinite (Keras's TerminateOnNaN). */
export class TerminateOnNaN extends Callback {
  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs['loss'];
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.log(`Batch ${batch}: invalid loss, terminating training`);
      this.model!.stopTraining = true;
    }
  }
}

/** Built-in callbacks (exact classes) whose batch hooks neither change the model nor wait. */
const MODEL_PRESERVING_BATCH_HOOKS = new Set<unknown>([ProgbarLogger, TerminateOnNaN]);

type LambdaHooks = { [H in Hook]?: Callback[H] };

/** A callback made of functions: `new LambdaCallback({ onEpochEnd: (epoch, logs) => ... })`. */
export class LambdaCallback extends Callback {
  constructor(hooks: LambdaHooks) {
    super();
    for (const [name, fn] of Object.entries(hooks)) {
      if (!(name in Callback.prototype) || name === 'setModel' || name === 'setParams') {
        throw new TypeError(`LambdaCallback: unknown hook '${name}'`);
      }
      if (typeof fn !== 'function') throw new TypeError(`LambdaCallback: hook '${name}' must be a function`);
      Object.defineProperty(this, name, { value: fn, writable: true, configurable: true, enumerable: false });
    }
  }
}

/** Writes fit's losses and metrics as TensorBoard event files (src/keras/tensorboard/). */
export { TensorBoard, type TensorBoardOptions } from './tensorboard/index.js';
