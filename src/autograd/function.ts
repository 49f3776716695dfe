import { isFloat } from '../backend/dtype.js';
import { Variable } from '../ops/variable.js';
import { noGrad, recording } from '../tensor/recording.js';
import { Tensor } from '../tensor/tensor.js';
import { attachGradient, type GradFuncResult, gradientList } from './custom.js';

/**
 * The context object PyTorch passes to `forward` and `backward` of an autograd Function: tensors saved
 * with `saveForBackward` come back in `savedTensors`; anything else can be stored as a property.
 */
export class FunctionCtx {
  /** Anything else forward wants backward to know (as PyTorch's `ctx.attr = value`). */
  [key: string]: unknown;
  /** For each argument of forward, whether a gradient can flow to it (PyTorch's needs_input_grad). */
  readonly needsInputGrad: readonly boolean[];
  #saved: readonly (Tensor | null)[] = [];
  #outputs = new Map<Tensor, Tensor>();

  constructor(needsInputGrad: readonly boolean[] = []) {
    this.needsInputGrad = needsInputGrad;
  }

  /** Keeps tensors (inputs, outputs or intermediates) for backward; null placeholders are allowed. */
  saveForBackward(...tensors: (Tensor | null | undefined)[]): void {
    this.#saved = tensors.map((t) => t ?? null);
  }

  /**
   * The saved tensors. A saved output of forward comes back as the output returned to the caller, which
   * carries the Function's graph node: a backward written with tapeflow ops that uses it is
   * differentiable again (double backward, nested tapes).
   */
  get savedTensors(): (Tensor | null)[] {
    return this.#saved.map((t) => (t === null ? null : (this.#outputs.get(t) ?? t)));
  }

  /** @internal Maps forward's raw outputs to the tensors returned by apply. */
  setOutputs(raw: readonly Tensor[], finals: readonly Tensor[]): void {
    raw.forEach((t, i) => {
      if (finals[i] !== t) this.#outputs.set(t, finals[i]!);
    });
  }
}

type ForwardArgs<T> = T extends { forward(ctx: FunctionCtx, ...args: infer A): unknown } ? A : never;
type ForwardResult<T> = T extends { forward(ctx: FunctionCtx, ...args: never[]): infer R } ? R : never;

/** Whether some active tape or requiresGrad tracking follows `t` (so a gradient can reach it). */
function isFollowed(t: Tensor): boolean {
  if (!recording.gradEnabled || !isFloat(t.dtype)) return false;
  if (t.trackGrad && recording.trackRequiresGrad) return true;
  return recording.tapes.some(
    (tape) => tape.tracked.has(t) || (tape.watchAccessedVariables && t instanceof Variable && t.trainable),
  );
}

/** The static side of a Function subclass, as apply sees it. */
interface FunctionClass {
  readonly name: string;
  forward(ctx: FunctionCtx, ...inputs: unknown[]): unknown;
  backward(ctx: FunctionCtx, ...gradOutputs: Tensor[]): GradFuncResult;
}

function applyFunction(cls: FunctionClass, args: readonly unknown[]): Tensor | Tensor[] {
  const name = cls.name || 'Function';
  const tensorAt: number[] = [];
  args.forEach((a, i) => {
    if (a instanceof Tensor) tensorAt.push(i);
  });
  const tensors = tensorAt.map((i) => args[i] as Tensor);
  const ctx = new FunctionCtx(args.map((a) => a instanceof Tensor && isFollowed(a)));
  const result = noGrad(() => cls.forward(ctx, ...args));
  const single = result instanceof Tensor;
  const raw = single ? [result] : Array.isArray(result) ? (result as unknown[]) : null;
  if (raw === null || raw.length === 0 || !raw.every((o) => o instanceof Tensor)) {
    throw new TypeError(`${name}.forward must return a Tensor or a non-empty array of Tensors`);
  }
  const outputs = raw as Tensor[];
  const finals = attachGradient(name, tensors, outputs, (dys) => {
    const grads = gradientList(`${name}.backward`, cls.backward(ctx, ...dys), args.length);
    grads.forEach((g, i) => {
      if (g !== null && !(args[i] instanceof Tensor)) {
        throw new TypeError(
          `${name}.backward returned a gradient for argument ${i}, which is not a Tensor (return null there)`,
        );
      }
    });
    return tensorAt.map((i) => grads[i]!);
  });
  ctx.setOutputs(outputs, finals);
  return single ? finals[0]! : finals;
}

/**
 * PyTorch's `torch.autograd.Function`: subclass it with static `forward(ctx, ...inputs)` and static
 * `backward(ctx, ...gradOutputs)`, and call `MyFn.apply(...inputs)`.
 *
 * `forward` runs without recording (as under torch.no_grad); its result (a tensor or an array of
 * tensors) is recorded as the output of one graph node, named after the class, over the tensor
 * arguments, for backward() and for every GradientTape following an argument. `backward` receives one
 * gradient per output (zeros for outputs that got none) and returns one gradient per argument of
 * forward (null for non-tensor arguments and for no gradient; a single tensor when forward has one
 * argument). Written with tapeflow ops, backward is recorded by enclosing tapes, so higher derivatives
 * work; save inputs or outputs with `ctx.saveForBackward` (a saved intermediate of forward is a
 * constant for those higher derivatives, as in PyTorch).
 *
 * ```ts
 * class Exp extends tf.autograd.Function {
 *   static override forward(ctx: tf.autograd.FunctionCtx, x: tf.Tensor) {
 *     const y = x.exp();
 *     ctx.saveForBackward(y);
 *     return y;
 *   }
 *   static override backward(ctx: tf.autograd.FunctionCtx, dy: tf.Tensor) {
 *     const [y] = ctx.savedTensors;
 *     return dy.mul(y!);
 *   }
 * }
 * const y = Exp.apply(x);
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: PyTorch's API: subclasses define static forward/backward.
export class Function {
  static forward(_ctx: FunctionCtx, ..._inputs: unknown[]): Tensor | Tensor[] {
    throw new Error('autograd.Function: a subclass must override the static forward(ctx, ...inputs)');
  }

  static backward(_ctx: FunctionCtx, ..._gradOutputs: Tensor[]): GradFuncResult {
    throw new Error('autograd.Function: a subclass must override the static backward(ctx, ...gradOutputs)');
  }

  /** Runs forward and records its outputs with backward as their gradient. */
  static apply<T extends typeof Function>(this: T, ...inputs: ForwardArgs<T>): ForwardResult<T> {
    // biome-ignore lint/complexity/noThisInStatic: apply runs on the subclass it is called on.
    if (this === Function) throw new Error('autograd.Function.apply: call apply on a subclass');
    // biome-ignore lint/complexity/noThisInStatic: apply runs on the subclass it is called on.
    return applyFunction(this, inputs) as ForwardResult<T>;
  }
}
