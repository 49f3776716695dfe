import type { Tensor } from './tensor.js';

/** What a gradient rule sees of the forward computation. */
export interface GradContext<Attrs = unknown> {
  /** The op's inputs as they were when it ran (a variable's value at that moment). */
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly attrs: Attrs;
}

/**
 * A vector-Jacobian product written with tapeflow ops (so it is differentiable again): given the
 * gradient of the output, return one gradient per input, or null where `needs[i]` is false or the
 * input is not differentiable.
 */
export type GradRule<Attrs = unknown> = (
  dy: Tensor,
  ctx: GradContext<Attrs>,
  needs: readonly boolean[],
) => (Tensor | null)[];

/** One recorded operation of the autograd graph: PyTorch's `grad_fn`. */
export class Node {
  private context: GradContext | null;

  constructor(
    /** The op's name, e.g. 'matmul'. */
    readonly name: string,
    /** The input tensors by identity (variables as themselves), for walking the graph. */
    readonly inputs: readonly Tensor[],
    context: GradContext,
    private readonly rule: GradRule,
  ) {
    this.context = context;
  }

  /** The nodes that produced this node's inputs (null for leaves), as PyTorch's `next_functions`. */
  get nextFunctions(): (Node | null)[] {
    return this.inputs.map((t) => t.gradFn);
  }

  get released(): boolean {
    return this.context === null;
  }

  /** Drops the saved tensors once a non-retained backward pass has used them. */
  release(): void {
    this.context = null;
  }

  vjp(dy: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
    if (this.context === null) {
      throw new Error(
        `backward: trying to backward through the graph a second time (the saved values of '${this.name}' ` +
          'were freed by the first backward); pass { retainGraph: true } to the first backward() to keep them',
      );
    }
    return this.rule(dy, this.context, needs);
  }

  toString(): string {
    return `<${this.name}Backward>`;
  }
}
