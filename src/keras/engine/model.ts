import { GradientTape } from '../../autograd/tape.js';
import type { DType, TypedArray } from '../../backend/dtype.js';
import { collectAllocations, recycle } from '../../backend/recycle.js';
import type { Dataset } from '../../data/dataset.js';
import { cast } from '../../ops/cast.js';
import type { Variable } from '../../ops/variable.js';
import { keepsNoGradients } from '../../optimizers/keras/builtins.js';
import type { TensorLike } from '../../tensor/convert.js';
import { noGrad, recording } from '../../tensor/recording.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Callback, History, Logs } from '../callbacks.js';
import { isBuiltinLoss, get as lossesGet } from '../losses.js';
import { get as metricsGet } from '../metrics.js';
import type { SafetensorsOptions, SaveOptions, SaveResult } from '../saving/model-io.js';
import { CompiledLoss, CompiledMetrics, type CompileLoss, type CompileMetrics } from './compile-utils.js';
import { type Batch, classWeightsFor, type DataLike, toTensorList } from './data-adapter.js';
import { FunctionalGraph } from './functional.js';
import { functionalConfig } from './graph-config.js';
import { InputSpec } from './input-spec.js';
import { type CallArgs, childLayers, Layer, type OutputSpecs } from './layer.js';
import { addN } from './ops-util.js';
import { type Optimizer, type OptimizerLike, resolveOptimizer } from './resolve.js';
import { declareKeepsNoTensors, keepsNoTensors, releaseStepMemory } from './step-memory.js';
import { type StepResult, StepTraces } from './step-trace.js';
import { type SummaryOptions, summaryText } from './summary.js';
import { formatShapeSpec, isSymbolic, type ShapeSpec, type SymbolicTensor } from './symbolic.js';
import { evaluateLoop, fitLoop, predictLoop } from './training.js';

export interface ModelArgs {
  /** The functional API: the model's inputs (from tf.keras.Input) ... */
  inputs?: SymbolicTensor | readonly SymbolicTensor[];
  /** ... and outputs (from layers applied to them). */
  outputs?: SymbolicTensor | readonly SymbolicTensor[];
  name?: string;
  trainable?: boolean;
}

export interface CompileArgs {
  /** An optimizer object or name ('adam', 'sgd', ...); default 'rmsprop', as Keras. */
  optimizer?: OptimizerLike;
  /** A loss name, Loss, function; or one per output (array or record by output name). */
  loss?: CompileLoss;
  /** Metrics (names or objects) for every output, or per output. Not weighted by sample weights. */
  metrics?: CompileMetrics;
  /** Metrics weighted by the sample (and class) weights. */
  weightedMetrics?: CompileMetrics;
  /** Weights of the output losses in the total loss. */
  lossWeights?: readonly number[] | { readonly [output: string]: number };
  /**
   * Run every training step eagerly, op by op (Keras's run_eagerly). By default fit replays the
   * recorded kernels of a step once a replay has matched an eager step exactly (see step-trace.ts).
   */
  runEagerly?: boolean;
}

export interface FitArgs {
  batchSize?: number;
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch; 'auto' is 1. */
  verbose?: 0 | 1 | 2 | 'auto';
  callbacks?: readonly Callback[];
  /** Fraction of the data (the last samples, before shuffling) held out for validation. */
  validationSplit?: number;
  /** `[x, y]`, `[x, y, sampleWeight]` or a Dataset, evaluated at the end of each epoch. */
  validationData?:
    | readonly [DataLike, DataLike]
    | readonly [DataLike, DataLike, TensorLike]
    | Dataset<unknown>;
  /** Shuffle the samples before each epoch (default true; ignored for datasets). */
  shuffle?: boolean;
  /** Weight of each class index in the loss. */
  classWeight?: Readonly<Record<number, number>>;
  /** Weight of each sample in the loss. */
  sampleWeight?: TensorLike;
  /** The epoch to start from (to resume training). */
  initialEpoch?: number;
  stepsPerEpoch?: number;
  validationSteps?: number;
  validationBatchSize?: number;
  /** Validate every n epochs (default 1). */
  validationFreq?: number;
}

