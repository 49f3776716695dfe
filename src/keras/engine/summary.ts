/**
 * `model.summary()`: Keras's (TensorFlow 2.x) text table of layers, output shapes and parameter
 * counts. Sequential-like models get three columns in 65 characters; other graphs add "Connected to"
 * (which layer call feeds each layer, as `name[node][tensor]`) in 98.
 */
import { InputLayer } from './input-layer.js';
import type { Layer } from './layer.js';
import type { Model } from './model.js';
import { formatShapeSpec, type GraphNode, type ShapeSpec } from './symbolic.js';

export interface SummaryOptions {
  /** Total width of the table (default 65, or 98 with the Connected-to column). */
  lineLength?: number;
  /** Right edges of the columns, as fractions of the width or as character positions. */
  positions?: readonly number[];
  /** Receives each line (default console.log). */
  printFn?: (line: string) => void;
}

function formatShapes(layer: Layer, shapes: ShapeSpec[] | null): string {
  if (shapes === null) return 'multiple';
  if (shapes.length === 1 && !(layer instanceof InputLayer)) return formatShapeSpec(shapes[0]!);
  return `[${shapes.map(formatShapeSpec).join(', ')}]`;
}

function paramCount(layer: Layer): number {
  return layer.weights.reduce((n, w) => n + w.size, 0);
}

/** Keras's rule: sequential-like when every node has one inbound layer and each layer one node here. */
function isSequentialLike(model: Model, nodes: readonly GraphNode[] | null): boolean {
  if (nodes === null) return true;
  const seen = new Set<Layer>();
  for (const node of nodes) {
    if (node.inputs.length > 1) return false;
    if (seen.has(node.layer)) return false;
    seen.add(node.layer);
  }
  // A branch (one tensor used by two layers) is not sequential either.
  const consumers = new Map<unknown, number>();
  for (const node of nodes) for (const t of node.inputs) consumers.set(t, (consumers.get(t) ?? 0) + 1);
  for (const count of consumers.values()) if (count > 1) return false;
  return model.outputs.length <= 1 && model.inputs.length <= 1;
}

function row(fields: readonly (string | number)[], positions: readonly number[]): string {
  let line = '';
  fields.forEach((field, i) => {
    if (i > 0) line = `${line.slice(0, -1)} `;
    line += String(field);
    line = line.slice(0, positions[i]);
    line += ' '.repeat(Math.max(0, positions[i]! - line.length));
  });
  return line;
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

export function summaryText(model: Model, options: SummaryOptions = {}): string {
  if (!model.built) {
    throw new Error(
      `Model "${model.name}" has not yet been built. Build it first by calling build(inputShape), by calling it on a batch of data, or by giving the first layer an inputShape`,
    );
  }
  const graph = (model as unknown as { graph: { nodes: GraphNode[] } | null }).graph;
  const nodes = graph ? graph.nodes : null;
  const sequentialLike = isSequentialLike(model, nodes);
  const lineLength = options.lineLength ?? (sequentialLike ? 65 : 98);
  let positions = [...(options.positions ?? (sequentialLike ? [0.45, 0.85, 1] : [0.33, 0.55, 0.67, 1]))];
  if (positions[positions.length - 1]! <= 1) positions = positions.map((p) => Math.floor(lineLength * p));
  const header = ['Layer (type)', 'Output Shape', 'Param #'];
  if (!sequentialLike) header.push('Connected to');

  const lines: string[] = [
    `Model: "${model.name}"`,
    '_'.repeat(lineLength),
    row(header, positions),
    '='.repeat(lineLength),
  ];
  const relevant = new Set(nodes ?? []);
  const layers = model.layers;
  layers.forEach((layer, i) => {
    const shapes = relevantShapes(layer, relevant);
    const fields: (string | number)[] = [
      `${layer.name} (${layer.constructor.name})`,
      formatShapes(layer, shapes),
      paramCount(layer),
    ];
    if (sequentialLike) {
      lines.push(row(fields, positions));
    } else {
      const connections: string[] = [];
      for (const node of layer.inboundNodes) {
        if (!relevant.has(node)) continue;
        for (const t of node.inputs) {
          connections.push(
            `${t.sourceLayer.name}[${t.sourceLayer.inboundNodes.indexOf(t.node)}][${t.outputIndex}]`,
          );
        }
      }
      lines.push(row([...fields, connections[0] ?? ''], positions));
      for (const c of connections.slice(1)) lines.push(row(['', '', '', c], positions));
    }
    lines.push((i === layers.length - 1 ? '=' : '_').repeat(lineLength));
  });
  if (layers.length === 0) lines.push('='.repeat(lineLength));
  const trainable = model.trainableWeights.reduce((n, w) => n + w.size, 0);
  const nonTrainable = model.nonTrainableWeights.reduce((n, w) => n + w.size, 0);
  lines.push(`Total params: ${thousands(trainable + nonTrainable)}`);
  lines.push(`Trainable params: ${thousands(trainable)}`);
  lines.push(`Non-trainable params: ${thousands(nonTrainable)}`);
  lines.push('_'.repeat(lineLength));
  return lines.join('\n');
}

/** The output shapes of the layer's call in this model (the first call, else the last eager call). */
function relevantShapes(layer: Layer, relevant: Set<GraphNode>): ShapeSpec[] | null {
  const node = layer.inboundNodes.find((n) => relevant.has(n));
  if (node) return node.outputs.map((t) => t.shape);
  return layer.outputShapes();
}
