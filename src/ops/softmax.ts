/**
 * softmax, logSoftmax and the fused sparse softmax cross-entropy as primitives with backend kernels
 * (js/softmax.ts, native/src/softmax.cc), forward and backward. Kernels work on the last axis; another
 * axis is swapped to the end and back (views, no copy until the kernel needs one). Every backward pass
 * is itself an op whose gradient is written with ops, so higher derivatives work.
 */
import { type DType, isFloat, type TypedArray } from '../backend/dtype.js';
import { isContiguous } from '../backend/js/strided.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape, normalizeAxis, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { mul, sub } from './binary.js';
import { cast } from './cast.js';
import { oneHot } from './creation.js';
import { defineOp, type OpDef, runOp } from './op.js';
import { sum } from './reduce.js';
import { expandDims, transpose } from './shape.js';
import { exp, neg } from './unary.js';
import { describeTensor, floatOf } from './util.js';

/** x with `axis` swapped with the last axis (its own inverse). */
function swapToLast(x: Tensor, axis: number): Tensor {
  const last = x.rank - 1;
  if (axis === last) return x;
  const perm = [...x.shape.keys()];
  perm[axis] = last;
  perm[last] = axis;
  return transpose(x, perm);
}

const sameAsInput = ([x]: readonly Tensor[]) => ({ shape: x!.shape, dtype: x!.dtype });

export const softmaxOp: OpDef = defineOp({
  name: 'softmax',
  infer: sameAsInput,
  kernel: (backend, [x], _attrs, out) => new Tensor(backend.softmax('softmax', x!), out.shape, out.dtype),
  grad: (dy, { output }) => [runOp(softmaxGradOp, [output, dy], undefined)],
});

export const logSoftmaxOp: OpDef = defineOp({
  name: 'logSoftmax',
  infer: sameAsInput,
  kernel: (backend, [x], _attrs, out) => new Tensor(backend.softmax('logSoftmax', x!), out.shape, out.dtype),
  grad: (dy, { output }) => [runOp(logSoftmaxGradOp, [output, dy], undefined)],
});

/** dx = y (dy - sum(dy y)) from the softmax output y; self-adjoint in dy. */
export const softmaxGradOp: OpDef = defineOp({
  name: 'softmaxGrad',
  infer: sameAsInput,
  kernel: (backend, [y, dy], _attrs, out) =>
    new Tensor(backend.softmaxGrad('softmax', y!, dy!), out.shape, out.dtype),
  grad: (g, { inputs }, needs) => {
    const [y, dy] = inputs as [Tensor, Tensor];
    // d/dy: g (dy - sum(dy y)) - dy sum(g y); d/ddy: y (g - sum(g y)).
    return [
      needs[0] ? sub(mul(g, sub(dy, sum(mul(dy, y), -1, true))), mul(dy, sum(mul(g, y), -1, true))) : null,
      needs[1] ? runOp(softmaxGradOp, [y, g], undefined) : null,
    ];
  },
});

/** dx = dy - exp(y) sum(dy) from the logSoftmax output y. */
export const logSoftmaxGradOp: OpDef = defineOp({
  name: 'logSoftmaxGrad',
  infer: sameAsInput,
  kernel: (backend, [y, dy], _attrs, out) =>
    new Tensor(backend.softmaxGrad('logSoftmax', y!, dy!), out.shape, out.dtype),
  grad: (g, { inputs }, needs) => {
    const [y, dy] = inputs as [Tensor, Tensor];
    const p = exp(y);
    // d/dy: -g exp(y) sum(dy); d/ddy: g - sum(g exp(y)).
    return [
      needs[0] ? neg(mul(mul(g, p), sum(dy, -1, true))) : null,
      needs[1] ? sub(g, sum(mul(g, p), -1, true)) : null,
    ];
  },
});

function softmaxFamily(def: OpDef, x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, def.name);
  const f = cast(t, floatOf(t.dtype));
  const a = normalizeAxis(def.name, axis, f.rank);
  if (f.rank === 0) return runOp(def, [f], undefined);
  return swapToLast(runOp(def, [swapToLast(f, a)], undefined), a);
}

