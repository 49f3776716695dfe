/**
 * The loops of fit, evaluate and predict: one pass per epoch over an Adapter's batches, the model's
 * overridable step for each, and the callbacks around them (History and the progress bar included).
 */
import { type Dataset, isDataset } from '../../data/dataset.js';
import { concat } from '../../ops/shape.js';
import type { TensorLike } from '../../tensor/convert.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  type Callback,
  CallbackList,
  type CallbackParams,
  History,
  type Logs,
  ProgbarLogger,
} from '../callbacks.js';
import {
  type Adapter,
  type Batch,
  type DataLike,
  DatasetAdapter,
  TensorAdapter,
  toTensorList,
} from './data-adapter.js';
import type { EvaluateArgs, FitArgs, Model, PredictArgs } from './model.js';
import { formatResult } from './model.js';

function positiveInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function verbosity(v: 0 | 1 | 2 | 'auto' | undefined): 0 | 1 | 2 {
  if (v === undefined || v === 'auto') return 1;
  if (v !== 0 && v !== 1 && v !== 2)
    throw new RangeError(`verbose must be 0, 1, 2 or 'auto', got ${String(v)}`);
  return v;
}

function tensorAdapter(
  model: Model,
  owner: string,
  x: DataLike,
  y: DataLike | null | undefined,
  sw: TensorLike | undefined,
  batchSize: number,
  shuffle: boolean,
): TensorAdapter {
  const xs = toTensorList('x', x, model.inputNames);
  const ys = y === null || y === undefined ? null : toTensorList('y', y, model.outputNames);
  const w = sw === undefined ? null : toTensorList('sampleWeight', sw, null)[0]!;
  if (xs.length === 0) throw new TypeError(`${owner}: no input data given`);
  return new TensorAdapter(xs, ys, w, positiveInt(owner, 'batchSize', batchSize), shuffle);
}

/** `fit`: see Model.fit. */
export async function fitLoop(
  model: Model,
  x: DataLike | Dataset<unknown>,
  yOrArgs: DataLike | FitArgs | null | undefined,
  maybeArgs: FitArgs | undefined,
): Promise<History> {
  const fromDataset = isDataset(x);
  const args: FitArgs = (fromDataset ? (yOrArgs as FitArgs | undefined) : maybeArgs) ?? {};
  const y = fromDataset ? null : (yOrArgs as DataLike | null | undefined);
  model.assertCompiled('training (fit)');
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`fit: epochs must be a non-negative integer, got ${epochs}`);
  const initialEpoch = args.initialEpoch ?? 0;
  const verbose = verbosity(args.verbose);
  const batchSize = args.batchSize ?? 32;
  const validationFreq = positiveInt('fit', 'validationFreq', args.validationFreq ?? 1);

  let train: Adapter;
  let validation: Adapter | null = null;
  if (fromDataset) {
    if (args.validationSplit !== undefined) {
      throw new TypeError(
        'fit: validationSplit is only supported for tensors, not for a Dataset (pass validationData)',
      );
    }
    if (args.sampleWeight !== undefined)
      throw new TypeError('fit: sampleWeight cannot be given with a Dataset (put it in the elements)');
    const steps =
      args.stepsPerEpoch === undefined ? null : positiveInt('fit', 'stepsPerEpoch', args.stepsPerEpoch);
    train = new DatasetAdapter(x as Dataset<unknown>, steps, model.inputNames, model.outputNames);
  } else if (args.validationSplit !== undefined && args.validationSplit !== 0) {
    if (args.validationData !== undefined) {
      console.warn('fit: both validationData and validationSplit were given; using validationData');
    }
    const xs = toTensorList('x', x as DataLike, model.inputNames);
    const ys = y === null || y === undefined ? null : toTensorList('y', y, model.outputNames);
    const w =
      args.sampleWeight === undefined ? null : toTensorList('sampleWeight', args.sampleWeight, null)[0]!;
    const { train: t, val } = TensorAdapter.split(xs, ys, w, args.validationSplit);
    train = new TensorAdapter(
      t[0],
      t[1],
      t[2],
      positiveInt('fit', 'batchSize', batchSize),
      args.shuffle ?? true,
    );
    if (args.validationData === undefined) {
      validation = new TensorAdapter(val[0], val[1], val[2], args.validationBatchSize ?? batchSize, false);
    }
  } else {
    train = tensorAdapter(model, 'fit', x as DataLike, y, args.sampleWeight, batchSize, args.shuffle ?? true);
  }
  if (args.validationData !== undefined) validation = validationAdapter(model, args, batchSize);

  const history = new History();
  const callbacks: Callback[] = [...(args.callbacks ?? [])];
  if (verbose > 0) callbacks.unshift(new ProgbarLogger());
  callbacks.push(history);
  const params: CallbackParams = { epochs, steps: train.steps(), verbose };
  const list = new CallbackList(callbacks, model, params);
  const wantsBegin = list.wants('onTrainBatchBegin');
  const wantsEnd = list.wants('onTrainBatchEnd');
  // Nothing but the steps runs between two steps of an epoch (see Model.quietSteps).
  const quiet = train instanceof TensorAdapter && list.trainBatchHooksLeaveModel();

  model.stopTraining = false;
  model.isTraining = true;
  model.history = history;
  let lastLogs: Logs = {};
  try {
    await list.call('onTrainBegin', {});
    for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
      model.resetMetrics();
      await list.call('onEpochBegin', epoch, {});
      let step = 0;
      model.quietSteps = quiet;
      for await (const batch of train.epoch()) {
        if (wantsBegin) await list.call('onTrainBatchBegin', step, { batch: step, size: batch.size });
        const logs = model.trainStep(model.stepData(batch, args.classWeight));
        if (wantsEnd) await list.call('onTrainBatchEnd', step, logs ?? model.currentLogs());
        step += 1;
        if (model.stopTraining) break;
      }
      model.quietSteps = false;
      params.steps = train.steps();
      const epochLogs = model.currentLogs();
      if (validation && (epoch + 1) % validationFreq === 0) {
        const valLogs = await runEvaluation(model, validation, list);
        for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
      }
      await list.call('onEpochEnd', epoch, epochLogs);
      lastLogs = epochLogs;
    }
    await list.call('onTrainEnd', lastLogs);
  } finally {
    model.isTraining = false;
    model.quietSteps = false;
  }
  return history;
}