export interface EvaluateArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 'auto';
  sampleWeight?: TensorLike;
  steps?: number;
  callbacks?: readonly Callback[];
  /** Return `{ loss, accuracy, ... }` instead of a number or an array. */
  returnDict?: boolean;
}

export interface PredictArgs {
  batchSize?: number;
  verbose?: 0 | 1 | 'auto';
  steps?: number;
  callbacks?: readonly Callback[];
}

/** Every tensor a step reads: x, y and the sample weights. */
function stepInputs(data: StepData): Tensor[] {
  return [
    ...(Array.isArray(data.x) ? data.x : [data.x]),
    ...(data.y ?? []),
    ...(data.sampleWeight ? [data.sampleWeight] : []),
  ];
}

/** A model's weights, then the trainable ones, as a step found them. */
interface StepWeights {
  readonly all: readonly Variable[];
  readonly trainable: Variable[];
}

/** The data of one step, as `trainStep`/`testStep` receive it. */
export interface StepData {
  x: Tensor | Tensor[];
  y: Tensor[] | null;
  sampleWeight: Tensor | null;
  size: number;
}

/**
 * A layer with training: Keras's Model. Built three ways: the functional API
 * (`new Model({ inputs, outputs })`), `Sequential`, or a subclass that overrides `call` (its layers
 * are the ones it holds in its properties). `compile` then `fit`/`evaluate`/`predict`.
 */
export class Model extends Layer {
  optimizer: Optimizer | null = null;
  /** Set by a callback to end `fit` after the current batch. */
  stopTraining = false;
  /** The History of the last `fit`. */
  history: History | null = null;
  /** True while `fit` runs (validation inside fit is not a separate evaluate). */
  isTraining = false;
  protected graph: FunctionalGraph | null = null;
  /** The layers of a functional graph, in order (also how their weights are found). */
  protected graphLayers: Layer[] | null = null;
  private outputsPacked = false;
  private compileArgs: CompileArgs | null = null;
  /** The training step's kernel traces (see step-trace.ts); made afresh by each compile. */
  private stepTraces = new StepTraces();
  private compiledLoss: CompiledLoss | null = null;
  private compiledMetrics: CompiledMetrics | null = null;
  /** Whether fit has declared the current run of steps quiet (see `quietSteps`). */
  private quiet = false;
  /** The weight lists of the last step, kept for the next one only in a quiet run (see trainStep). */
  private lastStepWeights: StepWeights | null = null;

  constructor(args: ModelArgs = {}) {
    super({ ...(args.name !== undefined ? { name: args.name } : {}), trainable: args.trainable ?? true });
    this.inputKind = 'none';
    if (args.inputs !== undefined || args.outputs !== undefined) {
      if (args.inputs === undefined || args.outputs === undefined) {
        throw new TypeError(`Model "${this.name}": the functional API needs both inputs and outputs`);
      }
      this.setGraph(args.inputs, args.outputs);
    }
  }

  /** Makes this a functional model over the graph between `inputs` and `outputs`. */
  protected setGraph(
    inputs: SymbolicTensor | readonly SymbolicTensor[],
    outputs: SymbolicTensor | readonly SymbolicTensor[],
  ): void {
    const ins = Array.isArray(inputs) ? [...inputs] : [inputs];
    const outs = Array.isArray(outputs) ? [...outputs] : [outputs];
    [...ins, ...outs].forEach((t) => {
      if (!isSymbolic(t)) {
        throw new TypeError(
          `Model "${this.name}": inputs and outputs must be symbolic tensors (tf.keras.Input and layers applied to it), got ${String(t)}`,
        );
      }
    });
    this.graph = new FunctionalGraph(this.name, ins as SymbolicTensor[], outs as SymbolicTensor[]);
    this.graphLayers = this.graph.layers;
    this.outputsPacked = Array.isArray(outputs);
    const specs = ins.map((t) => new InputSpec({ shape: (t as SymbolicTensor).shape }));
    this.inputSpec = ins.length === 1 ? specs[0]! : specs;
    this.built = true;
  }

