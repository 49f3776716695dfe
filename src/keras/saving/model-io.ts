/**
 * `model.save(path)` / `tf.keras.models.loadModel(path)`, `saveWeights` / `loadWeights` and
 * `exportSafetensors`. See saving/README.md for the file format.
 *
 * Saving snapshots everything synchronously first (architecture, weights, optimizer state), then writes
 * the files atomically. Loading reads and checks everything (JSON, manifest, every shard's length,
 * every weight's name, shape and dtype, the optimizer's slots) and builds the whole model before it
 * assigns a single value; any problem is an error naming the file and what was expected. Class names
 * resolve only through the built-in tables and `registerSerializable`; nothing in a file is executed.
 */
import { Tensor } from '../../tensor/tensor.js';
import * as activations from '../activations.js';
import type { Layer } from '../engine/layer.js';
import { Model } from '../engine/model.js';
import { Sequential } from '../engine/sequential.js';
import type { ShapeSpec } from '../engine/symbolic.js';
import * as initializers from '../initializers.js';
import * as layersModule from '../layers/index.js';
import { deserialize as deserializeLayer, type SerializedLayer } from '../layers/serialization.js';
import * as regularizers from '../regularizers.js';
import { aboutFile, ModelFileError, messageOf } from './errors.js';
import {
  basenameOf,
  dirnameOf,
  joinPath,
  kindOfPath,
  normalizePath,
  parseJson,
  readFile,
  writeDirectoryAtomically,
  writeSingleFile,
} from './files.js';
import { fromKerasJson, resolveCustom, toKerasJson } from './keras-format.js';
import { isSafeClassName, registeredName } from './registry.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import {
  type CompileConfig,
  type CustomObjects,
  deserializeCompileConfig,
  deserializeOptimizer,
  fromTfjsTrainingConfig,
  makeResolver,
  type OptimizerMeta,
  optimizerArrays,
  optimizerStateFrom,
  type Resolver,
  serializeCompileArgs,
  slotsMatch,
  tfjsTrainingConfig,
} from './training-config.js';
import {
  checkManifest,
  DEFAULT_SHARD_BYTES,
  encodeWeights,
  type ManifestGroup,
  matchWeights,
  type NamedArray,
  readWeights,
  weightNames,
} from './weights.js';

/** tapeflow's version, as written in `generatedBy` (kept in step with package.json). */
export const TAPEFLOW_VERSION = '0.1.0';
export const GENERATED_BY = `tapeflow ${TAPEFLOW_VERSION}`;
/** The version of the `tapeflow` entry of model.json. */
export const FORMAT_VERSION = 1;

export const MODEL_JSON = 'model.json';
export const WEIGHTS_MANIFEST_JSON = 'weights_manifest.json';

export interface SaveOptions {
  /** Replace a saved model already at the path (default true); false makes an existing path an error. */
  overwrite?: boolean;
  /** Save the training configuration and the optimizer's state (default true). */
  includeOptimizer?: boolean;
  /** Largest shard file, in bytes (default 4 MiB, as tfjs). */
  shardSizeBytes?: number;
}

export interface SaveResult {
  /** The directory (or file) written. */
  path: string;
  /** The files written, relative to `path` (empty for a single file). */
  files: string[];
  /** Bytes of weight data written. */
  weightBytes: number;
}

export interface LoadOptions {
  /** Compile the model with the saved training configuration and restore the optimizer (default true). */
  compile?: boolean;
  /** Custom classes and functions by name, for this load only (besides those registered). */
  customObjects?: CustomObjects;
}

/** What model.json's `tapeflow` entry holds. */
interface TapeflowEntry {
  formatVersion: number;
  compile?: CompileConfig;
  optimizer?: OptimizerMeta;
  /** The input shape(s) a subclassed model was built with, to build it again before loading weights. */
  buildInputShape?: ShapeSpec | ShapeSpec[];
}

