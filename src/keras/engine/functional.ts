import type { Tensor } from '../../tensor/tensor.js';
import { InputLayer } from './input-layer.js';
import type { CallArgs, Layer } from './layer.js';
import type { GraphNode, SymbolicTensor } from './symbolic.js';

/**
 * The graph of layer calls between a functional model's inputs and outputs: the nodes in an order in
 * which every node's inputs are computed before it, and the layers in that order (inputs first).
 */
export class FunctionalGraph {
  readonly nodes: GraphNode[];
  readonly layers: Layer[];

  constructor(
    readonly ownerName: string,
    readonly inputs: readonly SymbolicTensor[],
    readonly outputs: readonly SymbolicTensor[],
  ) {
    inputs.forEach((t, i) => {
      if (!(t.node.layer instanceof InputLayer)) {
        throw new TypeError(
          `Model "${ownerName}": input ${i} (${t.name}) is not a tf.keras.Input; a functional model's inputs must come from tf.keras.Input`,
        );
      }
    });
    const duplicate = inputs.find((t, i) => inputs.indexOf(t) !== i);
    if (duplicate) throw new TypeError(`Model "${ownerName}": input ${duplicate.name} is given twice`);
    const { order, discovery } = traverse(ownerName, inputs, outputs);
    // Keras's order: by depth from the outputs, deepest first; ties in order of discovery from the outputs.
    const nodeDepth = new Map<GraphNode, number>();
    const layerDepth = new Map<Layer, number>();
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i]!;
      const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
      nodeDepth.set(node, depth);
      layerDepth.set(node.layer, depth);
      for (const t of node.inputs) nodeDepth.set(t.node, Math.max(nodeDepth.get(t.node) ?? 0, depth + 1));
    }
    for (const t of inputs) {
      if (!layerDepth.has(t.node.layer)) {
        layerDepth.set(t.node.layer, 0);
        discovery.set(t.node.layer, -1);
      }
    }
    const byDepth = (a: number, b: number) => b - a;
    this.nodes = order
      .filter((n) => !(n.layer instanceof InputLayer))
      .map((n, i) => ({ n, i }))
      .sort((a, b) => byDepth(nodeDepth.get(a.n)!, nodeDepth.get(b.n)!) || a.i - b.i)
      .map(({ n }) => n);
    this.layers = [...layerDepth.keys()].sort(
      (a, b) => byDepth(layerDepth.get(a)!, layerDepth.get(b)!) || discovery.get(a)! - discovery.get(b)!,
    );
    this.fusible = fusiblePairs(this.nodes, outputs);
  }

  /** Node -> the one node that reads its output, for single-tensor calls nothing else observes. */
  private readonly fusible: Map<GraphNode, GraphNode>;

  /**
   * Runs the graph on concrete inputs (one per model input) and returns the outputs in order. A node
   * whose output only its successor reads may run fused with it (Layer.callAfter).
   */
  run(values: readonly Tensor[], args: CallArgs): Tensor[] {
    const known = new Map<SymbolicTensor, Tensor>();
    this.inputs.forEach((t, i) => {
      known.set(t, values[i]!);
    });
    const ranFused = new Set<GraphNode>();
    for (const node of this.nodes) {
      if (ranFused.has(node)) continue;
      const next = this.fusible.get(node);
      if (next !== undefined) {
        const y = next.layer.callAfter(node.layer, known.get(node.inputs[0]!)!);
        if (y !== null) {
          known.set(next.outputs[0]!, y);
          ranFused.add(next);
          continue;
        }
      }
      const xs = node.inputs.map((t) => known.get(t)!);
      const callArgs = Object.keys(node.args).length === 0 ? args : { ...args, ...node.args };
      const out = node.layer.apply(node.packedInputs ? xs : xs[0]!, callArgs) as Tensor | Tensor[];
      const list = Array.isArray(out) ? out : [out];
      node.outputs.forEach((t, i) => {
        known.set(t, list[i]!);
      });
    }
    return this.outputs.map((t) => known.get(t)!);
  }
}

/**
 * Depth-first from the outputs: the nodes in an order where each comes after its inputs' nodes (the
 * Input nodes included), and the order in which layers were first reached. A tensor from an Input
 * that is not a model input disconnects the graph.
 */
function traverse(
  ownerName: string,
  inputs: readonly SymbolicTensor[],
  outputs: readonly SymbolicTensor[],
): { order: GraphNode[]; discovery: Map<Layer, number> } {
  const order: GraphNode[] = [];
  const discovery = new Map<Layer, number>();
  const done = new Set<GraphNode>();
  const active = new Set<GraphNode>();
  const inputSet = new Set(inputs);
  const stack: { node: GraphNode; next: number }[] = [];
  const push = (t: SymbolicTensor, consumer: GraphNode | null) => {
    if (done.has(t.node)) return;
    if (t.node.layer instanceof InputLayer && !inputSet.has(t)) {
      const reached = order.map((n) => `"${n.layer.name}"`).join(', ');
      throw new Error(
        `Model "${ownerName}": graph disconnected: cannot obtain the value of tensor ${t.name} (${t.node.layer.name}) needed by layer "${consumer?.layer.name ?? 'output'}"; it is not among the model's inputs. Layers reached without issue: [${reached}]`,
      );
    }
    if (active.has(t.node))
      throw new Error(`Model "${ownerName}": the graph has a cycle at layer "${t.node.layer.name}"`);
    if (!discovery.has(t.node.layer)) discovery.set(t.node.layer, discovery.size);
    active.add(t.node);
    stack.push({ node: t.node, next: 0 });
  };
  for (const out of outputs) {
    push(out, null);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.inputs.length) {
        push(top.node.inputs[top.next++]!, top.node);
        continue;
      }
      stack.pop();
      active.delete(top.node);
      done.add(top.node);
      order.push(top.node);
    }
  }
  return { order, discovery };
}

/**
 * The pairs (a, b) of single-input, single-output calls without extra arguments where b alone reads a's
 * output and it is not a model output: running them as one cannot change what anyone sees. b need not
 * follow a directly in `nodes`, but it depends on nothing else, so computing it early is safe.
 */
function fusiblePairs(
  nodes: readonly GraphNode[],
  outputs: readonly SymbolicTensor[],
): Map<GraphNode, GraphNode> {
  const readers = new Map<SymbolicTensor, GraphNode[]>();
  for (const node of nodes) {
    for (const t of node.inputs) readers.set(t, [...(readers.get(t) ?? []), node]);
  }
  const simple = (n: GraphNode) =>
    n.inputs.length === 1 &&
    n.outputs.length === 1 &&
    !n.packedInputs &&
    !n.packedOutputs &&
    Object.keys(n.args).length === 0;
  const pairs = new Map<GraphNode, GraphNode>();
  for (const node of nodes) {
    if (!simple(node) || outputs.includes(node.outputs[0]!)) continue;
    const next = readers.get(node.outputs[0]!);
    if (next?.length === 1 && simple(next[0]!) && next[0]!.inputs[0] === node.outputs[0]) {
      pairs.set(node, next[0]!);
    }
  }
  return pairs;
}