  /** The model's layers: the graph's (inputs first) for functional models, else those held in properties. */
  get layers(): Layer[] {
    if (this.graphLayers) return [...this.graphLayers];
    return childLayers(this);
  }

  /** A layer by name or by index in `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      const layer = layers[nameOrIndex];
      if (!layer)
        throw new RangeError(
          `getLayer: index ${nameOrIndex} is out of range (the model has ${layers.length} layers)`,
        );
      return layer;
    }
    const layer = layers.find((l) => l.name === nameOrIndex);
    if (!layer)
      throw new RangeError(
        `getLayer: no layer named '${nameOrIndex}' (layers: ${layers.map((l) => l.name).join(', ')})`,
      );
    return layer;
  }

  /** Symbolic inputs and outputs of a functional model (empty for a subclassed one). */
  get inputs(): SymbolicTensor[] {
    return this.graph ? [...this.graph.inputs] : [];
  }

  get outputs(): SymbolicTensor[] {
    return this.graph ? [...this.graph.outputs] : [];
  }

  /** Names of the inputs (the Input layers) and outputs (the layers that produce them). */
  get inputNames(): string[] | null {
    return this.graph ? this.graph.inputs.map((t) => t.sourceLayer.name) : null;
  }

  get outputNames(): string[] | null {
    return this.graph ? this.graph.outputs.map((t) => t.sourceLayer.name) : null;
  }

