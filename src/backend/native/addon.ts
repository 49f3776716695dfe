/**
 * Loads the native addon (native/build/Release/tapeflow_native.node, built by `npm install` through
 * node-gyp) lazily and synchronously on Node; anywhere else, or when it was not built, `addon` is null and
 * tapeflow stays on the JS backend. `node:module` is reached through `process.getBuiltinModule`, so
 * browser bundles see no Node import.
 */
import type { TypedArray } from '../dtype.js';

/** The addon's entry points (native/src/addon.cc). Outputs are allocated here and filled in place. */
export interface NativeAddon {
  info(): { isa: string; threads: number };
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, meta: Float64Array): void;
  binary(kind: number, out: TypedArray, a: TypedArray, b: TypedArray, meta: Float64Array): void;
  unary(kind: number, out: TypedArray, x: TypedArray, meta: Float64Array): void;
  reduce(
    kind: number,
    mode: number,
    x: TypedArray,
    offset: number,
    outer: number,
    inner: number,
    out: TypedArray,
  ): void;
  /** activation: 0 none, 1 relu (applied after the bias). */
  conv2d(
    x: TypedArray,
    filter: TypedArray,
    y: TypedArray,
    geometry: Float64Array,
    bias?: TypedArray | null,
    activation?: number,
  ): void;
  conv2dBackpropInput(dy: TypedArray, filter: TypedArray, dx: TypedArray, geometry: Float64Array): void;
  conv2dBackpropFilter(x: TypedArray, dy: TypedArray, df: TypedArray, geometry: Float64Array): void;
  /** out (zeroed) = [filter gradient, bias gradient]; with a mask, the gradient is dy where mask > 0. */
  conv2dBackpropFilterBias(
    x: TypedArray,
    dy: TypedArray,
    mask: TypedArray | null,
    out: TypedArray,
    geometry: Float64Array,
  ): void;
  maxPool(x: TypedArray, y: TypedArray, argmax: Int32Array, geometry: Float64Array): void;
  /** Convolution (direct kernels) + bias + activation, then max pooling, without writing the convolution out. */
  conv2dMaxPool(
    x: TypedArray,
    filter: TypedArray,
    bias: TypedArray | null,
    activation: number,
    y: TypedArray,
    argmax: Int32Array,
    geometry: Float64Array,
    poolGeometry: Float64Array,
  ): void;
  /** out = [filter gradient, bias gradient] of conv2dMaxPool (written whole). */
  conv2dMaxPoolBackpropFilterBias(
    x: TypedArray,
    dPooled: TypedArray,
    mask: TypedArray | null,
    argmax: Int32Array,
    out: TypedArray,
    geometry: Float64Array,
    poolGeometry: Float64Array,
  ): void;
  avgPool(x: TypedArray, y: TypedArray, geometry: Float64Array): void;
  /** out [outer, size, inner] = 0, then += updates [outer, count, inner] at rows `indices` (out need not be zeroed). */
  scatterAdd(
    updates: TypedArray,
    updatesOffset: number,
    indices: Int32Array,
    out: TypedArray,
    outer: number,
    count: number,
    size: number,
    inner: number,
  ): void;
  /** The float32 Adam step of optimizers/rules/adam-simd.ts, in place on the optimizer's arrays. */
  adam(
    src: Float32Array,
    dst: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    b1: number,
    b2: number,
    c1: number,
    c2: number,
    stepSize: number,
    rootInv: number,
    eps: number,
  ): void;
  /** native/src/softmax.cc: kind 0 softmax, 1 logSoftmax, over rows of `cols` from xOffset. */
  softmax(kind: number, x: TypedArray, xOffset: number, rows: number, cols: number, out: TypedArray): void;
  softmaxGrad(
    kind: number,
    y: TypedArray,
    yOffset: number,
    dy: TypedArray,
    dyOffset: number,
    rows: number,
    cols: number,
    out: TypedArray,
  ): void;
  sparseSoftmaxCrossEntropy(
    logits: TypedArray,
    offset: number,
    labels: Int32Array,
    labelsOffset: number,
    rows: number,
    classes: number,
    loss: TypedArray,
  ): void;
  sparseSoftmaxCrossEntropyGrad(
    logits: TypedArray,
    offset: number,
    labels: Int32Array,
    labelsOffset: number,
    dy: TypedArray,
    dyOffset: number,
    /** 1, or 0 when every row shares dy's first element. */
    dyStride: number,
    rows: number,
    classes: number,
    out: TypedArray,
  ): void;
}

/** Why the addon is absent, for messages (null when it loaded). */
export let addonError: string | null = null;

function load(): NativeAddon | null {
  const proc = (globalThis as { process?: NodeJS.Process }).process;
  if (typeof proc?.getBuiltinModule !== 'function') {
    addonError = 'not running on Node >= 20.16';
    return null;
  }
  if (proc.env['TAPEFLOW_NO_NATIVE']) {
    addonError = 'TAPEFLOW_NO_NATIVE is set';
    return null;
  }
  try {
    const { createRequire } = proc.getBuiltinModule('node:module');
    // src/backend/native/ and dist/backend/native/ are both three levels below the package root.
    const require = createRequire(import.meta.url);
    return require('../../../native/build/Release/tapeflow_native.node') as NativeAddon;
  } catch (e) {
    addonError = `addon not built (${(e as Error).message.split('\n')[0]}); run \`npm rebuild tapeflow\` or \`node native/install.mjs\` with a C++ compiler`;
    return null;
  }
}

export const addon: NativeAddon | null = load();
