import { isFloat } from '../backend/dtype.js';
import { add } from '../ops/binary.js';
import { cast } from '../ops/cast.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface BackpropOptions {
  /** Which tensors' producing nodes belong to this graph (a tape's tracked set, or requiresGrad). */
  follows(t: Tensor): boolean;
  /** The tensors whose gradients are wanted; null means every leaf reached (PyTorch's backward). */
  sources: ReadonlySet<Tensor> | null;
  /** Keep the nodes' saved tensors for another pass. */
  retainGraph: boolean;
  /** Also return gradients of tensors for which this is true (PyTorch's retain_grad). */
  keep?(t: Tensor): boolean;
}

/** Tensors reachable from the roots through followed nodes, inputs before outputs. */
function topologicalOrder(roots: readonly Tensor[], follows: (t: Tensor) => boolean): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [];
  for (const root of roots) {
    if (visited.has(root)) continue;
    visited.add(root);
    stack.push([root, 0]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [t, next] = top;
      const node = t.gradFn !== null && follows(t) ? t.gradFn : null;
      if (node !== null && next < node.inputs.length) {
        top[1]++;
        const child = node.inputs[next]!;
        if (!visited.has(child)) {
          visited.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/**
 * The one reverse-mode engine behind GradientTape.gradient and backward(): walks the recorded graph
 * from the roots in reverse topological order, calling each node's gradient rule (written with ops,
 * so an enclosing tape records it for higher derivatives) and summing gradients where paths meet.
 * Returns the gradient of every source (or every leaf and kept tensor when sources is null).
 */
export function backprop(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  options: BackpropOptions,
): Map<Tensor, Tensor> {
  const { follows, sources, retainGraph, keep } = options;
  const order = topologicalOrder(roots, follows);
  const followed = (t: Tensor) => t.gradFn !== null && follows(t);
  // A tensor is needed when it is a source or leads to one; with no sources, every followed input is.
  let needed: (t: Tensor) => boolean;
  if (sources !== null) {
    const set = new Set<Tensor>();
    for (const t of order) {
      if ((sources.has(t) && follows(t)) || (followed(t) && t.gradFn!.inputs.some((i) => set.has(i))))
        set.add(t);
    }
    needed = (t) => set.has(t);
  } else {
    needed = (t) => isFloat(t.dtype) && (followed(t) || follows(t));
  }
  const grads = new Map<Tensor, Tensor>();
  roots.forEach((root, i) => {
    accumulate(grads, root, seeds[i]!, 'target');
  });
  const result = new Map<Tensor, Tensor>();
  for (let k = order.length - 1; k >= 0; k--) {
    const t = order[k]!;
    const g = grads.get(t);
    if (g === undefined) continue;
    const isWanted = sources !== null ? sources.has(t) : !followed(t) || (keep?.(t) ?? false);
    if (isWanted) result.set(t, g);
    if (!followed(t)) continue;
    const node = t.gradFn!;
    const needs = node.inputs.map(needed);
    if (needs.some(Boolean)) {
      const inputGrads = node.vjp(g, needs);
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (needs[i] && gi !== null && gi !== undefined) accumulate(grads, input, gi, node.name);
      });
    }
    if (!retainGraph) node.release();
    if (!isWanted) grads.delete(t);
  }
  return result;
}

function accumulate(grads: Map<Tensor, Tensor>, t: Tensor, g: Tensor, opName: string): void {
  if (!shapesEqual(g.shape, t.shape)) {
    throw new Error(
      `gradient of '${opName}' has shape ${formatShape(g.shape)} but its input has shape ${formatShape(t.shape)} (internal error in the gradient rule)`,
    );
  }
  // A gradient has its source's dtype (float32 variables in float64 arithmetic get float32 gradients).
  if (g.dtype !== t.dtype && isFloat(t.dtype)) g = cast(g, t.dtype);
  const previous = grads.get(t);
  grads.set(t, previous === undefined ? g : add(previous, g));
}