/** exp(x) / sum(exp(x)) along `axis` (default last), by a fused, max-shifted kernel. */
export function softmax(x: TensorLike, axis = -1): Tensor {
  return softmaxFamily(softmaxOp, x, axis);
}

/** log(softmax(x)) along `axis` (default last): x - max - log(sum(exp(x - max))) in one kernel. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  return softmaxFamily(logSoftmaxOp, x, axis);
}

// ------------------------------------------------------------------ sparse softmax cross-entropy

const CE = 'sparseSoftmaxCrossEntropy';

/** The labels as an Int32Array, each checked to lie in [0, classes). */
function checkedLabels(labels: Tensor, logits: Tensor): Int32Array {
  const classes = logits.shape[logits.rank - 1]!;
  const flat = labels.contiguousData() as Int32Array;
  for (let i = 0; i < flat.length; i++) {
    const k = flat[i]!;
    if (k < 0 || k >= classes) {
      throw new RangeError(
        `${CE}: label ${k} (at flat index ${i}) is out of range for logits ${formatShape(logits.shape)} with ${classes} classes (expected 0 <= label < ${classes})`,
      );
    }
  }
  return flat;
}

/** Per-row loss logSumExp(logits) - logits[label]: logits [..., classes] float, labels [...] int32. */
export const sparseSoftmaxCrossEntropyOp: OpDef = defineOp({
  name: CE,
  infer: ([logits, labels]) => {
    const l = logits!;
    const y = labels!;
    if (!isFloat(l.dtype) || y.dtype !== 'int32') {
      throw new TypeError(
        `${CE}: expected float32/float64 logits and int32 labels, got logits ${describeTensor(l)} and labels ${describeTensor(y)}`,
      );
    }
    if (l.rank === 0 || !shapesEqual(y.shape, l.shape.slice(0, -1))) {
      throw new RangeError(
        `${CE}: labels ${formatShape(y.shape)} must have the shape of logits ${formatShape(l.shape)} without its last (class) axis, ${l.rank === 0 ? 'but logits is a scalar' : formatShape(l.shape.slice(0, -1))}`,
      );
    }
    return { shape: y.shape, dtype: l.dtype };
  },
  kernel: (backend, [logits, labels], _attrs, out) =>
    new Tensor(
      backend.sparseSoftmaxCrossEntropy(logits!, checkedLabels(labels!, logits!)),
      out.shape,
      out.dtype,
    ),
  prepare: (backend, [logits, labels]) =>
    backend.prepare?.sparseSoftmaxCrossEntropy(logits!, labels!) ?? null,
  grad: (dy, { inputs }) => [
    runOp(sparseSoftmaxCrossEntropyGradOp, [inputs[0]!, inputs[1]!, dy], undefined),
    null,
  ],
});

/** dLogits = dy[..., None] (softmax(logits) - onehot(labels)), fused. */
export const sparseSoftmaxCrossEntropyGradOp: OpDef = defineOp({
  name: `${CE}Grad`,
  infer: ([logits]) => ({ shape: logits!.shape, dtype: logits!.dtype }),
  kernel: (backend, [logits, labels, dy], _attrs, out) =>
    new Tensor(
      backend.sparseSoftmaxCrossEntropyGrad(logits!, checkedLabels(labels!, logits!), dy!),
      out.shape,
      out.dtype,
    ),
  prepare: (backend, [logits, labels, dy]) =>
    backend.prepare?.sparseSoftmaxCrossEntropyGrad(logits!, labels!, dy!) ?? null,
  grad: (g, { inputs }, needs) => {
    const [logits, labels, dy] = inputs as [Tensor, Tensor, Tensor];
    const p = runOp(softmaxOp, [logits], undefined);
    const classes = logits.shape[logits.rank - 1]!;
    return [
      // d/dlogits: dy softmax's vjp of g; d/ddy: sum(g (p - onehot)) over the classes.
      needs[0] ? mul(runOp(softmaxGradOp, [p, g], undefined), expandDims(dy, -1)) : null,
      null,
      needs[2] ? sum(mul(g, sub(p, oneHot(labels, classes, 1, 0, logits.dtype))), -1) : null,
    ];
  },
});