  override build(inputShape: ShapeSpec | ShapeSpec[]): void {
    if (!this.graph && !this.built && this.call !== Model.prototype.call) this.computeOutputShape(inputShape);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], args: CallArgs = {}): Tensor | Tensor[] {
    if (!this.graph) {
      throw new Error(
        `Model "${this.name}" has no layers graph: a subclass of Model must override call(inputs, { training }), or build it with tf.keras.Model({ inputs, outputs })`,
      );
    }
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const expected = this.graph.inputs;
    if (list.length !== expected.length) {
      throw new RangeError(
        `Model "${this.name}" expects ${expected.length} input(s) (${expected.map((t) => `${t.name} ${formatShapeSpec(t.shape)}`).join(', ')}), but it received ${list.length}`,
      );
    }
    const converted = list.map((t, i) => conformDtype(this.name, i, t, expected[i]!.dtype));
    const outs = this.graph.run(converted, args);
    return this.outputsPacked ? outs : outs[0]!;
  }

  protected override computeOutputSpec(inputs: readonly SymbolicTensor[], packed: boolean): OutputSpecs {
    if (!this.graph) return super.computeOutputSpec(inputs, packed);
    return {
      packed: this.outputsPacked,
      outputs: this.graph.outputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
    };
  }

  // ------------------------------------------------------------------ compile and steps

  /** Configures training: optimizer, loss(es), metrics. */
  compile(args: CompileArgs): void {
    if (args === null || typeof args !== 'object') {
      throw new TypeError(
        `compile: expected an options object { optimizer, loss, metrics }, got ${String(args)}`,
      );
    }
    this.optimizer = resolveOptimizer(args.optimizer ?? 'rmsprop');
    this.compileArgs = args;
    this.stepTraces = new StepTraces();
    this.compiledLoss = null;
    this.compiledMetrics = null;
    // Resolve now so that an unknown loss or metric name fails at compile, as in Keras.
    if (this.outputNames) this.setUpCompiled(this.outputNames);
    else validateIdentifiers(args);
  }

  get isCompiled(): boolean {
    return this.compileArgs !== null;
  }

  /** The metrics of the logs, in order: 'loss' first (Keras's metrics_names). */
  get metricsNames(): string[] {
    const logs: Logs = {};
    this.compiledLoss?.logs(logs);
    this.compiledMetrics?.logs(logs);
    return Object.keys(logs);
  }

  private setUpCompiled(outputNames: readonly string[]): void {
    const args = this.compileArgs!;
    if (args.loss === undefined) {
      throw new Error(
        `Model "${this.name}": compile() was called without a loss, so the model cannot be trained or evaluated`,
      );
    }
    this.compiledLoss = new CompiledLoss(args.loss, args.lossWeights, outputNames);
    this.compiledMetrics = new CompiledMetrics(
      args.metrics,
      args.weightedMetrics,
      outputNames,
      this.compiledLoss.lossFns,
    );
  }

  /** @internal Throws Keras's message when compile has not been called. */
  assertCompiled(method: string): void {
    if (!this.compileArgs) {
      throw new Error(
        `Model "${this.name}": you must compile the model before ${method}; call model.compile({ optimizer, loss }) first`,
      );
    }
  }

  private compiled(yPred: readonly Tensor[]): { loss: CompiledLoss; metrics: CompiledMetrics } {
    if (!this.compiledLoss) {
      this.setUpCompiled(this.outputNames ?? yPred.map((_, i) => `output_${i + 1}`));
    }
    return { loss: this.compiledLoss!, metrics: this.compiledMetrics! };
  }

  /** The loss of a batch: the compiled losses (when there are targets) plus the model's added losses. */
  protected computeLoss(data: StepData, yPred: Tensor[]): { total: Tensor; values: (Tensor | null)[] } {
    const { loss } = this.compiled(yPred);
    if (data.y === null) {
      const extra = this.losses;
      if (extra.length === 0) {
        throw new Error(
          `Model "${this.name}": no targets (y) were given, and the model adds no losses of its own`,
        );
      }
      return { total: addN(extra), values: [] };
    }
    return loss.compute(data.y, yPred, data.sampleWeight, this.losses);
  }

  /**
   * @internal Set by fit around the steps of an epoch when nothing but those steps can run between
   * them: no callback's batch hook but built-in ones that leave the model alone, and data from tensors in
   * memory (no user code producing batches), with no waiting that would let other code in. Within such a
   * run the model's layers cannot change, so a replayed step's weight lists and its layer check hold for
   * the next step, which then skips walking the model (three walks over every layer's properties cost a
   * small model's step more in JIT compilation than its kernels gain from a second core). Keras, likewise,
   * traces its train function once and does not look at the layers again until compile.
   */
  set quietSteps(on: boolean) {
    this.quiet = on;
    this.lastStepWeights = null;
  }

  /** One optimization step on a batch (Keras's train_step); override for custom training. */
  trainStep(data: StepData): Logs | undefined {
    // Kept only by a replayed step of a quiet run (below), and only for the step right after it.
    const known = this.lastStepWeights;
    this.lastStepWeights = null;
    const privateMemory = this.stepMemoryIsPrivate(known !== null);
    const nodesBefore = recording.trackedNodes;
    const allocated: TypedArray[] = [];
    let vars = known?.trainable ?? this.trainableWeights;
    const eager = (): StepResult => {
      const tape = new GradientTape();
      const { yPred, total, values } = tape.record(() => {
        const yPred = asList(this.apply(data.x, { training: true }));
        return { yPred, ...this.computeLoss(data, yPred) };
      });
      // Read again after the forward pass, which builds the weights of a model called the first time.
      vars = this.trainableWeights;
      return { yPred, total, values, grads: tape.gradient(total, vars) };
    };
    const inputs = stepInputs(data);
    const weights = known?.all ?? this.weights;
    const replaysBefore = this.stepTraces.replayedSteps;
    // A step whose memory is private to it sees only built-in parts, which a trace can replay.
    const traced = privateMemory && !this.compileArgs?.runEagerly && !inputs.some((t) => t.trackGrad);
    const { yPred, total, values, grads } = collectAllocations(allocated, () =>
      traced ? this.stepTraces.run(inputs, weights, vars, eager) : eager(),
    );
    const pairs: [Tensor, (typeof vars)[number]][] = [];
    grads.forEach((g, i) => {
      if (g) pairs.push([g, vars[i]!]);
    });
    if (pairs.length === 0 && vars.length > 0) {
      throw new Error(
        `Model "${this.name}": no gradients for any trainable weight (${vars.map((v) => v.name).join(', ')}); the loss does not depend on them`,
      );
    }
    this.optimizer!.applyGradients(pairs);
    const replayed = this.stepTraces.replayedSteps > replaysBefore;
    // A replay ran only kernels: it built no weight and called no layer code.
    if (replayed && this.quiet) this.lastStepWeights = { all: weights, trainable: vars };
    if (privateMemory && recording.trackedNodes === nodesBefore) {
      // A replayed step made no weights; an eager one may have built some.
      const kept = replayed ? weights : this.weights;
      const survivors = [...yPred, total, ...values.filter((v) => v !== null), ...kept];
      releaseStepMemory(allocated, survivors);
    } else {
      this.handBack(grads);
    }
    this.track(data, yPred, total, values);
    return undefined;
  }

  /**
   * Whether nothing but trainStep can hold the tensors of its step (see step-memory.ts): then the step's
   * arrays go back to the allocator once the weights are updated.
   */
  private stepMemoryIsPrivate(layersChecked: boolean): boolean {
    if (recording.tapes.length > 0 || !keepsNoGradients(this.optimizer)) return false;
    if (this.trainStep !== Model.prototype.trainStep || this.computeLoss !== Model.prototype.computeLoss) {
      return false;
    }
    const lossFns = this.compiledLoss?.lossFns ?? [];
    if (!lossFns.every((l) => l === null || isBuiltinLoss(l))) return false;
    // The previous step of a quiet run replayed, which it did only after this walk found the layers built in.
    return layersChecked || keepsNoTensors(this, (l) => (l instanceof Model ? l.layers : []));
  }

  /**
   * Returns this step's gradient storage to the allocator once a built-in optimizer has applied it:
   * nothing else can hold it then (the gradients never leave trainStep, and with no other tape
   * recording, no graph saved them), so the next step's gradients reuse it instead of fresh memory.
   */
  private handBack(grads: readonly (Tensor | null)[]): void {
    if (recording.tapes.length > 0 || !keepsNoGradients(this.optimizer)) return;
    const storages = new Set<TypedArray>();
    const shared = new Set<TypedArray>();
    for (const g of grads) {
      if (g === null) continue;
      // A gradient that is a view (or shares storage with another) is left to the garbage collector.
      if (g.trackGrad || !g.isContiguous || storages.has(g.storage)) shared.add(g.storage);
      storages.add(g.storage);
    }
    for (const s of shared) storages.delete(s);
    recycle(storages);
  }

  /** One evaluation step (Keras's test_step). */
  testStep(data: StepData): Logs | undefined {
    noGrad(() => {
      const yPred = asList(this.apply(data.x, { training: false }));
      const { total, values } = this.computeLoss(data, yPred);
      this.track(data, yPred, total, values);
    });
    return undefined;
  }

  /** One prediction step (Keras's predict_step). */
  predictStep(data: StepData): Tensor[] {
    return noGrad(() => asList(this.apply(data.x, { training: false })));
  }

  private track(data: StepData, yPred: Tensor[], total: Tensor, values: (Tensor | null)[]): void {
    const { loss, metrics } = this.compiled(yPred);
    noGrad(() => {
      loss.track(total, values, data.size);
      if (data.y) metrics.update(data.y, yPred, data.sampleWeight);
    });
  }

  /** @internal Clears the running loss and metric values (start of an epoch or an evaluation). */
  resetMetrics(): void {
    this.compiledLoss?.reset();
    this.compiledMetrics?.reset();
  }

  /** @internal The running loss and metric values. */
  currentLogs(): Logs {
    const logs: Logs = {};
    this.compiledLoss?.logs(logs);
    this.compiledMetrics?.logs(logs);
    return logs;
  }

  /** The metric objects (Keras's model.metrics, after a first step). */
  get metrics(): unknown[] {
    return this.compiledMetrics?.metrics ?? [];
  }

  /** @internal A batch as a step receives it, with class weights folded into the sample weights. */
  stepData(batch: Batch, classWeight?: Readonly<Record<number, number>>): StepData {
    let sampleWeight = batch.sampleWeight;
    if (classWeight && batch.y) {
      if (batch.y.length !== 1)
        throw new TypeError('fit: classWeight is only supported for models with one output');
      const cw = classWeightsFor(batch.y[0]!, classWeight);
      sampleWeight = sampleWeight ? cw.mul(sampleWeight) : cw;
    }
    return { x: batch.x.length === 1 ? batch.x[0]! : batch.x, y: batch.y, sampleWeight, size: batch.size };
  }

  // ------------------------------------------------------------------ loops

  /** Trains for `epochs` over tensors (`fit(x, y, options)`) or a Dataset (`fit(ds, options)`). */
  fit(dataset: Dataset<unknown>, args?: FitArgs): Promise<History>;
  fit(x: DataLike, y?: DataLike | null, args?: FitArgs): Promise<History>;
  fit(x: DataLike | Dataset<unknown>, y?: DataLike | FitArgs | null, args?: FitArgs): Promise<History> {
    return fitLoop(this, x, y, args);
  }

  /** Loss and metrics on data: a number (just the loss), an array, or a record with `returnDict`. */
  evaluate(dataset: Dataset<unknown>, args?: EvaluateArgs): Promise<number | number[] | Logs>;
  evaluate(x: DataLike, y?: DataLike | null, args?: EvaluateArgs): Promise<number | number[] | Logs>;
  evaluate(
    x: DataLike | Dataset<unknown>,
    y?: DataLike | EvaluateArgs | null,
    args?: EvaluateArgs,
  ): Promise<number | number[] | Logs> {
    return evaluateLoop(this, x, y, args);
  }

  /** Outputs for inputs, in batches (inference mode); a Dataset gives a Promise. */
  predict(dataset: Dataset<unknown>, args?: PredictArgs): Promise<Tensor | Tensor[]>;
  predict(x: DataLike, args?: PredictArgs): Tensor;
  predict(
    x: DataLike | Dataset<unknown>,
    args: PredictArgs = {},
  ): Tensor | Tensor[] | Promise<Tensor | Tensor[]> {
    return predictLoop(this, x, args);
  }

  /** One training step on one batch; returns the loss (and metrics) of that batch. */
  trainOnBatch(
    x: DataLike,
    y: DataLike | null,
    args: {
      sampleWeight?: TensorLike;
      classWeight?: Readonly<Record<number, number>>;
      resetMetrics?: boolean;
      returnDict?: boolean;
    } = {},
  ): number | number[] | Logs {
    this.assertCompiled('training');
    if (args.resetMetrics ?? true) this.resetMetrics();
    const batch = this.singleBatch(x, y, args.sampleWeight);
    this.trainStep(this.stepData(batch, args.classWeight));
    return formatResult(this.currentLogs(), args.returnDict ?? false);
  }

  /** The loss (and metrics) on one batch, without training. */
  testOnBatch(
    x: DataLike,
    y: DataLike | null,
    args: { sampleWeight?: TensorLike; resetMetrics?: boolean; returnDict?: boolean } = {},
  ): number | number[] | Logs {
    this.assertCompiled('evaluation');
    if (args.resetMetrics ?? true) this.resetMetrics();
    this.testStep(this.stepData(this.singleBatch(x, y, args.sampleWeight)));
    return formatResult(this.currentLogs(), args.returnDict ?? false);
  }

  /** Outputs for one batch. */
  predictOnBatch(x: DataLike): Tensor | Tensor[] {
    const batch = this.singleBatch(x, null, undefined);
    const out = this.predictStep(this.stepData(batch));
    return out.length === 1 ? out[0]! : out;
  }

  private singleBatch(x: DataLike, y: DataLike | null, sw: TensorLike | undefined): Batch {
    const xs = toTensorList('x', x, this.inputNames);
    const ys = y === null || y === undefined ? null : toTensorList('y', y, this.outputNames);
    const w = sw === undefined ? null : toTensorList('sampleWeight', sw, null)[0]!;
    return { x: xs, y: ys, sampleWeight: w, size: xs[0]!.shape[0] ?? 1 };
  }

  /** Prints (or passes to `printFn`) Keras's table of layers, output shapes and parameter counts. */
  summary(options: SummaryOptions = {}): void {
    const text = summaryText(this, options);
    for (const line of text.split('\n')) (options.printFn ?? console.log)(line);
  }

  /** For a functional model, the architecture (layers and connections); else the name and trainable flag. */
  override getConfig(): Record<string, unknown> {
    if (this.graph) return { ...functionalConfig(this, this.graph) };
    return { name: this.name, trainable: this.trainable };
  }

  /** The architecture as JSON: `{ className, config }` (Keras's to_json). */
  toJson(): string {
    return JSON.stringify({ className: this.constructor.name, config: this.getConfig() });
  }

  // ------------------------------------------------------------------ saving (keras/saving)

  /**
   * Saves the architecture, the weights, the training configuration and the optimizer's state to the
   * directory `path` (TensorFlow.js layers format: model.json and binary shards), atomically; load it
   * with `tf.keras.models.loadModel(path)`.
   */
  async save(path: string, options?: SaveOptions): Promise<SaveResult> {
    return (await import('../saving/model-io.js')).saveModel(this, path, options);
  }

  /** Saves the weights alone: a directory (tfjs weights manifest and shards), or a `.safetensors` file. */
  async saveWeights(
    path: string,
    options?: Pick<SaveOptions, 'overwrite' | 'shardSizeBytes'>,
  ): Promise<SaveResult> {
    return (await import('../saving/model-io.js')).saveWeights(this, path, options);
  }

  /** Loads weights written by `saveWeights`, `save` or `exportSafetensors`; all are checked before any is assigned. */
  async loadWeights(path: string): Promise<void> {
    return (await import('../saving/model-io.js')).loadWeights(this, path);
  }

  /** Writes the weights as a safetensors file (for PyTorch) and a JSON config beside it. */
  async exportSafetensors(
    path: string,
    options?: SafetensorsOptions,
  ): Promise<SaveResult & { configPath: string }> {
    return (await import('../saving/model-io.js')).exportSafetensors(this, path, options);
  }
}