/** Private state of Model and Layer that saving reads (it does not change any of it). */
interface ModelInternals {
  compileArgs: import('../engine/model.js').CompileArgs | null;
  graph: unknown;
  lastShapes: { input: ShapeSpec[] } | null;
}

function internals(model: Model): ModelInternals {
  return model as unknown as ModelInternals;
}

function isSubclassed(model: Model): boolean {
  return !(model instanceof Sequential) && internals(model).graph === null;
}

// ------------------------------------------------------------------------------------ topology

/** Layers of a model, nested models included. */
function allLayers(model: Model): Layer[] {
  const out: Layer[] = [];
  const seen = new Set<Layer>();
  const visit = (layer: Layer) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    out.push(layer);
    if (layer instanceof Model) for (const l of layer.layers) visit(l);
  };
  visit(model);
  return out;
}

/** True for the classes tapeflow rebuilds without registration. */
function isBuiltinLayerClass(cls: unknown): boolean {
  if (cls === Model || cls === Sequential) return true;
  if (cls === layersModule.Layer) return false;
  const name = (cls as { name?: string }).name;
  return typeof name === 'string' && (layersModule as Record<string, unknown>)[name] === cls;
}

/**
 * Fails a save that could not be loaded back, naming the part: Lambda layers (code), unregistered
 * custom layers, and regularizers, initializers or activations that are functions not registered.
 */
function checkSavable(model: Model, topology: unknown): void {
  const resolver = makeResolver();
  const cannot = (what: string) =>
    new TypeError(`cannot save model "${model.name}": ${what}; it could not be loaded back`);
  for (const layer of allLayers(model)) {
    if (layer.constructor.name === 'Lambda') {
      throw cannot(
        `layer "${layer.name}" is a Lambda layer, whose function is code (a saved model never holds code); write it as a layer class and register it with tf.keras.registerSerializable`,
      );
    }
    if (!isBuiltinLayerClass(layer.constructor) && registeredName(layer.constructor) === undefined) {
      throw cannot(
        `layer "${layer.name}" is a ${layer.constructor.name}, a custom class that is not registered; call tf.keras.registerSerializable(${layer.constructor.name}) once`,
      );
    }
  }
  const visit = (value: unknown, key: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, key);
      return;
    }
    if (typeof value === 'string' && (key === 'activation' || key === 'recurrentActivation')) {
      try {
        activations.get(value);
      } catch {
        if (!resolver.fn(value)) {
          throw cannot(
            `the activation '${value}' is a custom function that is not registered; call tf.keras.registerSerializable(fn, '${value}') once`,
          );
        }
      }
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    const className = record['className'];
    if (typeof className === 'string' && /(Regularizer|Initializer)$/.test(key)) {
      const kind = key.endsWith('Regularizer') ? 'regularizer' : 'initializer';
      try {
        const serialized = { className, config: (record['config'] ?? {}) as never };
        if (kind === 'regularizer') regularizers.deserialize(serialized, resolver.table('regularizer'));
        else initializers.deserialize(serialized, resolver.table('initializer'));
      } catch {
        throw cannot(
          `its ${key} is a ${className}, which ${/^Function/.test(className) ? 'wraps a function' : 'is not registered'}; subclass tf.keras.${kind}s.${kind === 'regularizer' ? 'Regularizer' : 'Initializer'}, give it getConfig(), and register it with tf.keras.registerSerializable`,
        );
      }
      return;
    }
    for (const [k, v] of Object.entries(record)) visit(v, k);
  };
  visit(topology, '');
}