interface ClassIndexAttrs {
  /** The number of classes: indices must lie in [0, classes). */
  classes: number;
  /** A label value that marks an entry to ignore (its index becomes 0), or null. */
  ignoreClass: number | null;
  /** The caller's name for errors (a loss names itself). */
  opName: string;
}

/** Writes `out.length` labels read from `values` at `from` on as class indices, checking each. */
function classIndices(
  values: TypedArray,
  from: number,
  out: TypedArray,
  { classes, ignoreClass, opName }: ClassIndexAttrs,
  dtype: DType,
): void {
  for (let i = 0; i < out.length; i++) {
    const v = values[from + i]!;
    if (ignoreClass !== null && v === ignoreClass) {
      out[i] = 0;
      continue;
    }
    if (!Number.isInteger(v)) {
      throw new TypeError(`${opName}: labels must be integer class indices, got ${v} (labels ${dtype})`);
    }
    if (v < 0 || v >= classes) {
      throw new RangeError(
        `${opName}: label ${v} is outside the valid range [0, ${classes}) of yPred's ${classes} classes`,
      );
    }
    out[i] = v;
  }
}

/**
 * Class labels of any numeric dtype as int32 indices, each checked to be an integer in [0, classes)
 * (or the ignored class, mapped to 0). An op rather than a loop in the loss, so that the check and the
 * conversion run again whenever the kernels of a training step are replayed (ops/trace.ts).
 */
export const sparseClassIndicesOp: OpDef<ClassIndexAttrs> = defineOp<ClassIndexAttrs>({
  name: 'sparseClassIndices',
  infer: ([labels], { opName }) => {
    if (labels!.dtype === 'bool') {
      throw new TypeError(`${opName}: labels must be integer class indices, got ${describeTensor(labels!)}`);
    }
    return { shape: labels!.shape, dtype: 'int32' };
  },
  kernel: (_backend, [labels], attrs, out) => {
    const values = labels!.contiguousData();
    const indices = new Int32Array(values.length);
    classIndices(values, 0, indices, attrs, labels!.dtype);
    return new Tensor(indices, out.shape, 'int32');
  },
  // The same loop on the labels' storage in place, when it is contiguous (a batch of a dataset).
  prepare: (_backend, [labels], attrs) => {
    const { shape, strides, dtype } = labels!;
    if (!isContiguous(shape, strides)) return null;
    return (inputs, offsets, out) => classIndices(inputs[0]!, offsets[0]!, out, attrs, dtype);
  },
  grad: null,
});

/**
 * TensorFlow's tf.nn.sparse_softmax_cross_entropy_with_logits: per-example loss
 * -log softmax(logits)[label] (= logSumExp(logits) - logits[label]) for logits [..., classes] and int32
 * class indices labels [...] (PyTorch's cross_entropy with reduction 'none'). Fused forward and
 * backward kernels; labels outside [0, classes) are an error naming the label.
 */
export function sparseSoftmaxCrossEntropyWithLogits(labels: TensorLike, logits: TensorLike): Tensor {
  const l = toTensor(logits, CE);
  const y = toTensor(labels, CE, 'int32');
  return runOp(sparseSoftmaxCrossEntropyOp, [l, y], undefined);
}

export const softmaxPrimitives = {
  softmax: softmaxOp,
  logSoftmax: logSoftmaxOp,
  softmaxGrad: softmaxGradOp,
  logSoftmaxGrad: logSoftmaxGradOp,
  sparseSoftmaxCrossEntropy: sparseSoftmaxCrossEntropyOp,
  sparseSoftmaxCrossEntropyGrad: sparseSoftmaxCrossEntropyGradOp,
  sparseClassIndices: sparseClassIndicesOp,
};

export type SoftmaxOpName = keyof typeof softmaxPrimitives;