function validationAdapter(model: Model, args: FitArgs, batchSize: number): Adapter {
  const data = args.validationData!;
  if (isDataset(data)) {
    const steps =
      args.validationSteps === undefined ? null : positiveInt('fit', 'validationSteps', args.validationSteps);
    return new DatasetAdapter(data, steps, model.inputNames, model.outputNames);
  }
  if (!Array.isArray(data) || data.length < 2 || data.length > 3) {
    throw new TypeError('fit: validationData must be [x, y], [x, y, sampleWeight] or a Dataset');
  }
  const [vx, vy, vsw] = data as [DataLike, DataLike, TensorLike | undefined];
  return tensorAdapter(
    model,
    'fit (validationData)',
    vx,
    vy,
    vsw,
    args.validationBatchSize ?? batchSize,
    false,
  );
}

/** Evaluates over an adapter's batches, calling the test hooks; returns the logs (loss first). */
async function runEvaluation(model: Model, data: Adapter, list: CallbackList): Promise<Logs> {
  model.resetMetrics();
  const wantsBegin = list.wants('onTestBatchBegin');
  const wantsEnd = list.wants('onTestBatchEnd');
  await list.call('onTestBegin', {});
  let step = 0;
  for await (const batch of data.epoch()) {
    if (wantsBegin) await list.call('onTestBatchBegin', step, { batch: step, size: batch.size });
    const logs = model.testStep(model.stepData(batch));
    if (wantsEnd) await list.call('onTestBatchEnd', step, logs ?? model.currentLogs());
    step += 1;
  }
  const logs = model.currentLogs();
  await list.call('onTestEnd', logs);
  return logs;
}

/** `evaluate`: see Model.evaluate. */
export async function evaluateLoop(
  model: Model,
  x: DataLike | Dataset<unknown>,
  yOrArgs: DataLike | EvaluateArgs | null | undefined,
  maybeArgs: EvaluateArgs | undefined,
): Promise<number | number[] | Logs> {
  const fromDataset = isDataset(x);
  const args: EvaluateArgs = (fromDataset ? (yOrArgs as EvaluateArgs | undefined) : maybeArgs) ?? {};
  model.assertCompiled('evaluation (evaluate)');
  const verbose = verbosity(args.verbose);
  const data: Adapter = fromDataset
    ? new DatasetAdapter(x as Dataset<unknown>, args.steps ?? null, model.inputNames, model.outputNames)
    : tensorAdapter(
        model,
        'evaluate',
        x as DataLike,
        yOrArgs as DataLike | null,
        args.sampleWeight,
        args.batchSize ?? 32,
        false,
      );
  const callbacks: Callback[] = [...(args.callbacks ?? [])];
  if (verbose > 0) callbacks.unshift(new ProgbarLogger());
  const list = new CallbackList(callbacks, model, { steps: data.steps(), verbose });
  const logs = await runEvaluation(model, data, list);
  return formatResult(logs, args.returnDict ?? false);
}

/** `predict`: see Model.predict. Tensors are predicted synchronously; a Dataset asynchronously. */
export function predictLoop(
  model: Model,
  x: DataLike | Dataset<unknown>,
  args: PredictArgs,
): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
  // Keras 2 predicts silently unless asked (verbose: 1).
  const verbose = args.verbose === undefined ? 0 : verbosity(args.verbose);
  const callbacks: Callback[] = [...(args.callbacks ?? [])];
  if (verbose > 0) callbacks.unshift(new ProgbarLogger());
  if (isDataset(x)) {
    const data = new DatasetAdapter(x, args.steps ?? null, model.inputNames, model.outputNames);
    const list = new CallbackList(callbacks, model, { steps: data.steps(), verbose });
    return (async () => {
      const parts: Tensor[][] = [];
      await list.call('onPredictBegin', {});
      let step = 0;
      for await (const batch of data.epoch()) {
        parts.push(predictBatch(model, batch));
        await list.call('onPredictBatchEnd', step++, {});
      }
      await list.call('onPredictEnd', {});
      return joinBatches(parts);
    })();
  }
  const data = tensorAdapter(model, 'predict', x, null, undefined, args.batchSize ?? 32, false);
  const list = new CallbackList(callbacks, model, { steps: data.steps(), verbose });
  const parts: Tensor[][] = [];
  list.callSync('onPredictBegin', {});
  let step = 0;
  for (const batch of data.batches()) {
    parts.push(predictBatch(model, batch));
    list.callSync('onPredictBatchEnd', step++, {});
  }
  list.callSync('onPredictEnd', {});
  return joinBatches(parts);
}

function predictBatch(model: Model, batch: Batch): Tensor[] {
  return model.predictStep(model.stepData(batch));
}

function joinBatches(parts: Tensor[][]): Tensor | Tensor[] {
  if (parts.length === 0) throw new RangeError('predict: no input samples');
  const outputs = parts[0]!.map((_, i) =>
    parts.length === 1
      ? parts[0]![i]!
      : concat(
          parts.map((p) => p[i]!),
          0,
        ),
  );
  return outputs.length === 1 ? outputs[0]! : outputs;
}
