/** Functional and Sequential models rebuilt from their configs (see graph-config.ts). */
import type { FunctionalConfig, LayerFactory, TensorRef } from './graph-config.js';
import { InputLayer } from './input-layer.js';
import type { Layer } from './layer.js';
import { Model } from './model.js';
import { Sequential } from './sequential.js';
import type { SymbolicTensor } from './symbolic.js';

/** Rebuilds a functional model: creates the layers, then replays their calls once their inputs exist. */
export function functionalFromConfig(config: FunctionalConfig, makeLayer: LayerFactory): Model {
  if (
    !config ||
    !Array.isArray(config.layers) ||
    !Array.isArray(config.inputLayers) ||
    !Array.isArray(config.outputLayers)
  ) {
    throw new TypeError('Model config: expected { name, layers, inputLayers, outputLayers }');
  }
  const outputs = new Map<string, SymbolicTensor[][]>();
  const layers = new Map<string, Layer>();
  for (const record of config.layers) {
    const layer = makeLayer({ className: record.className, config: { ...record.config, name: record.name } });
    layers.set(record.name, layer);
    outputs.set(record.name, layer instanceof InputLayer ? [[layer.tensor]] : []);
  }
  const tensorOf = (name: string, node: number, index: number) => outputs.get(name)?.[node]?.[index];
  const pending = config.layers.flatMap((record) => record.inboundNodes.map((node) => ({ record, node })));
  while (pending.length > 0) {
    const before = pending.length;
    for (let i = 0; i < pending.length; i++) {
      const { record, node } = pending[i]!;
      const inputs = node.map(([name, n, t]) => tensorOf(name, n, t));
      if (inputs.some((t) => t === undefined)) continue;
      const args = node[0]?.[3] ?? {};
      const layer = layers.get(record.name)!;
      const out = layer.apply(inputs.length === 1 ? inputs[0]! : (inputs as SymbolicTensor[]), args) as
        | SymbolicTensor
        | SymbolicTensor[];
      outputs.get(record.name)!.push(Array.isArray(out) ? out : [out]);
      pending.splice(i, 1);
      i -= 1;
    }
    if (pending.length === before) {
      const missing = pending.map(({ record }) => record.name).join(', ');
      throw new Error(
        `Model config: the inputs of layer(s) ${missing} are never produced; the config is inconsistent`,
      );
    }
  }
  const resolve = (what: string, [name, n, t]: TensorRef) => {
    const tensor = tensorOf(name, n, t);
    if (!tensor)
      throw new Error(
        `Model config: ${what} refers to layer '${name}' node ${n} tensor ${t}, which does not exist`,
      );
    return tensor;
  };
  const ins = config.inputLayers.map((r) => resolve('inputLayers', r));
  const outs = config.outputLayers.map((r) => resolve('outputLayers', r));
  return new Model({
    inputs: ins.length === 1 ? ins[0]! : ins,
    outputs: outs.length === 1 ? outs[0]! : outs,
    name: config.name,
    trainable: config.trainable ?? true,
  });
}

export interface SequentialConfig {
  name: string;
  trainable?: boolean;
  layers: { className: string; config: Record<string, unknown> }[];
}

export function sequentialFromConfig(config: SequentialConfig, makeLayer: LayerFactory): Sequential {
  if (!config || !Array.isArray(config.layers))
    throw new TypeError('Sequential config: expected { name, layers }');
  const model = new Sequential({ name: config.name, trainable: config.trainable ?? true });
  for (const record of config.layers) model.add(makeLayer(record));
  return model;
}
