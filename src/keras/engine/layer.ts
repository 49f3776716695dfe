import { type DType, isDType, isFloat } from '../../backend/dtype.js';
import { div } from '../../ops/binary.js';
import { cast } from '../../ops/cast.js';
import { zeros } from '../../ops/creation.js';
import { Variable } from '../../ops/variable.js';
import { type TensorLike, toTensor } from '../../tensor/convert.js';
import { noGrad } from '../../tensor/recording.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { checkInputSpecs, type InputSpec } from './input-spec.js';
import { toSnakeCase, uniqueName } from './naming.js';
import {
  type InitializerLike,
  type Regularizer,
  type RegularizerLike,
  regularizers,
  resolveInitializer,
  resolveRegularizer,
} from './resolve.js';
import {
  checkShapeSpec,
  type Dim,
  formatShapeSpec,
  type GraphNode,
  isSymbolic,
  type ShapeSpec,
  SymbolicTensor,
} from './symbolic.js';

/** Options every layer accepts (Keras's base Layer keyword arguments). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** The dtype of the layer's weights and computations (default float32). */
  dtype?: DType;
  /** Shape of one sample, without the batch axis; on a first layer it makes the model's Input. */
  inputShape?: ShapeSpec;
  /** Full input shape with the batch axis (null for any batch size). */
  batchInputShape?: ShapeSpec;
  /** Fixed batch size to go with `inputShape`. */
  batchSize?: number;
  /** `inputDim: n` is `inputShape: [n]` (Dense, Embedding). */
  inputDim?: number;
  /** A penalty on the layer's output, added to `losses` (divided by the batch size, as Keras). */
  activityRegularizer?: RegularizerLike | null;
}

/** Arguments of a call: Keras's `training` flag (and anything a custom layer wants). */
export interface CallArgs {
  training?: boolean;
  [key: string]: unknown;
}

export interface AddWeightOptions {
  name?: string;
  shape?: readonly number[];
  dtype?: DType;
  /** An initializer object, its name ('glorotUniform', 'zeros', ...) or config; default glorotUniform (zeros for non-float). */
  initializer?: InitializerLike;
  regularizer?: RegularizerLike | null;
  trainable?: boolean;
}

/**
 * How a layer converts its inputs: 'float' casts numbers to the layer dtype and rejects bool, 'int'
 * casts to int32 (indices), 'any' casts only floats to the layer dtype, 'none' leaves them alone.
 */
export type InputKind = 'float' | 'int' | 'any' | 'none';

/** The training flag of the enclosing layer call, inherited by nested calls that do not pass one. */
let outerTraining: boolean | undefined;
/** Depth of nested eager layer calls; per-call losses are cleared at depth 0. */
let callDepth = 0;
/** Incremented at every outermost call; call losses from an older pass are stale. */
let passId = 0;

/**
 * The base of every layer and model (Keras's Layer). `apply(x)` is Python's `layer(x)`: it checks the
 * input against `inputSpec`, builds the layer on the first input shape (`build` creates the weights
 * with `addWeight`), and runs `call`. Given symbolic tensors (from `tf.keras.Input`) it records the
 * call in a graph instead and returns symbolic outputs. Subclasses override `build`, `call` and
 * `getConfig`; the output shape is inferred by running `call` on small samples unless
 * `computeOutputShape` is overridden.
 */
export class Layer {
  name: string;
  built = false;
  readonly dtype: DType;
  /** What `apply` checks inputs against; set in the constructor or in `build`. */
  inputSpec: InputSpec | InputSpec[] | null = null;
  /** The declared input shape with the batch axis, when the constructor was given one. */
  readonly batchInputShape: Dim[] | null;
  /** The calls of this layer on symbolic tensors, in order (Keras's inbound nodes). */
  readonly inboundNodes: GraphNode[] = [];
  /** How inputs are converted before `call` (see InputKind). */
  protected inputKind: InputKind = 'float';