/** Resolves the loss and metric names of a model whose outputs are not known yet, so that typos fail now. */
function validateIdentifiers(args: CompileArgs): void {
  const check = (spec: unknown, resolve: (id: never) => unknown) => {
    const items = Array.isArray(spec)
      ? spec.flat()
      : spec !== null && typeof spec === 'object' && !('className' in spec)
        ? Object.values(spec).flat()
        : [spec];
    for (const item of items)
      if (typeof item === 'string' && item !== 'accuracy' && item !== 'acc') resolve(item as never);
  };
  if (args.loss !== undefined && args.loss !== null && !(args.loss instanceof Object && 'apply' in args.loss))
    check(args.loss, lossesGet);
  if (args.metrics !== undefined) check(args.metrics, metricsGet);
  if (args.weightedMetrics !== undefined) check(args.weightedMetrics, metricsGet);
}

function asList(out: unknown): Tensor[] {
  return Array.isArray(out) ? (out as Tensor[]) : [out as Tensor];
}

/** Casts an input to the dtype of its Input; a bool where a number is expected is an error. */
function conformDtype(model: string, index: number, t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  if (t.dtype === 'bool' || dtype === 'bool') {
    throw new TypeError(
      `Input ${index} of model "${model}" expects dtype ${dtype}, but it received a ${t.dtype} tensor of shape ${formatShapeSpec(t.shape)}`,
    );
  }
  return cast(t, dtype);
}

/** Keras's return value of evaluate/trainOnBatch: the loss alone, or [loss, ...metrics], or the record. */
export function formatResult(logs: Logs, returnDict: boolean): number | number[] | Logs {
  if (returnDict) return logs;
  const values = Object.values(logs);
  return values.length === 1 ? values[0]! : values;
}

// A functional model's call runs its graph's layers, each judged on its own (engine/step-memory.ts).
declareKeepsNoTensors(Model);
