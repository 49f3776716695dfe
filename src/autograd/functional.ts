import { allocate, isFloat } from '../backend/dtype.js';
import { add, mul } from '../ops/binary.js';
import { cast } from '../ops/cast.js';
import { zerosLike } from '../ops/creation.js';
import { sum } from '../ops/reduce.js';
import type { TensorLike } from '../tensor/convert.js';
import { toTensor } from '../tensor/convert.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { backprop } from './engine.js';
import { GradientTape } from './tape.js';

function gradsOf(f: (...xs: Tensor[]) => Tensor, args: readonly TensorLike[], dy?: TensorLike) {
  const xs = args.map((a) => toTensor(a, 'grad'));
  const tape = new GradientTape();
  tape.watch(xs);
  const value = tape.record(() => f(...xs));
  const grads = tape.gradient(value, xs, dy === undefined ? {} : { outputGradients: dy });
  return { value, grads };
}

/** `tf.grad(f)`: a function returning df/dx (x's shape); `dy` weights a non-scalar output. */
export function grad(f: (x: Tensor) => Tensor): (x: TensorLike, dy?: TensorLike) => Tensor | null {
  return (x, dy) => gradsOf(f, [x], dy).grads[0]!;
}

/** `tf.grads(f)`: gradients with respect to every argument. */
export function grads(
  f: (...xs: Tensor[]) => Tensor,
): (xs: readonly TensorLike[], dy?: TensorLike) => (Tensor | null)[] {
  return (xs, dy) => gradsOf(f, xs, dy).grads;
}

export function valueAndGrad(
  f: (x: Tensor) => Tensor,
): (x: TensorLike, dy?: TensorLike) => { value: Tensor; grad: Tensor | null } {
  return (x, dy) => {
    const { value, grads: g } = gradsOf(f, [x], dy);
    return { value, grad: g[0]! };
  };
}

export function valueAndGrads(
  f: (...xs: Tensor[]) => Tensor,
): (xs: readonly TensorLike[], dy?: TensorLike) => { value: Tensor; grads: (Tensor | null)[] } {
  return (xs, dy) => gradsOf(f, xs, dy);
}

/** A primal argument: one tensor (or tensor-like value), or an array of tensors for several arguments. */
export type Primals = TensorLike | readonly Tensor[];
type PerPrimal<P> = P extends readonly Tensor[] ? Tensor[] : Tensor;
type PerOutput<Y> = Y extends Tensor ? TensorLike : readonly TensorLike[];

function isTensorList(value: unknown): value is readonly Tensor[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Tensor);
}

/** The primals as a list of floating-point tensors, and whether a single one was given. */
function primalList(api: string, primals: Primals): { xs: Tensor[]; single: boolean } {
  const single = !isTensorList(primals);
  const xs = single ? [toTensor(primals as TensorLike, api)] : [...(primals as readonly Tensor[])];
  xs.forEach((x, i) => {
    if (!isFloat(x.dtype)) {
      throw new TypeError(
        `${api}: primal ${i} must be float32 or float64 to be differentiated, got ${x.dtype} ${formatShape(x.shape)}`,
      );
    }
  });
  return { xs, single };
}

/** f's outputs as a list, and whether f returned a single tensor. */
function outputList(api: string, value: unknown): { ys: Tensor[]; single: boolean } {
  if (value instanceof Tensor) return { ys: [value], single: true };
  if (isTensorList(value)) return { ys: [...value], single: false };
  throw new TypeError(`${api}: f must return a Tensor or a non-empty array of Tensors, got ${String(value)}`);
}

/** Vectors paired with `like` (cotangents with outputs, tangents with primals), checked and cast. */
function pairedList(
  api: string,
  what: string,
  values: TensorLike | readonly TensorLike[],
  like: readonly Tensor[],
  single: boolean,
): Tensor[] {
  const list = single ? [values as TensorLike] : (values as readonly TensorLike[]);
  if (!Array.isArray(list) || list.length !== like.length) {
    throw new RangeError(
      `${api}: expected ${like.length} ${what}(s), one per ${what === 'tangent' ? 'primal' : 'output'}`,
    );
  }
  return list.map((v, i) => {
    const t = toTensor(v, api, like[i]!.dtype);
    if (!shapesEqual(t.shape, like[i]!.shape)) {
      throw new RangeError(
        `${api}: ${what} ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(like[i]!.shape)}`,
      );
    }
    return t.dtype === like[i]!.dtype || !isFloat(like[i]!.dtype) ? t : cast(t, like[i]!.dtype);
  });
}

/**
 * sum_k u_k^T d ys_k / d xs through the nodes `tape` recorded, zeros for an unconnected primal (the
 * shared pullback of vjp and jvp; the graph is retained, since enclosing tapes share its nodes).
 */
function pullback(tape: GradientTape, ys: readonly Tensor[], us: readonly Tensor[], xs: readonly Tensor[]) {
  const roots: Tensor[] = [];
  const seeds: Tensor[] = [];
  ys.forEach((y, k) => {
    if (isFloat(y.dtype)) {
      roots.push(y);
      seeds.push(us[k]!);
    }
  });
  const grads = backprop(roots, seeds, {
    follows: (t) => tape.tracked.has(t),
    sources: new Set(xs),
    retainGraph: true,
  });
  return xs.map((x) => grads.get(x) ?? zerosLike(x));
}