  /** The penalty on outputs, if any. */
  readonly activityRegularizer: Regularizer | null;
  private trainableFlag: boolean;
  private readonly ownWeights: { variable: Variable; trainable: boolean }[] = [];
  private readonly weightRegularizers: { variable: Variable; regularizer: Regularizer }[] = [];
  private callLosses: Tensor[] = [];
  private callLossesPass = -1;
  /** Shapes of the last eager call, for `summary()` of models that were never called symbolically. */
  private lastShapes: { input: ShapeSpec[]; output: ShapeSpec[] } | null = null;

  constructor(args: LayerArgs = {}) {
    const dtype = args.dtype ?? 'float32';
    if (!isDType(dtype)) throw new TypeError(`${this.constructor.name}: unknown dtype '${String(dtype)}'`);
    this.dtype = dtype;
    this.name = args.name ?? uniqueName(toSnakeCase(this.constructor.name));
    this.trainableFlag = args.trainable ?? true;
    this.batchInputShape = declaredBatchShape(this.constructor.name, args);
    this.activityRegularizer = resolveRegularizer(args.activityRegularizer ?? null);
    // A subclass's build need not set `built` (as in Keras 3): calling build, by apply or by hand, does.
    const build = this.build;
    Object.defineProperty(this, 'build', {
      value: (inputShape: ShapeSpec | ShapeSpec[]) => {
        build.call(this, inputShape);
        this.built = true;
      },
      enumerable: false,
      writable: true,
      configurable: true,
    });
  }

  // ------------------------------------------------------------------ weights

  get trainable(): boolean {
    return this.trainableFlag;
  }

  /** Freezing a layer makes all its weights (and its sublayers') non-trainable, as in Keras. */
  set trainable(value: boolean) {
    this.trainableFlag = value;
    for (const w of this.ownWeights) w.variable.trainable = value && w.trainable;
    for (const child of childLayers(this)) child.trainable = value;
  }

  /**
   * Creates a weight of this layer: `addWeight('kernel', [2, 1], { initializer: 'glorotUniform' })`, or
   * Keras 3's form `addWeight({ name, shape, initializer, regularizer, trainable })`.
   */
  addWeight(
    nameOrOptions: string | AddWeightOptions,
    shape?: readonly number[],
    options: AddWeightOptions = {},
  ) {
    const opts =
      typeof nameOrOptions === 'string' ? { ...options, name: nameOrOptions, shape } : nameOrOptions;
    const weightShape = opts.shape ?? [];
    const dtype = opts.dtype ?? this.dtype;
    const name = opts.name ?? `weight_${this.ownWeights.length}`;
    if (!weightShape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new RangeError(
        `${this.name}: weight '${name}' needs a concrete shape of non-negative integers, got ${JSON.stringify(weightShape)}`,
      );
    }
    const init = resolveInitializer(opts.initializer ?? (isFloat(dtype) ? 'glorotUniform' : 'zeros'));
    let value = noGrad(() => init.apply([...weightShape], dtype));
    if (value.dtype !== dtype) value = cast(value, dtype);
    const trainable = opts.trainable ?? true;
    const variable = new Variable(value, {
      dtype,
      trainable: trainable && this.trainableFlag,
      name: `${this.name}/${name}:0`,
    });
    this.ownWeights.push({ variable, trainable });
    const regularizer = resolveRegularizer(opts.regularizer ?? null);
    if (regularizer !== null) this.weightRegularizers.push({ variable, regularizer });
    return variable;
  }

  /** The weights that gradient descent updates: this layer's, then its sublayers', without repeats. */
  get trainableWeights(): Variable[] {
    return collectWeights(this, 'trainable');
  }

  get nonTrainableWeights(): Variable[] {
    return collectWeights(this, 'nonTrainable');
  }

  /** All weights: for each layer, its trainable then its non-trainable ones (Keras's order). */
  get weights(): Variable[] {
    return collectWeights(this, 'all');
  }

  /** Keras 3's names for the same lists. */
  get trainableVariables(): Variable[] {
    return this.trainableWeights;
  }

  get nonTrainableVariables(): Variable[] {
    return this.nonTrainableWeights;
  }

  get variables(): Variable[] {
    return this.weights;
  }