/** modelTopology of model.json: Keras JSON of the model's config. */
export function modelTopology(model: Model): Record<string, unknown> {
  let record: SerializedLayer;
  try {
    record = JSON.parse(model.toJson()) as SerializedLayer;
  } catch (error) {
    throw new TypeError(
      `cannot save model "${model.name}": its configuration cannot be written as JSON: ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
  checkSavable(model, record);
  const keras = toKerasJson(record) as Record<string, unknown>;
  return {
    class_name: keras['class_name'],
    config: keras['config'],
    keras_version: GENERATED_BY,
    backend: 'tapeflow',
  };
}

// ------------------------------------------------------------------------------------ save

function snapshotWeights(model: Model): { arrays: NamedArray[]; names: string[] } {
  const vars = model.weights;
  const names = weightNames(vars);
  return {
    arrays: vars.map((v, i) => ({
      name: names[i]!,
      shape: [...v.shape],
      dtype: v.dtype,
      data: v.dataSync(),
    })),
    names,
  };
}

/** Everything `save` writes, computed synchronously from the model as it is now. */
export function modelArtifacts(
  model: Model,
  options: SaveOptions = {},
): {
  modelJson: Record<string, unknown>;
  shards: { name: string; bytes: Uint8Array }[];
  weightBytes: number;
} {
  const modelTopologyJson = modelTopology(model);
  const { arrays, names } = snapshotWeights(model);
  const tapeflow: TapeflowEntry = { formatVersion: FORMAT_VERSION };
  let trainingConfig: Record<string, unknown> | null = null;
  const all: NamedArray[] = [...arrays];
  const args = internals(model).compileArgs;
  if (args && model.optimizer && (options.includeOptimizer ?? true)) {
    tapeflow.compile = serializeCompileArgs(args);
    const tfjs = tfjsTrainingConfig(args, model.optimizer);
    const usable = tfjs !== null && slotsMatch(model.optimizer, tfjs.slotOrder, model.trainableWeights);
    trainingConfig = usable ? tfjs.config : null;
    const { arrays: optArrays, meta } = optimizerArrays(
      model.optimizer,
      model.weights,
      names,
      usable ? tfjs.slotOrder : [],
    );
    tapeflow.optimizer = meta;
    all.push(...optArrays);
  }
  if (isSubclassed(model) && model.weights.length > 0) {
    const shapes = internals(model).lastShapes?.input;
    if (!shapes || shapes.length === 0) {
      throw new TypeError(
        `cannot save model "${model.name}": it is a subclassed model that was never called on data, so the input shape to build it again with is unknown; call it once (model.predict(x)) before saving`,
      );
    }
    tapeflow.buildInputShape = shapes.length === 1 ? shapes[0]! : shapes;
  }
  const { manifest, shards, totalBytes } = encodeWeights(all, options.shardSizeBytes ?? DEFAULT_SHARD_BYTES);
  const modelJson: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
    modelTopology: modelTopologyJson,
  };
  if (trainingConfig) modelJson['trainingConfig'] = trainingConfig;
  modelJson['weightsManifest'] = manifest;
  modelJson['tapeflow'] = tapeflow;
  return { modelJson, shards, weightBytes: totalBytes };
}

const encoder = new TextEncoder();

function jsonBytes(value: unknown): Uint8Array {
  return encoder.encode(`${JSON.stringify(value, null, 1)}\n`);
}

/** `model.save(path)`: see the module comment and saving/README.md. */
export async function saveModel(model: Model, path: string, options: SaveOptions = {}): Promise<SaveResult> {
  checkModel(model, 'save');
  const target = normalizePath(path);
  const { modelJson, shards, weightBytes } = modelArtifacts(model, options);
  const files = [{ name: MODEL_JSON, bytes: jsonBytes(modelJson) }, ...shards];
  await writeDirectoryAtomically(target, files, {
    ...(options.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
    markers: [MODEL_JSON, WEIGHTS_MANIFEST_JSON],
  });
  return { path: target, files: files.map((f) => f.name), weightBytes };
}

function checkModel(model: unknown, method: string): asserts model is Model {
  if (!(model instanceof Model)) {
    throw new TypeError(
      `${method}: expected a tf.keras model, got ${model === null ? 'null' : typeof model}`,
    );
  }
}

/**
 * `model.saveWeights(path)`: the weights alone. A path ending in `.safetensors` gives one safetensors
 * file; any other path a directory with tfjs's weights manifest (`weights_manifest.json`, as
 * `tf.io.loadWeights` reads) and the shards, written atomically.
 */
export async function saveWeights(
  model: Model,
  path: string,
  options: Pick<SaveOptions, 'overwrite' | 'shardSizeBytes'> = {},
): Promise<SaveResult> {
  checkModel(model, 'saveWeights');
  const target = normalizePath(path);
  const { arrays } = snapshotWeights(model);
  if (target.endsWith('.safetensors')) {
    if (options.overwrite === false && (await kindOfPath(target)) !== null) {
      throw new ModelFileError(target, 'already exists (pass overwrite: true to replace it)');
    }
    const bytes = encodeSafetensors(arrays, { format: 'pt', generated_by: GENERATED_BY, layout: 'keras' });
    await writeSingleFile(target, bytes);
    return { path: target, files: [], weightBytes: bytes.byteLength };
  }
  const { manifest, shards, totalBytes } = encodeWeights(
    arrays,
    options.shardSizeBytes ?? DEFAULT_SHARD_BYTES,
  );
  const files = [{ name: WEIGHTS_MANIFEST_JSON, bytes: jsonBytes(manifest) }, ...shards];
  await writeDirectoryAtomically(target, files, {
    ...(options.overwrite !== undefined ? { overwrite: options.overwrite } : {}),
    markers: [WEIGHTS_MANIFEST_JSON, MODEL_JSON],
  });
  return { path: target, files: files.map((f) => f.name), weightBytes: totalBytes };
}

// ------------------------------------------------------------------------------------ load

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and checks model.json (or a weights manifest file) and every shard it lists. */
async function readManifestAndWeights(
  manifestJson: unknown,
  file: string,
  dir: string,
): Promise<{ manifest: ManifestGroup[]; arrays: NamedArray[] }> {
  const manifest = checkManifest(manifestJson, file);
  const arrays = await readWeights(
    manifest,
    (p) => readFile(joinPath(dir, p), `weight shard listed in ${basenameOf(file)}`),
    (p) => joinPath(dir, p),
  );
  return { manifest, arrays };
}

function customResolvers(resolver: Resolver) {
  return {
    regularizer: (record: Record<string, unknown>) => {
      const name = record['className'] as string;
      const custom = resolver.table('regularizer')[name];
      return custom
        ? regularizers.deserialize(
            { className: name, config: (record['config'] ?? {}) as never },
            { [name]: custom },
          )
        : undefined;
    },
    initializer: (record: Record<string, unknown>) => {
      const name = record['className'] as string;
      const custom = resolver.table('initializer')[name];
      return custom
        ? initializers.deserialize(
            { className: name, config: (record['config'] ?? {}) as never },
            { [name]: custom },
          )
        : undefined;
    },
    activation: (name: string) => resolver.fn(name),
  };
}

/** The model described by a modelTopology (Keras JSON), built (weights created) but not yet loaded. */
function modelFromTopology(
  topology: unknown,
  file: string,
  resolver: Resolver,
  buildInputShape: unknown,
): Model {
  if (!isRecord(topology)) {
    throw new ModelFileError(
      file,
      `modelTopology must be an object { class_name, config }, got ${JSON.stringify(topology)}`,
    );
  }
  const inner = isRecord(topology['model_config']) ? topology['model_config'] : topology;
  const record = fromKerasJson(inner, file, 'modelTopology') as Record<string, unknown>;
  if (!isSafeClassName(record['className'])) {
    throw new ModelFileError(
      file,
      `modelTopology.class_name must name a model class, got ${JSON.stringify(record['className'])}`,
    );
  }
  // Keras 2 wrote a Sequential's config as the bare list of layers.
  if (Array.isArray(record['config'])) record['config'] = { layers: record['config'] };
  if (record['className'] === 'Functional') record['className'] = 'Model';
  const resolved = resolveCustom(record, customResolvers(resolver)) as SerializedLayer;
  const model = aboutFile(file, 'cannot rebuild the model from modelTopology', () =>
    deserializeLayer(resolved, resolver.table('layer')),
  );
  if (!(model instanceof Model)) {
    throw new ModelFileError(
      file,
      `modelTopology describes a ${String(record['className'])} layer, not a model (expected Sequential, Model or a registered Model subclass)`,
    );
  }
  if (!model.built && buildInputShape !== undefined) {
    if (!Array.isArray(buildInputShape)) {
      throw new ModelFileError(
        file,
        `tapeflow.buildInputShape must be a shape or a list of shapes, got ${JSON.stringify(buildInputShape)}`,
      );
    }
    aboutFile(
      file,
      `cannot build model "${model.name}" for input shape ${JSON.stringify(buildInputShape)}`,
      () => model.build(buildInputShape as ShapeSpec),
    );
  }
  return model;
}

function tensorOf(a: NamedArray): Tensor {
  return new Tensor(a.data, [...a.shape], a.dtype);
}

/** Where model.json is for a path: the path itself when it names a .json file, else `<path>/model.json`. */
function modelJsonPath(path: string): { file: string; dir: string } {
  const p = normalizePath(path);
  if (p.endsWith('.json')) return { file: p, dir: dirnameOf(p) };
  return { file: joinPath(p, MODEL_JSON), dir: p };
}

/**
 * `tf.keras.models.loadModel(path)`: a model saved by `model.save` (or by TensorFlow.js's
 * `model.save`, or converted by tfjs-converter to the layers format). `path` is the directory or its
 * model.json. See the module comment for the checks.
 */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<Model> {
  const { file, dir } = modelJsonPath(path);
  const json = parseJson(await readFile(file, 'model description (model.json)'), file);
  if (!isRecord(json))
    throw new ModelFileError(file, `must hold a JSON object, got ${JSON.stringify(json)?.slice(0, 40)}`);
  if (json['format'] !== undefined && json['format'] !== 'layers-model') {
    throw new ModelFileError(
      file,
      `has format ${JSON.stringify(json['format'])}; tapeflow loads TensorFlow.js layers models ('layers-model')${json['format'] === 'graph-model' ? ', not graph models (convert the Keras model with --output_format tfjs_layers_model)' : ''}`,
    );
  }
  if (json['modelTopology'] === undefined)
    throw new ModelFileError(file, 'has no modelTopology (the model architecture)');
  const tapeflow = json['tapeflow'];
  if (tapeflow !== undefined && !isRecord(tapeflow))
    throw new ModelFileError(file, 'tapeflow must be an object');
  if (
    tapeflow &&
    typeof tapeflow['formatVersion'] === 'number' &&
    tapeflow['formatVersion'] > FORMAT_VERSION
  ) {
    throw new ModelFileError(
      file,
      `was written by a newer tapeflow (format version ${tapeflow['formatVersion']}; this one reads up to ${FORMAT_VERSION})`,
    );
  }
  const resolver = makeResolver(options.customObjects);
  // Everything is read and checked before the model is built...
  const { arrays } = await readManifestAndWeights(json['weightsManifest'] ?? [], file, dir);
  const model = modelFromTopology(json['modelTopology'], file, resolver, tapeflow?.['buildInputShape']);
  const modelArrays = arrays.filter((a) => a.group !== 'optimizer');
  const optArrays = arrays.filter((a) => a.group === 'optimizer');
  const vars = model.weights;
  if (json['weightsManifest'] === undefined && vars.length > 0) {
    throw new ModelFileError(
      file,
      `has no weightsManifest, but model "${model.name}" has ${vars.length} weights`,
    );
  }
  const matched = matchWeights(vars, modelArrays, file, model.name);
  // ... then compiled, with the optimizer's state checked against the weights ...
  let restore: (() => void) | null = null;
  if (options.compile ?? true) {
    restore = aboutFile(file, 'cannot restore the training configuration', () => {
      let compile: Omit<import('../engine/model.js').CompileArgs, 'optimizer'> | null = null;
      let optimizer: import('../../optimizers/keras/optimizer.js').Optimizer | null = null;
      let meta: Partial<OptimizerMeta> | null = null;
      let source: string | undefined;
      if (tapeflow && isRecord(tapeflow['optimizer'])) {
        compile = deserializeCompileConfig(tapeflow['compile'] ?? {}, resolver);
        optimizer = deserializeOptimizer(tapeflow['optimizer'], resolver);
        meta = tapeflow['optimizer'] as Partial<OptimizerMeta>;
      } else if (isRecord(json['trainingConfig'])) {
        const tc = fromTfjsTrainingConfig(json['trainingConfig'], resolver);
        compile = tc.compile;
        optimizer = tc.optimizer;
        source = tc.source;
      }
      if (!compile || !optimizer) return null;
      model.compile({ ...compile, optimizer });
      if (optArrays.length === 0 && meta === null) return null;
      // The names the file gives the model's weights (they differ from the model's own when matched by position).
      const names = matched.values.map((a) => a.name);
      const { state, varList } = optimizerStateFrom(
        optimizer,
        optArrays,
        meta,
        vars,
        names,
        model.trainableWeights,
        file,
        source,
      );
      const opt = optimizer;
      return () => opt.setState(state, varList);
    });
  }
  // ... and only then are values assigned.
  model.setWeights(matched.values.map(tensorOf));
  if (restore) aboutFile(file, "cannot restore the optimizer's state", restore);
  return model;
}

/** The weights stored at a path: a safetensors file, a weights manifest directory, or a saved model. */
async function readSavedWeights(path: string): Promise<{ arrays: NamedArray[]; file: string }> {
  const p = normalizePath(path);
  const safetensors = async () => {
    const { arrays } = decodeSafetensors(await readFile(p, 'safetensors weights'), p);
    return { arrays: arrays.filter((a) => !a.name.startsWith('optimizer/')), file: p };
  };
  if (p.endsWith('.safetensors')) return safetensors();
  let file: string;
  let bytes: Uint8Array;
  if (p.endsWith('.json')) {
    file = p;
    bytes = await readFile(file, 'weights manifest');
  } else {
    if ((await kindOfPath(p)) === 'file') return safetensors();
    // A directory: saveWeights's weights_manifest.json, else a saved model's model.json.
    file = joinPath(p, WEIGHTS_MANIFEST_JSON);
    try {
      bytes = await readFile(file, 'weights manifest');
    } catch (first) {
      file = joinPath(p, MODEL_JSON);
      try {
        bytes = await readFile(file, 'saved model');
      } catch {
        throw new ModelFileError(
          p,
          `holds no saved weights: neither ${WEIGHTS_MANIFEST_JSON} nor ${MODEL_JSON} can be read (${messageOf(first)})`,
        );
      }
    }
  }
  const json = parseJson(bytes, file);
  const manifest = isRecord(json) ? json['weightsManifest'] : json;
  if (manifest === undefined) throw new ModelFileError(file, 'has no weightsManifest');
  const { arrays } = await readManifestAndWeights(manifest, file, dirnameOf(file));
  return { arrays: arrays.filter((a) => a.group !== 'optimizer'), file };
}

/**
 * `model.loadWeights(path)`: reads weights saved by `saveWeights`, `save` or `exportSafetensors` into
 * the model. Every weight is read and checked (by name, or by position when the names differ, as for a
 * rebuilt subclassed model) before any is assigned; the model must be built.
 */
export async function loadWeights(model: Model, path: string): Promise<void> {
  checkModel(model, 'loadWeights');
  const { arrays, file } = await readSavedWeights(path);
  const vars = model.weights;
  if (vars.length === 0 && arrays.length > 0) {
    throw new ModelFileError(
      file,
      `model "${model.name}" has no weights yet, so the ${arrays.length} saved ones have nowhere to go; build the model first (call it on data, or give its first layer an inputShape)`,
    );
  }
  const { values } = matchWeights(vars, arrays, file, model.name);
  model.setWeights(values.map(tensorOf));
}

// ------------------------------------------------------------------------------------ safetensors

export interface SafetensorsOptions {
  /** Also write the optimizer's slots (`optimizer/<weight>/<slot>`) and iteration count (default false). */
  includeOptimizer?: boolean;
  overwrite?: boolean;
}

/** The JSON config written beside a safetensors file: `model.safetensors` -> `model.config.json`. */
export function safetensorsConfigPath(path: string): string {
  return `${path.replace(/\.safetensors$/, '')}.config.json`;
}

/**
 * `model.exportSafetensors(path)`: the weights as a safetensors file (names as in model.json,
 * `dense/kernel`; Keras layouts: a Dense kernel is [in, out], a Conv2D kernel [h, w, in, out]) and,
 * beside it, a JSON config with the architecture (Keras JSON), the tensors' list and the training
 * configuration. `.safetensors` is added to a path without it.
 */
export async function exportSafetensors(
  model: Model,
  path: string,
  options: SafetensorsOptions = {},
): Promise<SaveResult & { configPath: string }> {
  checkModel(model, 'exportSafetensors');
  let target = normalizePath(path);
  if (!target.endsWith('.safetensors')) target = `${target}.safetensors`;
  const configPath = safetensorsConfigPath(target);
  if (options.overwrite === false && (await kindOfPath(target)) !== null) {
    throw new ModelFileError(target, 'already exists (pass overwrite: true to replace it)');
  }
  const topology = modelTopology(model);
  const { arrays, names } = snapshotWeights(model);
  const tensors: NamedArray[] = [...arrays];
  let training: Record<string, unknown> | null = null;
  const args = internals(model).compileArgs;
  if (args && model.optimizer) {
    training = { compile: serializeCompileArgs(args) };
    if (options.includeOptimizer) {
      const { arrays: opt, meta } = optimizerArrays(model.optimizer, model.weights, names);
      for (const a of opt)
        tensors.push({ ...a, name: `optimizer/${a.name === 'iter' ? 'iterations' : a.name}` });
      training['optimizer'] = meta;
    } else {
      training['optimizer'] = {
        className: model.optimizer.constructor.name,
        config: JSON.parse(JSON.stringify(model.optimizer.getConfig())),
      };
    }
  }
  const trainable = new Set(model.trainableWeights);
  const config = {
    format: 'tapeflow-safetensors-config',
    formatVersion: FORMAT_VERSION,
    generatedBy: GENERATED_BY,
    weightsFile: basenameOf(target),
    layout:
      'keras: Dense kernel [in, out] (PyTorch Linear.weight is its transpose), Conv2D kernel [h, w, in, out] (PyTorch [out, in, h, w]), channels-last activations',
    modelTopology: topology,
    tensors: tensors.map((t, i) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype,
      ...(i < arrays.length ? { trainable: trainable.has(model.weights[i]!) } : { optimizer: true }),
    })),
    ...(training ? { trainingConfig: training } : {}),
  };
  const bytes = encodeSafetensors(tensors, {
    format: 'pt',
    generated_by: GENERATED_BY,
    layout: 'keras',
    config: basenameOf(configPath),
  });
  await writeSingleFile(target, bytes);
  await writeSingleFile(configPath, jsonBytes(config));
  return { path: target, configPath, files: [], weightBytes: bytes.byteLength };
}
