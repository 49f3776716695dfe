import { isFloat } from '../backend/dtype.js';
import { zerosLike } from '../ops/creation.js';
import { recordNode } from '../ops/op.js';
import { Variable } from '../ops/variable.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import type { GradRule } from '../tensor/node.js';
import { recording } from '../tensor/recording.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A fresh tensor with the values of `t` that can carry a graph node of its own (a variable gives a
 * snapshot, so later assignments do not show through). `t` itself, which may be an input or part of
 * another graph, is left untouched.
 */
function alias(t: Tensor): Tensor {
  if (t instanceof Variable) return t.snapshot();
  return new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
}

/**
 * Gives `outputs` a user-written vector-Jacobian product: each floating-point output becomes a fresh
 * tensor produced by one graph node over `inputs`, recorded exactly as a primitive op is (for every
 * tape that follows an input and for requiresGrad tracking). The node's rule calls `vjp` with one
 * gradient per output (zeros for the outputs other than its own; the vjp is linear, so the engine's
 * sum over outputs is right), so a `vjp` written with tapeflow ops is recorded by enclosing tapes and
 * is differentiable again. Returns the outputs to hand to the caller (the originals when nothing was
 * recorded). `vjp` returns one entry per input: a gradient of the input's shape, or null.
 */
export function attachGradient(
  name: string,
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  vjp: (dys: Tensor[]) => readonly (Tensor | null | undefined)[],
): Tensor[] {
  if (!recording.gradEnabled) return [...outputs];
  return outputs.map((out, j) => {
    if (!isFloat(out.dtype)) return out;
    const rule: GradRule = (dy) => {
      const dys = outputs.map((o, k) => (k === j ? dy : zerosLike(o)));
      const grads = vjp(dys);
      return inputs.map((x, i) => {
        const g = grads[i];
        if (g === null || g === undefined) return null;
        if (!(g instanceof Tensor)) {
          throw new TypeError(
            `${name}: the gradient for input ${i} must be a Tensor or null, got ${String(g)}`,
          );
        }
        if (!shapesEqual(g.shape, x.shape)) {
          throw new RangeError(
            `${name}: the gradient for input ${i} has shape ${formatShape(g.shape)}, but the input has shape ${formatShape(x.shape)}`,
          );
        }
        return g;
      });
    };
    const y = alias(out);
    return recordNode(name, inputs, undefined, y, rule) ? y : out;
  });
}

/** What `gradFunc` gives back: one gradient per input (null for none), or a tensor for a single input. */
export type GradFuncResult = Tensor | null | readonly (Tensor | null | undefined)[];

/** The upstream gradients, one per output of the custom-gradient function. */
export type GradFunc = (...dys: Tensor[]) => GradFuncResult;

/** A custom-gradient function's result: `{ value, gradFunc }` or TensorFlow's tuple `[value, gradFunc]`. */
export type CustomGradientResult<V extends Tensor | readonly Tensor[] = Tensor> =
  | { readonly value: V; readonly gradFunc: GradFunc }
  | readonly [V, GradFunc];

export interface CustomGradientOptions {
  /** The graph node's name (shown by gradFn.name and graphToDot); default the function's name or 'customGradient'. */
  name?: string;
}

/** Normalises a gradient result to one entry per input, checking the count. */
export function gradientList(name: string, result: GradFuncResult, count: number): (Tensor | null)[] {
  const list: readonly (Tensor | null | undefined)[] =
    result === null || result === undefined || result instanceof Tensor ? [result] : result;
  if (!Array.isArray(list)) {
    throw new TypeError(
      `${name}: the gradient function must return a Tensor, null or an array of them, got ${String(result)}`,
    );
  }
  const extra = list.slice(count).some((g) => g !== null && g !== undefined);
  if (list.length < count || extra) {
    throw new RangeError(
      `${name}: the gradient function returned ${list.length} gradient(s), expected ${count} (one per input)`,
    );
  }
  return list.slice(0, count).map((g) => g ?? null);
}

/**
 * TensorFlow's `tf.custom_gradient`. `f(...inputs)` returns `{ value, gradFunc }` (or the tuple
 * `[value, gradFunc]`); `gradFunc(dy)` returns the gradient of each input (a single tensor when there
 * is one input; null for none). The returned function computes `value` and records it as the output
 * of a single graph node over the inputs whose gradient is `gradFunc`, for tapes and for backward().
 *
 * `f` runs with recording on, as in TensorFlow, so enclosing tapes record how the tensors that
 * `gradFunc` closes over depend on the inputs: a `gradFunc` written with tapeflow ops is then
 * differentiable again (second derivatives, nested tapes, backward with createGraph). A value that is
 * a list of tensors gives a list of outputs and `gradFunc(...dys)` one upstream gradient per output.
 * Variables must be passed as inputs to receive gradients.
 *
 * ```ts
 * const log1pexp = tf.customGradient((x) => {
 *   const e = tf.exp(x);
 *   return { value: tf.log1p(e), gradFunc: (dy) => dy.mul(tf.sub(1, tf.div(1, tf.add(1, e)))) };
 * });
 * ```
 */
export function customGradient<V extends Tensor | readonly Tensor[] = Tensor>(
  f: (...inputs: Tensor[]) => CustomGradientResult<V>,
  options: CustomGradientOptions = {},
): (...inputs: TensorLike[]) => V {
  const name = options.name ?? (f.name !== '' ? f.name : 'customGradient');
  return (...args) => {
    const inputs = args.map((a) => toTensor(a, name));
    const result = f(...inputs) as unknown;
    let value: unknown;
    let gradFunc: unknown;
    if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'function') {
      [value, gradFunc] = result;
    } else if (typeof result === 'object' && result !== null && 'gradFunc' in result && 'value' in result) {
      ({ value, gradFunc } = result as { value: unknown; gradFunc: unknown });
    } else {
      throw new TypeError(
        `${name}: the function must return { value, gradFunc } or [value, gradFunc], got ${String(result)}`,
      );
    }
    if (typeof gradFunc !== 'function') {
      throw new TypeError(`${name}: gradFunc must be a function, got ${String(gradFunc)}`);
    }
    const single = value instanceof Tensor;
    const outputs = single ? [value as Tensor] : Array.isArray(value) ? (value as unknown[]) : null;
    if (outputs === null || outputs.length === 0 || !outputs.every((o) => o instanceof Tensor)) {
      throw new TypeError(`${name}: value must be a Tensor or a non-empty array of Tensors`);
    }
    const grad = gradFunc as GradFunc;
    const finals = attachGradient(name, inputs, outputs as Tensor[], (dys) =>
      gradientList(name, grad(...dys), inputs.length),
    );
    return (single ? finals[0]! : finals) as unknown as V;
  };
}