  /** The current values of `weights`, as tensors that later training does not change. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.snapshot());
  }

  /** Replaces the weights' values, in the order of `getWeights()`; shapes must match. */
  setWeights(values: readonly TensorLike[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new RangeError(
        `${this.name}.setWeights: expected ${ws.length} arrays (${ws.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ') || 'the layer has no weights yet'}), got ${values.length}`,
      );
    }
    const tensors = values.map((v, i) => toTensor(v, `${this.name}.setWeights`, ws[i]!.dtype));
    tensors.forEach((t, i) => {
      const w = ws[i]!;
      if (!shapesEqual(t.shape, w.shape)) {
        throw new RangeError(
          `${this.name}.setWeights: weight ${i} ('${w.name}') has shape ${formatShape(w.shape)}, but the value given has shape ${formatShape(t.shape)}`,
        );
      }
    });
    tensors.forEach((t, i) => {
      ws[i]!.assign(t.dtype === ws[i]!.dtype ? t : cast(t, ws[i]!.dtype));
    });
  }

  /** Number of scalars in the weights; the layer must be built. */
  countParams(): number {
    if (!this.built && this.weights.length === 0) {
      throw new Error(
        `${this.name}.countParams: the layer is not built yet, so its weights do not exist; call it on an input or build it first`,
      );
    }
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  // ------------------------------------------------------------------ losses

  /** Adds a loss (a scalar tensor) computed in `call`, such as an activity regularization term. */
  addLoss(loss: Tensor | (() => Tensor)): void {
    if (this.callLossesPass !== passId) {
      this.callLosses = [];
      this.callLossesPass = passId;
    }
    this.callLosses.push(typeof loss === 'function' ? loss() : loss);
  }

  /**
   * The regularization losses of the weights (computed now, so a tape records them) and the losses
   * added during the last call, of this layer and its sublayers.
   */
  get losses(): Tensor[] {
    const out: Tensor[] = [];
    const seen = new Set<Layer>();
    const visit = (layer: Layer) => {
      if (seen.has(layer)) return;
      seen.add(layer);
      for (const { variable, regularizer } of layer.weightRegularizers) out.push(regularizer.apply(variable));
      if (layer.callLossesPass === passId) out.push(...layer.callLosses);
      for (const child of childLayers(layer)) visit(child);
    };
    visit(this);
    return out;
  }

  // ------------------------------------------------------------------ calling

  /**
   * Creates the weights for an input shape (with null for unknown sizes). Override it; the base marks
   * the layer built.
   */
  build(_inputShape: ShapeSpec | ShapeSpec[]): void {
    this.built = true;
  }

  /**
   * This layer applied to the output of `previous`, computed from `previous`'s input in one fused
   * computation; null when the pair does not fuse, and then the two layers run one after the other. A
   * graph runs it only when this layer alone reads `previous`'s output and nothing else sees it, and
   * only once both layers are built. The base fuses nothing.
   */
  callAfter(_previous: Layer, _input: Tensor): Tensor | null {
    return null;
  }

  /** The computation; override it. The base returns its input. */
  call(inputs: Tensor | Tensor[], _args: CallArgs = {}): Tensor | Tensor[] {
    return inputs;
  }

  /**
   * The output shape(s) for an input shape. The base runs `call` on small sample inputs (twice, with
   * different sizes where a dimension is unknown, to see which output sizes follow them); layers whose
   * shape rule is simple override it.
   */
  computeOutputShape(inputShape: ShapeSpec | ShapeSpec[]): ShapeSpec | ShapeSpec[] {
    const shapes = isShapeList(inputShape) ? (inputShape as ShapeSpec[]) : [inputShape as ShapeSpec];
    const dtypes = shapes.map(() => (this.inputKind === 'int' ? 'int32' : this.dtype) as DType);
    const specs = this.inferBySampling(shapes, dtypes, isShapeList(inputShape));
    return specs.packed ? specs.outputs.map((o) => o.shape) : specs.outputs[0]!.shape;
  }

  /** Python's `layer(x)`: see the class comment. Symbolic inputs give symbolic outputs. */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[], args?: CallArgs): SymbolicTensor;
  apply(inputs: TensorLike | readonly Tensor[], args?: CallArgs): Tensor;
  apply(inputs: unknown, args: CallArgs = {}): unknown {
    const packed = Array.isArray(inputs) && inputs.some((x) => x instanceof Tensor || isSymbolic(x));
    const list: unknown[] = packed ? (inputs as unknown[]) : [inputs];
    if (list.some(isSymbolic)) {
      if (!list.every(isSymbolic)) {
        throw new TypeError(
          `Layer "${this.name}": cannot mix symbolic tensors (from tf.keras.Input) and concrete tensors in one call`,
        );
      }
      return this.applySymbolic(list as SymbolicTensor[], packed, args);
    }
    const tensors = list.map((x, i) =>
      x instanceof Tensor ? x : toTensor(x as TensorLike, `${this.name} input ${i}`),
    );
    return this.applyEager(tensors, packed, args);
  }

