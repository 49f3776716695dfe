/**
 * Backend conformance: every kernel of the Backend interface, run on the native backend and on the JS
 * reference over random shapes (broadcasting, size-1 and empty dims, strided, transposed and flipped
 * views, special values), must agree to float32 tolerance (float64: 1e-12 relative). Kernels the native
 * backend does not implement must be the JS backend's own functions. Skipped when the addon is not built.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Conv2DGeometry, StridedView } from '../../src/backend/backend.js';
import { allocate, type DType, type TypedArray } from '../../src/backend/dtype.js';
import { conv2dGeometry } from '../../src/backend/js/conv.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { pool2dGeometry } from '../../src/backend/js/pool.js';
import { addon } from '../../src/backend/native/addon.js';
import {
  addonError,
  NATIVE_KERNELS,
  nativeBackend,
  setSmallSizeThresholds,
} from '../../src/backend/native/index.js';

// Small tensors normally run on the JS kernels; send every size to the native code under test.
beforeAll(() => setSmallSizeThresholds(0, 0));
afterAll(() => setSmallSizeThresholds(2048, 32768));

const native = nativeBackend as Backend;
const FLOATS: DType[] = ['float32', 'float64'];

/** mulberry32: a small seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function randomData(r: () => number, dtype: DType, n: number, specials: boolean): TypedArray {
  const out = allocate(dtype, n);
  const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, -1];
  for (let i = 0; i < n; i++) {
    out[i] = specials && r() < 0.05 ? special[Math.floor(r() * special.length)]! : ((r() * 4 - 2) as number);
  }
  return out;
}

/**
 * A view of `shape` over fresh storage: contiguous, or (at random) laid out with permuted axes, padded
 * rows (a slice), a nonzero offset and flipped (negative-stride) axes.
 */
function randomView(r: () => number, dtype: DType, shape: readonly number[], specials = false): StridedView {
  const rank = shape.length;
  if (r() < 0.35 || size(shape) === 0) {
    return {
      storage: randomData(r, dtype, size(shape), specials),
      shape,
      strides: contiguousStrides(shape),
      offset: 0,
      dtype,
    };
  }
  const order = [...shape.keys()];
  for (let i = rank - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  // Allocate the permuted layout with a step of 1 or 2 on each axis.
  const steps = shape.map(() => (r() < 0.3 ? 2 : 1));
  const strides = new Array<number>(rank).fill(0);
  let span = 1;
  for (let k = rank - 1; k >= 0; k--) {
    const axis = order[k]!;
    strides[axis] = span * steps[axis]!;
    span *= shape[axis]! * steps[axis]!;
  }
  const pad = Math.floor(r() * 3);
  let offset = pad;
  for (let i = 0; i < rank; i++) {
    if (r() < 0.2 && shape[i]! > 1) {
      offset += (shape[i]! - 1) * strides[i]!;
      strides[i] = -strides[i]!;
    }
  }
  return { storage: randomData(r, dtype, span + pad + 1, specials), shape, strides, offset, dtype };
}

function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

function randomShape(r: () => number, rank: number, allowEmpty = true): number[] {
  return Array.from({ length: rank }, () => {
    const u = r();
    if (allowEmpty && u < 0.04) return 0;
    if (u < 0.25) return 1;
    return 1 + Math.floor(r() * 6);
  });
}

/** |a - b| <= tol * (scale + |b|) elementwise, NaNs matching NaNs; scale per element or a number. */
function expectAgree(
  what: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  dtype: DType,
  scale: ArrayLike<number> | number = 1,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const tol = dtype === 'float32' ? 2e-6 : 1e-12;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) expect.fail(`${what}[${i}]: ${a} vs ${e}`);
      continue;
    }
    if (a === e) continue;
    const s = typeof scale === 'number' ? scale : scale[i]!;
    if (!(Math.abs(a - e) <= tol * (s + Math.abs(e)))) expect.fail(`${what}[${i}]: native ${a}, js ${e}`);
  }
}

