import { Variable } from '../ops/variable.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface DotOptions {
  /** The graph's name in the DOT text (default 'tapeflow'). */
  name?: string;
}

/** How a picture is drawn: which tensors' producing nodes belong to the graph, and which leaves are sources. */
export interface DotGraphView {
  /** Whether the node that produced `t` is drawn (a tensor not followed is drawn as a leaf). */
  follows(t: Tensor): boolean;
  /** Whether a leaf is differentiated (watched by the tape, or requiresGrad). */
  isSource(t: Tensor): boolean;
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function describe(t: Tensor): string {
  return `${formatShape(t.shape)} ${t.dtype}`;
}

function leafLabel(t: Tensor, source: boolean): { label: string; attrs: string } {
  if (t instanceof Variable) {
    const kind = t.trainable ? 'variable' : 'variable (not trainable)';
    return {
      label: `${t.name}\n${kind}\n${describe(t)}`,
      attrs: 'shape=ellipse, style=filled, fillcolor="lightblue"',
    };
  }
  if (source) {
    return { label: `source\n${describe(t)}`, attrs: 'shape=ellipse, style=filled, fillcolor="lightyellow"' };
  }
  if (t.size === 1) {
    // Shortest text that identifies the value at the dtype's precision (0.1, not 0.10000000149011612).
    const value = Number(t.dataSync()[0]!.toPrecision(t.dtype === 'float32' ? 7 : 15));
    return { label: `constant ${value}\n${describe(t)}`, attrs: 'shape=ellipse' };
  }
  return { label: `constant\n${describe(t)}`, attrs: 'shape=ellipse' };
}

/**
 * Graphviz DOT text of the graph that produced `output`: each recorded operation is a box labelled
 * with its op name, each tensor an edge from its producer to its consumer labelled with its shape and
 * dtype, leaves are ellipses (variables by name and filled blue, differentiated sources filled yellow,
 * constants with their value when scalar), and the output is a double ellipse. Ids follow the order of a
 * depth-first walk from the output over inputs in order, so the same graph always gives the same text.
 */
export function renderDot(output: Tensor, view: DotGraphView, options: DotOptions = {}): string {
  const followed = (t: Tensor) => t.gradFn !== null && view.follows(t);
  const ids = new Map<Tensor, string>();
  const order: Tensor[] = [];
  // Iterative post-order walk: inputs get their ids before the operations that consume them.
  const stack: [Tensor, number][] = [[output, 0]];
  const seen = new Set<Tensor>([output]);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = followed(t) ? t.gradFn!.inputs : [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next]!;
      if (!seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      ids.set(t, `n${order.length}`);
      order.push(t);
    }
  }
  const lines = [`digraph ${quote(options.name ?? 'tapeflow')} {`];
  lines.push('  node [fontname="Helvetica", fontsize=10];');
  lines.push('  edge [fontname="Helvetica", fontsize=9];');
  for (const t of order) {
    const id = ids.get(t)!;
    if (followed(t)) {
      lines.push(`  ${id} [label=${quote(t.gradFn!.name)}, shape=box];`);
    } else {
      const { label, attrs } = leafLabel(t, view.isSource(t));
      lines.push(`  ${id} [label=${quote(label)}, ${attrs}];`);
    }
  }
  lines.push('  output [label="output", shape=ellipse, peripheries=2, style=bold];');
  for (const t of order) {
    if (!followed(t)) continue;
    for (const input of t.gradFn!.inputs) {
      lines.push(`  ${ids.get(input)!} -> ${ids.get(t)!} [label=${quote(describe(input))}];`);
    }
  }
  lines.push(`  ${ids.get(output)!} -> output [label=${quote(describe(output))}];`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Graphviz DOT text for the graph that produced `t` (every recorded node, whichever tape or
 * requiresGrad recorded it). Render it with `dot -Tsvg graph.dot > graph.svg`.
 */
export function graphToDot(t: Tensor, options: DotOptions = {}): string {
  return renderDot(t, { follows: () => true, isSource: (x) => x.trackGrad }, options);
}