  /** `apply` that always returns the list of outputs (for layers with several, like an LSTM with returnState). */
  applyAll(inputs: SymbolicTensor | readonly SymbolicTensor[], args?: CallArgs): SymbolicTensor[];
  applyAll(inputs: TensorLike | readonly Tensor[], args?: CallArgs): Tensor[];
  applyAll(inputs: unknown, args: CallArgs = {}): unknown[] {
    const out = this.apply(inputs as TensorLike, args) as unknown;
    return Array.isArray(out) ? out : [out];
  }

  private applyEager(tensors: Tensor[], packed: boolean, args: CallArgs): Tensor | Tensor[] {
    const shapes = tensors.map((t) => t.shape);
    checkInputSpecs(this.name, this.inputSpec, shapes);
    const converted = this.convertInputs(tensors);
    const previousTraining = outerTraining;
    const training = args.training ?? outerTraining;
    if (callDepth === 0) passId++;
    callDepth++;
    outerTraining = training;
    try {
      if (!this.built) {
        this.build(packed ? shapes : shapes[0]!);
        this.built = true;
      }
      const resolved = training ?? false;
      const callArgs = args.training === resolved ? args : { ...args, training: resolved };
      const out = this.call(packed ? converted : converted[0]!, callArgs);
      const outs = Array.isArray(out) ? out : [out];
      const unbatched = (shape: readonly number[]): ShapeSpec =>
        shape.length > 0 ? [null, ...shape.slice(1)] : shape;
      this.lastShapes = { input: shapes.map(unbatched), output: outs.map((t) => unbatched(t.shape)) };
      if (this.activityRegularizer) {
        const reg = this.activityRegularizer;
        for (const t of outs) this.addLoss(div(reg.apply(t), t.rank > 0 ? t.shape[0]! : 1));
      }
      return out;
    } finally {
      callDepth--;
      outerTraining = previousTraining;
    }
  }

  /** Casts inputs as `inputKind` says; a bool input to a numeric layer is an error naming the layer. */
  private convertInputs(tensors: Tensor[]): Tensor[] {
    if (this.inputKind === 'none') return tensors;
    if (this.inputKind === 'any') {
      return tensors.map((t) => (isFloat(t.dtype) && t.dtype !== this.dtype ? cast(t, this.dtype) : t));
    }
    const target: DType = this.inputKind === 'int' ? 'int32' : this.dtype;
    return tensors.map((t, i) => {
      if (t.dtype === target) return t;
      if (t.dtype === 'bool') {
        throw new TypeError(
          `Input ${i} of layer "${this.name}" has dtype bool (shape ${formatShapeSpec(t.shape)}), but the layer expects ${this.inputKind === 'int' ? 'integer' : 'numeric'} input (computing in ${target})`,
        );
      }
      return cast(t, target);
    });
  }