const describeNative = nativeBackend ? describe : describe.skip;
if (!nativeBackend) console.warn(`conformance: native backend not available (${addonError}); skipped`);

describeNative('native backend conformance (vs the JS reference)', () => {
  it('implements the listed kernels natively and delegates every other kernel to the JS backend', () => {
    const keys = Object.keys(jsBackend) as (keyof Backend)[];
    for (const k of keys) {
      if (k === 'name') continue;
      expect(typeof native[k], k).toBe('function');
      if (!(NATIVE_KERNELS as readonly string[]).includes(k)) expect(native[k], k).toBe(jsBackend[k]);
    }
    expect(native.name).toBe('native');
  });

  const UNARY = [
    'neg',
    'abs',
    'exp',
    'log',
    'sqrt',
    'rsqrt',
    'square',
    'reciprocal',
    'tanh',
    'sigmoid',
    'relu',
    'step',
    'expm1',
    'log1p',
    'identity',
    'sin',
    'cos',
    'floor',
    'ceil',
    // delegated kinds and dtypes go through the same entry point
    'sign',
    'round',
    'erf',
  ] as const;
  it('unary: every kind, float32/float64, random strided views with special values', () => {
    const r = rng(1);
    for (const kind of UNARY) {
      for (const dtype of FLOATS) {
        for (let t = 0; t < 6; t++) {
          const x = randomView(r, dtype, randomShape(r, Math.floor(r() * 4)), true);
          expectAgree(
            `${kind} ${dtype} [${x.shape}]`,
            native.unary(kind, x, dtype),
            jsBackend.unary(kind, x, dtype),
            dtype,
          );
        }
      }
    }
    // int32 input goes to the JS kernel
    const xi: StridedView = {
      storage: Int32Array.of(-3, 0, 5),
      shape: [3],
      strides: [1],
      offset: 0,
      dtype: 'int32',
    };
    expect(Array.from(native.unary('neg', xi, 'int32'))).toEqual([3, -0, -5].map((v) => v | 0));
  });

  const BINARY = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'less', 'mod'] as const;
  it('binary: every kind with broadcasting (size-1, missing and empty dims) over strided views', () => {
    const r = rng(2);
    for (const kind of BINARY) {
      for (const dtype of FLOATS) {
        for (let t = 0; t < 10; t++) {
          const rank = Math.floor(r() * 5);
          const outShape = randomShape(r, rank);
          const bcast = (s: number[]) =>
            s.slice(Math.floor(r() * (s.length + 1))).map((d) => (r() < 0.3 ? 1 : d));
          const a = randomView(r, dtype, bcast(outShape), true);
          const b = randomView(r, dtype, bcast(outShape), true);
          const outDtype = kind === 'less' ? 'bool' : dtype;
          expectAgree(
            `${kind} ${dtype} [${a.shape}] [${b.shape}] -> [${outShape}]`,
            native.binary(kind, a, b, outShape, outDtype),
            jsBackend.binary(kind, a, b, outShape, outDtype),
            dtype,
          );
        }
      }
    }
  });

  it('reduce: sum/max/min/prod (and delegated any/all) over random axes of strided views', () => {
    const r = rng(3);
    for (const kind of ['sum', 'max', 'min', 'prod', 'any'] as const) {
      for (const dtype of FLOATS) {
        for (let t = 0; t < 16; t++) {
          const rank = Math.floor(r() * 5);
          const shape = randomShape(r, rank);
          const x = randomView(r, dtype, shape, t % 4 === 0);
          const axes = [...shape.keys()].filter(() => r() < 0.5);
          const outDtype = kind === 'any' ? 'bool' : dtype;
          const inner = axes.reduce((p, a) => p * shape[a]!, 1);
          expectAgree(
            `${kind} ${dtype} [${shape}] axes [${axes}]`,
            native.reduce(kind, x, axes, outDtype),
            jsBackend.reduce(kind, x, axes, outDtype),
            dtype,
            kind === 'sum' ? 2 * inner : 1,
          );
        }
      }
    }
  });

  it('matmul: transposed, strided and batch-broadcast operands, including empty and size-1 dims', () => {
    const r = rng(4);
    const sizes = [0, 1, 2, 3, 7, 16, 33, 70];
    for (const dtype of FLOATS) {
      for (let t = 0; t < 40; t++) {
        const pick = () => sizes[Math.floor(r() * sizes.length)]!;
        const M = pick();
        const N = pick();
        const K = t % 10 === 0 ? 0 : pick();
        const ta = r() < 0.5;
        const tb = r() < 0.5;
        const batch = randomShape(r, Math.floor(r() * 3), false);
        const aBatch = batch.map((d) => (r() < 0.3 ? 1 : d)).slice(Math.floor(r() * (batch.length + 1)));
        const bBatch = batch.map((d) => (r() < 0.3 ? 1 : d)).slice(Math.floor(r() * (batch.length + 1)));
        const outBatch = batch.map((_d, i) => {
          const ai = aBatch.length - batch.length + i;
          const bi = bBatch.length - batch.length + i;
          return Math.max(ai >= 0 ? aBatch[ai]! : 1, bi >= 0 ? bBatch[bi]! : 1);
        });
        const a = randomView(r, dtype, [...aBatch, ...(ta ? [K, M] : [M, K])]);
        const b = randomView(r, dtype, [...bBatch, ...(tb ? [N, K] : [K, N])]);
        const outShape = [...outBatch, M, N];
        const abs = (v: StridedView) => ({
          ...v,
          storage: jsBackend.unary(
            'abs',
            { ...v, shape: [v.storage.length], strides: [1], offset: 0 },
            dtype,
          ),
        });
        const scale = jsBackend.matmul(abs(a), abs(b), ta, tb, outShape);
        expectAgree(
          `matmul ${dtype} [${a.shape}]${ta ? 'T' : ''} x [${b.shape}]${tb ? 'T' : ''}`,
          native.matmul(a, b, ta, tb, outShape),
          jsBackend.matmul(a, b, ta, tb, outShape),
          dtype,
          scale,
        );
      }
    }
    // narrow products (N up to one vector: a classifier's last layer), any transposes, both dtypes, on
    // one thread and split over the pool (the 64 x 10 x 5408 ones cross the threading threshold)
    for (const dtype of FLOATS) {
      for (const [M, N, K] of [
        [13, 1, 9],
        [64, 10, 5408],
        [5408, 10, 64],
        [9, 16, 40],
        [17, 8, 300],
        [3, 3, 8],
      ] as const) {
        for (const ta of [false, true]) {
          for (const tb of [false, true]) {
            const a = randomView(r, dtype, ta ? [K, M] : [M, K]);
            const b = randomView(r, dtype, tb ? [N, K] : [K, N]);
            expectAgree(
              `narrow matmul ${dtype} ${M}x${N}x${K} ${ta ? 'T' : ''}${tb ? 'T' : ''}`,
              native.matmul(a, b, ta, tb, [M, N]),
              jsBackend.matmul(a, b, ta, tb, [M, N]),
              dtype,
              4 * K,
            );
          }
        }
      }
    }
    // large products cross the threading threshold (row blocks dealt out to the pool, read in place or
    // packed) and every micro-tile and cache block edge, with any transposes
    for (const dtype of FLOATS) {
      for (const [M, N, K] of [
        [257, 301, 300],
        [130, 100, 784],
        [128, 128, 784],
        [784, 128, 130],
      ] as const) {
        for (const [ta, tb] of [
          [false, false],
          [true, false],
          [false, true],
          [true, true],
        ] as const) {
          // Dense operands for the untransposed product (its rows are read in place), any layout else.
          const view = (shape: number[]): StridedView =>
            ta || tb
              ? randomView(r, dtype, shape)
              : {
                  storage: randomData(r, dtype, size(shape), false),
                  shape,
                  strides: contiguousStrides(shape),
                  offset: 0,
                  dtype,
                };
          const a = view(ta ? [K, M] : [M, K]);
          const b = view(tb ? [N, K] : [K, N]);
          expectAgree(
            `matmul ${dtype} ${M}x${N}x${K} ${ta ? 'T' : ''}${tb ? 'T' : ''}`,
            native.matmul(a, b, ta, tb, [M, N]),
            jsBackend.matmul(a, b, ta, tb, [M, N]),
            dtype,
            K,
          );
        }
      }
    }
  });

  function randomConv(r: () => number, pool: boolean): Conv2DGeometry {
    for (;;) {
      const x = [
        Math.floor(r() * 3),
        1 + Math.floor(r() * 9),
        1 + Math.floor(r() * 9),
        1 + Math.floor(r() * 4),
      ];
      const fh = 1 + Math.floor(r() * 3);
      const fw = 1 + Math.floor(r() * 3);
      const strides: [number, number] = [1 + Math.floor(r() * 2), 1 + Math.floor(r() * 2)];
      const padding =
        r() < 0.4
          ? 'same'
          : r() < 0.7
            ? 'valid'
            : ([
                [Math.floor(r() * 2), Math.floor(r() * 2)],
                [Math.floor(r() * 2), 1],
              ] as const);
      try {
        if (pool) return pool2dGeometry('pool', x, [fh, fw], strides, padding);
        const dil: [number, number] = [1 + Math.floor(r() * 2), 1];
        return conv2dGeometry('conv', x, fh, fw, 1 + Math.floor(r() * 5), strides, padding, dil);
      } catch {
        // too small for this filter: draw again
      }
    }
  }

  it('conv2d, conv2dBackpropInput, conv2dBackpropFilter: random geometries (strides, dilation, padding)', () => {
    const r = rng(5);
    for (const dtype of FLOATS) {
      for (let t = 0; t < 30; t++) {
        const g = randomConv(r, false);
        const x = randomView(r, dtype, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
        const f = randomView(r, dtype, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
        const dy = randomView(r, dtype, [g.batch, g.outHeight, g.outWidth, g.outChannels]);
        const taps = g.filterHeight * g.filterWidth * g.inChannels;
        const what = `${dtype} x [${x.shape}] f [${f.shape}] s ${g.strideHeight}x${g.strideWidth} d ${g.dilationHeight}`;
        expectAgree(`conv2d ${what}`, native.conv2d(x, f, g), jsBackend.conv2d(x, f, g), dtype, 4 * taps);
        expectAgree(
          `conv2dBackpropInput ${what}`,
          native.conv2dBackpropInput(dy, f, g),
          jsBackend.conv2dBackpropInput(dy, f, g),
          dtype,
          4 * taps * g.outChannels,
        );
        expectAgree(
          `conv2dBackpropFilter ${what}`,
          native.conv2dBackpropFilter(x, dy, g),
          jsBackend.conv2dBackpropFilter(x, dy, g),
          dtype,
          4 * g.batch * g.outHeight * g.outWidth,
        );
      }
    }
  });

  it('maxPool (values and argmax, NaN and ties), avgPool and avgPoolBackprop', () => {
    const r = rng(6);
    for (const dtype of FLOATS) {
      for (let t = 0; t < 30; t++) {
        const g = randomConv(r, true);
        const x = randomView(r, dtype, [g.batch, g.inHeight, g.inWidth, g.inChannels], t % 3 === 0);
        const mn = native.maxPool(x, g);
        const mj = jsBackend.maxPool(x, g);
        expectAgree(`maxPool ${dtype} [${x.shape}]`, mn.y, mj.y, dtype);
        // argmax indexes the contiguous layout of x in both backends
        expect(Array.from(mn.argmax)).toEqual(Array.from(mj.argmax));
        expectAgree(`avgPool ${dtype} [${x.shape}]`, native.avgPool(x, g), jsBackend.avgPool(x, g), dtype, 4);
        const dy = randomView(r, dtype, [g.batch, g.outHeight, g.outWidth, g.inChannels]);
        expectAgree(
          `avgPoolBackprop ${dtype}`,
          native.avgPoolBackprop(dy, g),
          jsBackend.avgPoolBackprop(dy, g),
          dtype,
          4,
        );
      }
    }
  });

  it('direct conv kernels and fused bias+relu: wide and ragged output channels, few and many taps', () => {
    const r = rng(8);
    const cases: [number[], number, number, number, [number, number], 'same' | 'valid'][] = [
      [[3, 12, 11, 1], 3, 3, 32, [1, 1], 'valid'],
      [[2, 9, 9, 1], 3, 3, 33, [2, 1], 'same'],
      [[2, 8, 7, 3], 3, 3, 70, [1, 2], 'same'],
      [[1, 10, 10, 2], 5, 5, 17, [1, 1], 'valid'],
      [[2, 7, 7, 4], 3, 3, 130, [1, 1], 'same'],
      [[1, 6, 6, 8], 3, 3, 9, [1, 1], 'valid'],
    ];
    for (const dtype of FLOATS) {
      for (const [xs, fh, fw, co, strides, padding] of cases) {
        const g = conv2dGeometry('conv', xs, fh, fw, co, strides, padding, [1, 1]);
        const x = randomView(r, dtype, xs, true);
        const f = randomView(r, dtype, [fh, fw, xs[3]!, co]);
        const b = randomView(r, dtype, [co]);
        const dy = randomView(r, dtype, [g.batch, g.outHeight, g.outWidth, co]);
        const taps = fh * fw * xs[3]!;
        const what = `${dtype} x [${xs}] f ${fh}x${fw}x${co}`;
        expectAgree(`conv2d ${what}`, native.conv2d(x, f, g), jsBackend.conv2d(x, f, g), dtype, 4 * taps);
        for (const act of ['linear', 'relu'] as const) {
          expectAgree(
            `conv2dBiasActivation ${act} ${what}`,
            native.conv2dBiasActivation(x, f, b, g, act),
            jsBackend.conv2dBiasActivation(x, f, b, g, act),
            dtype,
            4 * taps,
          );
        }
        expectAgree(
          `conv2dBackpropFilter ${what}`,
          native.conv2dBackpropFilter(x, dy, g),
          jsBackend.conv2dBackpropFilter(x, dy, g),
          dtype,
          4 * g.batch * g.outHeight * g.outWidth,
        );
        const y = randomView(r, dtype, [g.batch, g.outHeight, g.outWidth, co], true);
        for (const mask of [null, y]) {
          expectAgree(
            `conv2dBackpropFilterBias ${mask ? 'relu' : 'linear'} ${what}`,
            native.conv2dBackpropFilterBias(x, dy, mask, g),
            jsBackend.conv2dBackpropFilterBias(x, dy, mask, g),
            dtype,
            4 * g.batch * g.outHeight * g.outWidth,
          );
        }
      }
    }
  });

  it('conv + bias + activation + max pool fused, forward and filter/bias gradient', () => {
    const r = rng(12);
    const convs: [number[], number, number, number, [number, number], 'same' | 'valid', number][] = [
      [[3, 12, 11, 1], 3, 3, 32, [1, 1], 'valid', 1],
      [[2, 9, 9, 2], 3, 3, 33, [2, 1], 'same', 1],
      [[2, 8, 7, 3], 2, 2, 17, [1, 1], 'same', 1],
      [[2, 11, 10, 1], 3, 3, 16, [1, 1], 'valid', 2],
      [[1, 7, 7, 5], 3, 3, 8, [1, 1], 'valid', 1], // 45 taps: the unfused GEMM path
    ];
    const pools: [number, number, 'same' | 'valid'][] = [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [2, 1, 'valid'],
    ];
    for (const dtype of FLOATS) {
      for (const [xs, fh, fw, co, strides, padding, dilation] of convs) {
        for (const [size, stride, poolPadding] of pools) {
          const g = conv2dGeometry('conv', xs, fh, fw, co, strides, padding, [dilation, dilation]);
          const convShape = [g.batch, g.outHeight, g.outWidth, co];
          const pg = pool2dGeometry('pool', convShape, [size, size], [stride, stride], poolPadding);
          // Finite inputs: where no pooling window reads a convolution row, the JS reference still
          // multiplies its zero gradient by the input (NaN * 0), the fused kernel skips the row.
          const x = randomView(r, dtype, xs);
          const f = randomView(r, dtype, [fh, fw, xs[3]!, co]);
          const b = randomView(r, dtype, [co]);
          const taps = fh * fw * xs[3]!;
          const what = `${dtype} x [${xs}] f ${fh}x${fw}x${co} pool ${size}/${stride} ${poolPadding}`;
          for (const act of ['linear', 'relu'] as const) {
            const fn = native.conv2dBiasActivationMaxPool(x, f, b, g, act, pg);
            const fj = jsBackend.conv2dBiasActivationMaxPool(x, f, b, g, act, pg);
            expectAgree(`conv2dBiasActivationMaxPool ${act} ${what}`, fn.y, fj.y, dtype, 4 * taps);
            // A different winner only between values equal to rounding (the backends sum in other orders)
            const z = jsBackend.conv2dBiasActivation(x, f, b, g, act);
            for (let q = 0; q < fn.argmax.length; q++) {
              if (fn.argmax[q] !== fj.argmax[q]) {
                const [a, e] = [z[fn.argmax[q]!]!, z[fj.argmax[q]!]!];
                const tied = a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) < 1e-4;
                expect(tied, `${what}: winner ${q}: ${a} vs ${e}`).toBe(true);
              }
            }
            const dp = randomView(r, dtype, [pg.batch, pg.outHeight, pg.outWidth, co]);
            for (const mask of act === 'relu'
              ? [null, { ...dp, storage: fn.y, strides: contiguousStrides(dp.shape), offset: 0 }]
              : [null]) {
              expectAgree(
                `conv2dMaxPoolBackpropFilterBias ${act} ${mask ? 'masked' : ''} ${what}`,
                native.conv2dMaxPoolBackpropFilterBias(x, dp, mask, fn.argmax, g, pg),
                jsBackend.conv2dMaxPoolBackpropFilterBias(x, dp, mask, fn.argmax, g, pg),
                dtype,
                4 * g.batch * g.outHeight * g.outWidth,
              );
            }
          }
        }
      }
    }
  });

  it('maxPool over wide channel counts (the CNN layers), with NaN and ties', () => {
    const r = rng(11);
    for (const dtype of FLOATS) {
      for (const [shape, size, strides, padding] of [
        [[2, 26, 26, 32], 2, 2, 'valid'],
        [[1, 9, 7, 48], 3, 2, 'same'],
        [[2, 5, 5, 17], 2, 1, 'valid'],
      ] as const) {
        const g = pool2dGeometry('pool', shape, [size, size], [strides, strides], padding);
        const x = randomView(r, dtype, shape, true);
        // ties: round a third of the values so that windows hold equal maxima
        for (let i = 0; i < x.storage.length; i += 3) x.storage[i] = Math.round(x.storage[i]!);
        const mn = native.maxPool(x, g);
        const mj = jsBackend.maxPool(x, g);
        expectAgree(`maxPool ${dtype} [${shape}]`, mn.y, mj.y, dtype);
        expect(Array.from(mn.argmax)).toEqual(Array.from(mj.argmax));
      }
    }
  });

  it('scatterAdd: repeated indices along any axis of strided views', () => {
    const r = rng(9);
    for (const dtype of FLOATS) {
      for (let t = 0; t < 20; t++) {
        const shape = [1 + Math.floor(r() * 4), 1 + Math.floor(r() * 6), 1 + Math.floor(r() * 3)];
        const axis = Math.floor(r() * 3);
        const size = 1 + Math.floor(r() * 5);
        const updates = randomView(r, dtype, shape);
        const indices = Int32Array.from({ length: shape[axis]! }, () => Math.floor(r() * size));
        expectAgree(
          `scatterAdd ${dtype} [${shape}] axis ${axis}`,
          native.scatterAdd(updates, indices, axis, size),
          jsBackend.scatterAdd(updates, indices, axis, size),
          dtype,
          8,
        );
      }
    }
  });

  it('softmax, logSoftmax and their backward passes: strided views, empty rows, NaN and infinities', () => {
    const r = rng(8);
    for (const kind of ['softmax', 'logSoftmax'] as const) {
      for (const dtype of FLOATS) {
        for (let t = 0; t < 24; t++) {
          const shape = randomShape(r, Math.floor(r() * 4));
          const x = randomView(r, dtype, shape, t % 3 === 0);
          const what = `${kind} ${dtype} [${shape}]`;
          const ny = native.softmax(kind, x);
          const jy = jsBackend.softmax(kind, x);
          expectAgree(what, ny, jy, dtype);
          const yView: StridedView = {
            storage: jy,
            shape,
            strides: contiguousStrides(shape),
            offset: 0,
            dtype,
          };
          const dy = randomView(r, dtype, shape, t % 5 === 0);
          expectAgree(
            `${what} grad`,
            native.softmaxGrad(kind, yView, dy),
            jsBackend.softmaxGrad(kind, yView, dy),
            dtype,
            4 * (shape.at(-1) ?? 1),
          );
        }
      }
    }
    // rows holding NaN, +inf or only -inf give NaN rows (as PyTorch); -inf elsewhere gives 0
    const inf = Number.POSITIVE_INFINITY;
    const special = Float64Array.of(1, Number.NaN, 2, 1, inf, 2, -inf, -inf, -inf, -inf, 0, 1);
    const sv: StridedView = { storage: special, shape: [4, 3], strides: [3, 1], offset: 0, dtype: 'float64' };
    const sm = Array.from(native.softmax('softmax', sv));
    expect(sm.slice(0, 9).every(Number.isNaN)).toBe(true);
    expect(sm.slice(9)).toEqual(Array.from(jsBackend.softmax('softmax', sv)).slice(9));
    expect(sm[9]).toBe(0);
  });

  it("softmax's exponentials: relative error of float64 over the whole range, down to subnormal results", () => {
    // Rows [x, 0]: softmax gives e^x / (1 + e^x), from 0 (x < -745) through subnormals to 1.
    const xs = Float64Array.from({ length: 4001 }, (_, i) => -800 + 0.4 * i + 1e-3 * Math.sin(i));
    const rows = new Float64Array(2 * xs.length);
    xs.forEach((x, i) => {
      rows[2 * i] = x;
    });
    const v: StridedView = {
      storage: rows,
      shape: [xs.length, 2],
      strides: [2, 1],
      offset: 0,
      dtype: 'float64',
    };
    // Subnormal results keep fewer bits: an absolute tolerance of 1e-310 covers them.
    expectAgree(
      'softmax [x, 0]',
      native.softmax('softmax', v),
      jsBackend.softmax('softmax', v),
      'float64',
      1e-298,
    );
  });

  it('sparseSoftmaxCrossEntropy and its gradient: random logits and labels, bad labels rejected', () => {
    const r = rng(9);
    for (const dtype of FLOATS) {
      for (let t = 0; t < 30; t++) {
        const shape = randomShape(r, 1 + Math.floor(r() * 3));
        const classes = shape.at(-1)!;
        if (classes === 0) shape[shape.length - 1] = 1 + Math.floor(r() * 5);
        const rows = size(shape.slice(0, -1));
        const labels = Int32Array.from({ length: rows }, () => Math.floor(r() * shape.at(-1)!));
        const x = randomView(r, dtype, shape, t % 3 === 0);
        const what = `sparseSoftmaxCrossEntropy ${dtype} [${shape}]`;
        expectAgree(
          what,
          native.sparseSoftmaxCrossEntropy(x, labels),
          jsBackend.sparseSoftmaxCrossEntropy(x, labels),
          dtype,
          4,
        );
        const dy = randomView(r, dtype, shape.slice(0, -1), t % 4 === 0);
        expectAgree(
          `${what} grad`,
          native.sparseSoftmaxCrossEntropyGrad(x, labels, dy),
          jsBackend.sparseSoftmaxCrossEntropyGrad(x, labels, dy),
          dtype,
        );
        // One upstream value broadcast to every row (a mean's gradient): read in place with stride 0.
        const one = randomView(r, dtype, [1]);
        const shared: StridedView = { ...one, shape: dy.shape, strides: dy.shape.map(() => 0) };
        expectAgree(
          `${what} grad, broadcast dy`,
          native.sparseSoftmaxCrossEntropyGrad(x, labels, shared),
          jsBackend.sparseSoftmaxCrossEntropyGrad(x, labels, shared),
          dtype,
        );
      }
    }
    const x = randomView(r, 'float32', [2, 3]);
    for (const b of [native, jsBackend]) {
      expect(() => b.sparseSoftmaxCrossEntropy(x, Int32Array.of(0, 3))).toThrow(
        /sparseSoftmaxCrossEntropy: label 3 at row 1 is out of range for 3 classes/,
      );
      const dy = randomView(r, 'float32', [2]);
      expect(() => b.sparseSoftmaxCrossEntropyGrad(x, Int32Array.of(-1, 0), dy)).toThrow(/label -1 at row 0/);
    }
  });

  it('adam: the float32 step matches the float32 formula bit for bit (no fused multiply-add)', () => {
    const r = rng(10);
    const f = Math.fround;
    for (const n of [1, 7, 1000, 70_001]) {
      const p = Float32Array.from({ length: n }, () => r() * 2 - 1);
      const g = Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.1);
      const m = Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.01);
      const v = Float32Array.from({ length: n }, () => r() * 1e-4);
      const [b1, b2, c1, c2, step, rootInv, eps] = [0.9, 0.999, 0.1, 0.001, 1e-3, 1.3, 1e-7].map(
        f,
      ) as number[];
      const want = [Float32Array.from(p), Float32Array.from(m), Float32Array.from(v)];
      for (let i = 0; i < n; i++) {
        const mi = f(f(want[1]![i]! * b1!) + f(g[i]! * c1!));
        const vi = f(f(want[2]![i]! * b2!) + f(f(g[i]! * g[i]!) * c2!));
        const denom = f(f(f(Math.sqrt(vi)) * rootInv!) + eps!);
        want[0]![i] = f(want[0]![i]! - f(step! * f(mi / denom)));
        want[1]![i] = mi;
        want[2]![i] = vi;
      }
      addon!.adam(p, p, g, m, v, b1!, b2!, c1!, c2!, step!, rootInv!, eps!);
      expect(Array.from(p), `p, n = ${n}`).toEqual(Array.from(want[0]!));
      expect(Array.from(m), `m, n = ${n}`).toEqual(Array.from(want[1]!));
      expect(Array.from(v), `v, n = ${n}`).toEqual(Array.from(want[2]!));
    }
  });

  it('delegated kernels (where, cast, gather, concat, cumsum, linalg) give the JS results', () => {
    const r = rng(7);
    const x = randomView(r, 'float32', [3, 4]);
    const c = randomView(r, 'float32', [3, 4]);
    expect(Array.from(native.cast(x, 'float64'))).toEqual(Array.from(jsBackend.cast(x, 'float64')));
    expect(Array.from(native.where(c, x, x, [3, 4], 'float32'))).toEqual(
      Array.from(jsBackend.where(c, x, x, [3, 4], 'float32')),
    );
    expect(Array.from(native.cumsum(x, 1, false, false))).toEqual(
      Array.from(jsBackend.cumsum(x, 1, false, false)),
    );
    expect(Array.from(native.gather(x, Int32Array.of(2, 0), 0))).toEqual(
      Array.from(jsBackend.gather(x, Int32Array.of(2, 0), 0)),
    );
    const m = randomView(r, 'float64', [4, 4]);
    expect(Array.from(native.det(m, 1, 4))).toEqual(Array.from(jsBackend.det(m, 1, 4)));
  });
});
