/**
 * A functional model's architecture as a JSON-able config (Keras's get_config): its layers with their
 * configs, and the calls that connect them (`inboundNodes`). Weights are not part of it.
 */
import { Tensor } from '../../tensor/tensor.js';
import { InputLayer } from './input-layer.js';
import type { Layer } from './layer.js';
import type { GraphNode, SymbolicTensor } from './symbolic.js';

/** `[layerName, nodeIndex, tensorIndex, callArgs]`: one input of a layer call. */
export type NodeRef = [string, number, number, Record<string, unknown>];
/** `[layerName, nodeIndex, tensorIndex]`: a model input or output. */
export type TensorRef = [string, number, number];

export interface LayerRecord {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** One entry per call of the layer in this model, each the list of its inputs. */
  inboundNodes: NodeRef[][];
}

export interface FunctionalConfig {
  name: string;
  trainable: boolean;
  layers: LayerRecord[];
  inputLayers: TensorRef[];
  outputLayers: TensorRef[];
}

/** Deserializes a layer record (passed in to keep the engine free of the layer registry). */
export type LayerFactory = (record: { className: string; config: Record<string, unknown> }) => Layer;

function jsonArgs(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (v instanceof Tensor) {
      throw new TypeError(
        `getConfig: the call argument '${k}' is a tensor, which cannot be saved in a model config`,
      );
    }
    out[k] = v;
  }
  return out;
}

export function serializeLayer(layer: Layer): { className: string; config: Record<string, unknown> } {
  return { className: layer.constructor.name, config: layer.getConfig() };
}

/** The config of a functional model: every layer, and for each of its calls here, the inputs of the call. */
export function functionalConfig(
  model: { name: string; trainable: boolean; layers: Layer[] },
  graph: {
    nodes: readonly GraphNode[];
    inputs: readonly SymbolicTensor[];
    outputs: readonly SymbolicTensor[];
  },
): FunctionalConfig {
  const relevant = new Set<GraphNode>([...graph.nodes, ...graph.inputs.map((t) => t.node)]);
  // Node indices count only this model's calls of a layer (a layer may be used in other models too).
  const indexOf = (node: GraphNode) => node.layer.inboundNodes.filter((n) => relevant.has(n)).indexOf(node);
  const ref = (t: SymbolicTensor): TensorRef => [t.sourceLayer.name, indexOf(t.node), t.outputIndex];
  const layers = model.layers.map((layer) => {
    const nodes = layer instanceof InputLayer ? [] : layer.inboundNodes.filter((n) => relevant.has(n));
    return {
      ...serializeLayer(layer),
      name: layer.name,
      inboundNodes: nodes.map((node) => node.inputs.map((t): NodeRef => [...ref(t), jsonArgs(node.args)])),
    };
  });
  return {
    name: model.name,
    trainable: model.trainable,
    layers,
    inputLayers: graph.inputs.map(ref),
    outputLayers: graph.outputs.map(ref),
  };
}