  private applySymbolic(
    inputs: SymbolicTensor[],
    packed: boolean,
    args: CallArgs,
  ): SymbolicTensor | SymbolicTensor[] {
    const shapes = inputs.map((t) => t.shape);
    checkInputSpecs(this.name, this.inputSpec, shapes);
    inputs.forEach((t, i) => {
      if (t.dtype === 'bool' && (this.inputKind === 'float' || this.inputKind === 'int')) {
        throw new TypeError(
          `Input ${i} of layer "${this.name}" has dtype bool (shape ${formatShapeSpec(t.shape)}), but the layer expects numeric input`,
        );
      }
    });
    if (!this.built) {
      this.build(packed ? shapes : shapes[0]!);
      this.built = true;
    }
    // Call arguments other than `training` (a mask, returnAttentionScores) may change the outputs: sample then.
    const extra = Object.keys(args).some((k) => k !== 'training');
    const spec = extra
      ? this.inferBySampling(
          inputs.map((t) => t.shape),
          inputs.map((t) => t.dtype),
          packed,
          args,
        )
      : this.computeOutputSpec(inputs, packed);
    const node: GraphNode = {
      layer: this,
      inputs,
      outputs: [],
      packedInputs: packed,
      packedOutputs: spec.packed,
      args,
    };
    const many = spec.outputs.length > 1 || spec.packed;
    node.outputs = spec.outputs.map(
      (o, i) => new SymbolicTensor(o.shape, o.dtype, many ? `${this.name}:${i}` : this.name, node, i),
    );
    this.inboundNodes.push(node);
    return spec.packed ? node.outputs : node.outputs[0]!;
  }

  /** Output shapes and dtypes for symbolic inputs: from `computeOutputShape` when overridden, else by sampling. */
  protected computeOutputSpec(inputs: readonly SymbolicTensor[], packed: boolean): OutputSpecs {
    if (this.computeOutputShape === Layer.prototype.computeOutputShape) {
      return this.inferBySampling(
        inputs.map((t) => t.shape),
        inputs.map((t) => t.dtype),
        packed,
      );
    }
    const shapes = inputs.map((t) => t.shape);
    const out = this.computeOutputShape(packed ? shapes : shapes[0]!);
    const outDtype = this.outputDtype(inputs.map((t) => t.dtype));
    if (isShapeList(out))
      return { packed: true, outputs: (out as ShapeSpec[]).map((s) => ({ shape: s, dtype: outDtype })) };
    return { packed: false, outputs: [{ shape: out as ShapeSpec, dtype: outDtype }] };
  }

  /** The dtype of the outputs for inputs of these dtypes (used with an overridden computeOutputShape). */
  protected outputDtype(inputDtypes: readonly DType[]): DType {
    if (this.inputKind === 'any' || this.inputKind === 'none') {
      const first = inputDtypes[0] ?? this.dtype;
      return isFloat(first) && this.inputKind === 'any' ? this.dtype : first;
    }
    return this.dtype;
  }