/**
 * `tf.jacobian(f)(x)`: the Jacobian of f at x with shape [...f(x).shape, ...x.shape] (zeros where f
 * does not depend on x), one reverse pass per element of f(x) (see GradientTape.jacobian).
 */
export function jacobian(f: (x: Tensor) => Tensor): (x: TensorLike) => Tensor {
  return (x) => {
    const { xs } = primalList('jacobian', x);
    const tape = new GradientTape();
    tape.watch(xs);
    const y = outputList(
      'jacobian',
      tape.record(() => f(xs[0]!)),
    ).ys;
    if (y.length !== 1) throw new TypeError('jacobian: f must return a single Tensor');
    return tape.jacobian(y[0]!, xs[0]!, { unconnectedGradients: 'zero' })!;
  };
}

/**
 * `tf.hessian(f)(x)`: the Hessian of a scalar function with shape [...x.shape, ...x.shape], computed
 * with nested tapes: the inner tape's gradient is recorded by the outer one, whose jacobian of that
 * gradient is the Hessian (zeros where f is linear or constant in x).
 */
export function hessian(f: (x: Tensor) => Tensor): (x: TensorLike) => Tensor {
  return (x) => {
    const { xs } = primalList('hessian', x);
    const source = xs[0]!;
    const outer = new GradientTape();
    outer.watch(source);
    const g = outer.record(() => {
      const inner = new GradientTape();
      inner.watch(source);
      const y = inner.record(() => f(source));
      if (!(y instanceof Tensor) || y.size !== 1) {
        throw new RangeError(
          `hessian: f must return a scalar, got ${y instanceof Tensor ? `shape ${formatShape(y.shape)}` : String(y)}`,
        );
      }
      return inner.gradient(y, source, { unconnectedGradients: 'zero' })!;
    });
    return outer.jacobian(g, source, { unconnectedGradients: 'zero' })!;
  };
}

/**
 * `tf.vjp(f, primals, cotangents)`: the value of f at the primals and the vector-Jacobian product
 * u^T J for each primal (JAX's vjp, evaluated at once; reverse mode). `primals` is a tensor or an array
 * of tensors (f's arguments); `cotangents` has f's output structure and shapes. `grads` has the
 * primals' structure, with zeros for a primal f does not depend on.
 */
export function vjp<P extends Primals, Y extends Tensor | readonly Tensor[]>(
  f: (...xs: Tensor[]) => Y,
  primals: P,
  cotangents: PerOutput<Y>,
): { value: Y; grads: PerPrimal<P> } {
  const { xs, single } = primalList('vjp', primals);
  const tape = new GradientTape();
  tape.watch(xs);
  const value = tape.record(() => f(...xs));
  const { ys, single: singleOut } = outputList('vjp', value);
  const us = pairedList('vjp', 'cotangent', cotangents, ys, singleOut);
  const grads = pullback(tape, ys, us, xs);
  return { value, grads: (single ? grads[0]! : grads) as PerPrimal<P> };
}

/**
 * `tf.jvp(f, primals, tangents)`: the value of f at the primals and the Jacobian-vector product J t
 * (forward mode; JAX's jvp), with f's output structure.
 *
 * Forward mode by the "double-vjp" trick: the vjp g(u) = u^T J = J^T u is linear in the cotangent u,
 * so the gradient of <g(u), t> = u^T (J t) with respect to u is J t. The pullback is computed at a
 * dummy u (zeros; any value gives the same result) while an outer tape watches u, and that outer
 * tape's gradient gives the jvp: two reverse passes, for any f made of differentiable ops, and the
 * result is differentiable again (enclosing tapes record both passes, e.g. forward-over-reverse
 * Hessian-vector products). A custom gradient whose rule is not linear in its upstream gradient is
 * linearised at u = 0.
 */
export function jvp<P extends Primals, Y extends Tensor | readonly Tensor[]>(
  f: (...xs: Tensor[]) => Y,
  primals: P,
  tangents: P extends readonly Tensor[] ? readonly TensorLike[] : TensorLike,
): { value: Y; jvp: Y extends Tensor ? Tensor : Tensor[] } {
  const { xs, single } = primalList('jvp', primals);
  const ts = pairedList('jvp', 'tangent', tangents as TensorLike | readonly TensorLike[], xs, single);
  const inner = new GradientTape();
  inner.watch(xs);
  const value = inner.record(() => f(...xs));
  const { ys, single: singleOut } = outputList('jvp', value);
  // Distinct dummy cotangents (fresh zeros, never a shared constant), watched by the outer tape.
  const us = ys.map((y) => new Tensor(allocate(y.dtype, y.size), y.shape, y.dtype));
  const outer = new GradientTape();
  outer.watch(us);
  const total = outer.record(() => {
    const gs = pullback(inner, ys, us, xs);
    let s: Tensor | null = null;
    gs.forEach((g, i) => {
      const term = sum(mul(g, ts[i]!));
      s = s === null ? term : add(s, term);
    });
    return s!;
  });
  const products = outer.gradient(total, us, { unconnectedGradients: 'zero' }) as Tensor[];
  return { value, jvp: (singleOut ? products[0]! : products) as Y extends Tensor ? Tensor : Tensor[] };
}