  /**
   * Runs `call` on zero-filled samples where each unknown size is 2, then 3: output sizes that differ
   * between the runs are unknown too.
   */
  private inferBySampling(
    shapes: readonly ShapeSpec[],
    dtypes: readonly DType[],
    packed: boolean,
    args: CallArgs = {},
  ): OutputSpecs {
    const run = (fill: number) =>
      noGrad(() => {
        const samples = shapes.map((s, i) =>
          zeros(
            s.map((d) => d ?? fill),
            dtypes[i]!,
          ),
        );
        const previousTraining = outerTraining;
        outerTraining = false;
        try {
          const converted = this.convertInputs(samples);
          const out = this.call(packed ? converted : converted[0]!, { ...args, training: false });
          return { packed: Array.isArray(out), list: Array.isArray(out) ? out : [out] };
        } finally {
          outerTraining = previousTraining;
        }
      });
    let a: ReturnType<typeof run>;
    let b: ReturnType<typeof run>;
    try {
      a = run(2);
      b = shapes.some((s) => s.includes(null)) ? run(3) : a;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `Layer "${this.name}" (${this.constructor.name}) could not be applied to input shape ${shapes.map(formatShapeSpec).join(', ')}: ${message}`,
        { cause: error },
      );
    }
    return {
      packed: a.packed,
      outputs: a.list.map((t, i) => ({
        shape: t.shape.map((d, k) => (d === b.list[i]!.shape[k] ? d : null)),
        dtype: t.dtype,
      })),
    };
  }

  // ------------------------------------------------------------------ introspection

  /** The symbolic input of the layer's first call (Keras's `layer.input`). */
  get input(): SymbolicTensor | SymbolicTensor[] {
    const node = this.firstNode('input');
    return node.packedInputs ? [...node.inputs] : node.inputs[0]!;
  }

  /** The symbolic output of the layer's first call (Keras's `layer.output`). */
  get output(): SymbolicTensor | SymbolicTensor[] {
    const node = this.firstNode('output');
    return node.packedOutputs ? node.outputs : node.outputs[0]!;
  }

  private firstNode(what: string): GraphNode {
    const node = this.inboundNodes[0];
    if (!node) {
      throw new Error(`Layer "${this.name}" has no ${what} yet: it has not been called on a symbolic input`);
    }
    return node;
  }

  /** Output shapes of the layer's calls, for `summary()`: symbolic calls first, else the last eager call. */
  outputShapes(): ShapeSpec[] | null {
    const node = this.inboundNodes[0];
    if (node) return node.outputs.map((t) => t.shape);
    return this.lastShapes?.output ?? null;
  }

  /** The layer's constructor arguments, for serialization; subclasses add theirs. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape) config['batchInputShape'] = [...this.batchInputShape];
    if (this.activityRegularizer)
      config['activityRegularizer'] = regularizers.serialize(this.activityRegularizer);
    return config;
  }

  toString(): string {
    return `<${this.constructor.name} name=${this.name}, built=${this.built}>`;
  }
}

export interface OutputSpecs {
  /** The layer returns an array (even of one tensor). */
  packed: boolean;
  outputs: { shape: ShapeSpec; dtype: DType }[];
}

/** True for a list of shapes (`[[null, 2], [null, 3]]`), false for one shape (`[null, 2]`). */
export function isShapeList(s: ShapeSpec | readonly ShapeSpec[]): boolean {
  return s.length > 0 && (s as unknown[]).every((d) => Array.isArray(d));
}

function declaredBatchShape(owner: string, args: LayerArgs): Dim[] | null {
  if (args.batchInputShape) return checkShapeSpec(`${owner}: batchInputShape`, args.batchInputShape);
  if (args.inputShape) {
    return [args.batchSize ?? null, ...checkShapeSpec(`${owner}: inputShape`, args.inputShape)];
  }
  if (args.inputDim !== undefined) {
    if (!Number.isInteger(args.inputDim) || args.inputDim < 1)
      throw new RangeError(`${owner}: inputDim must be a positive integer, got ${String(args.inputDim)}`);
    return [args.batchSize ?? null, args.inputDim];
  }
  return null;
}

/**
 * The layers a layer holds in its own properties (directly, or in arrays), in property order: how
 * a subclassed model's `this.dense1 = new Dense(...)` becomes part of its weights (Keras tracks
 * attributes the same way).
 */
export function childLayers(layer: Layer): Layer[] {
  const out: Layer[] = [];
  for (const value of Object.values(layer)) {
    if (value instanceof Layer) {
      if (value !== layer) out.push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) if (v instanceof Layer && v !== layer) out.push(v);
    }
  }
  return out;
}

function collectWeights(root: Layer, which: 'trainable' | 'nonTrainable' | 'all'): Variable[] {
  const out: Variable[] = [];
  const seenLayers = new Set<Layer>();
  const seenWeights = new Set<Variable>();
  const visit = (layer: Layer, frozen: boolean) => {
    if (seenLayers.has(layer)) return;
    seenLayers.add(layer);
    const isFrozen = frozen || !layer.trainable;
    const own = (layer as unknown as { ownWeights: { variable: Variable; trainable: boolean }[] }).ownWeights;
    const take = (pickTrainable: boolean) => {
      for (const { variable, trainable } of own) {
        const t = trainable && !isFrozen;
        if (t === pickTrainable && !seenWeights.has(variable)) {
          seenWeights.add(variable);
          out.push(variable);
        }
      }
    };
    if (which !== 'nonTrainable') take(true);
    if (which !== 'trainable') take(false);
    for (const child of childLayers(layer)) visit(child, isFrozen);
  };
  visit(root, false);
  return out;
}
