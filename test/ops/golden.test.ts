/**
 * Golden values from PyTorch 1.13 (float64), in test/fixtures/golden-ops.json. For every record the
 * op's output is recomputed with tapeflow in float64 (integer inputs as int32), and the gradient of
 * sum(output * W) with respect to every float input is taken with a GradientTape. Conv, pool and
 * batch-norm records are checked in their NHWC/HWIO copy (`nhwc`), which is tapeflow's layout.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

type Nested = number | boolean | Nested[];

interface JsonTensor {
  shape: number[];
  data: Nested;
  dtype?: string;
}

interface OpRecord {
  name: string;
  torch: string;
  params?: Record<string, unknown> | null;
  inputs: Record<string, JsonTensor>;
  output: JsonTensor;
  W: JsonTensor;
  grads: Record<string, JsonTensor>;
  nhwc?: Record<string, unknown> & { grads: Record<string, JsonTensor> };
  note?: string;
}

interface ScalarSecond {
  f: string;
  x: number[];
  f_x: number[];
  df_dx: number[];
  d2f_dx2: number[];
}

interface RosenbrockPoint {
  at: [number, number];
  f: number;
  grad: [number, number];
  hessian: [[number, number], [number, number]];
}

interface Golden {
  _doc: string;
  ops: OpRecord[];
  higher_order: {
    scalar_second_derivatives: ScalarSecond[];
    rosenbrock_hessian: { f: string; analytic: string; points: RosenbrockPoint[] };
  };
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-ops.json', import.meta.url), 'utf8'),
) as Golden;

const RTOL = 1e-9;
const ATOL = 1e-9;

function flat(data: Nested): number[] {
  if (Array.isArray(data)) return data.flatMap(flat);
  return [Number(data)];
}

/** A JSON tensor as a tapeflow tensor: floats as float64, int64 as int32, bool as bool. */
function toTf(t: JsonTensor): tf.Tensor {
  const dtype = t.dtype === 'bool' ? 'bool' : t.dtype?.startsWith('int') ? 'int32' : 'float64';
  const values = flat(t.data);
  if (dtype === 'bool')
    return tf.tensor(
      values.map((v) => v !== 0),
      { shape: t.shape, dtype },
    );
  return tf.tensor(values, { shape: t.shape, dtype });
}

/** Elementwise |got - want| <= ATOL + RTOL * |want|, with a readable message on failure. */
function expectClose(got: tf.Tensor | null, want: JsonTensor, what: string): void {
  expect(got, `${what}: got null`).not.toBeNull();
  const g = got!;
  expect([...g.shape], `${what}: shape`).toEqual(want.shape);
  expect(g.dtype, `${what}: dtype`).toBe('float64');
  const actual = Array.from(g.dataSync() as Float64Array);
  const expected = flat(want.data);
  expect(actual.length, `${what}: size`).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= ATOL + RTOL * Math.abs(e))) bad.push(`[${i}] got ${a}, expected ${e}`);
  }
  expect(bad, `${what}: ${bad.length} element(s) differ: ${bad.slice(0, 6).join('; ')}`).toEqual([]);
}

type Inputs = Record<string, tf.Tensor>;
type OpFn = (x: Inputs, params: Record<string, unknown>) => tf.Tensor;

const u =
  (f: (x: tf.Tensor) => tf.Tensor): OpFn =>
  (i) =>
    f(i.x!);

function batchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axes: number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return x
    .sub(mean)
    .div(tf.sqrt(variance.add(eps)))
    .mul(gamma)
    .add(beta);
}

function conv(i: Inputs, p: Record<string, unknown>): tf.Tensor {
  return tf
    .conv2d(i.x!, i.kernel!, { strides: p.stride as number, padding: p.padding as 'same' | 'valid' })
    .add(i.bias!);
}

function pool(kind: 'max' | 'avg'): OpFn {
  return (i, p) => {
    const f = kind === 'max' ? tf.maxPool : tf.avgPool;
    return f(i.x!, p.pool_size as number, p.strides as number, p.padding as 'same' | 'valid');
  };
}

/** How each record is written with tapeflow. */
const OPS: Record<string, OpFn> = {
  neg: u(tf.neg),
  exp: u(tf.exp),
  log: u(tf.log),
  sqrt: u(tf.sqrt),
  square: u(tf.square),
  abs: u(tf.abs),
  sin: u(tf.sin),
  cos: u(tf.cos),
  tanh: u(tf.tanh),
  sigmoid: u(tf.sigmoid),
  relu: u(tf.relu),
  leaky_relu: u((x) => tf.leakyRelu(x, 0.2)),
  elu: u((x) => tf.elu(x, 1.0)),
  gelu_tanh: u((x) => tf.gelu(x, true)),
  gelu_erf: u((x) => tf.gelu(x)),
  softplus: u(tf.softplus),
  add_bcast_3x1_1x4: (i) => tf.add(i.a!, i.b!),
  sub_bcast_2x3x4_4: (i) => tf.sub(i.a!, i.b!),
  mul_bcast_3x1_1x4: (i) => tf.mul(i.a!, i.b!),
  div_bcast_2x3x4_4: (i) => tf.div(i.a!, i.b!),
  pow_bcast_3x1_1x4: (i) => tf.pow(i.a!, i.b!),
  maximum_bcast_3x1_1x4: (i) => tf.maximum(i.a!, i.b!),
  minimum_bcast_2x3x4_4: (i) => tf.minimum(i.a!, i.b!),
  sum_axis1_keepdims: u((x) => tf.sum(x, 1, true)),
  sum_all: u((x) => tf.sum(x)),
  mean_axis0: u((x) => tf.mean(x, 0)),
  mean_axes_0_2_keepdims: u((x) => tf.mean(x, [0, 2], true)),
  max_axis1_keepdims: u((x) => tf.max(x, 1, true)),
  min_axis0: u((x) => tf.min(x, 0)),
  prod_axis1: u((x) => tf.prod(x, 1)),
  logsumexp_axis1: u((x) => tf.logSumExp(x, 1)),
  var_axis1_unbiased: u((x) => tf.variance(x, 1, false, 1)),
  var_axis1_biased: u((x) => tf.variance(x, 1, false, 0)),
  std_axis0_unbiased: u((x) => tf.std(x, 0, false, 1)),
  std_axis0_biased_keepdims: u((x) => tf.std(x, 0, true, 0)),
  matmul_2d: (i) => tf.matmul(i.a!, i.b!),
  matmul_batched: (i) => tf.matmul(i.a!, i.b!),
  matmul_bcast_batch: (i) => tf.matmul(i.a!, i.b!),
  matvec: (i) => tf.matmul(i.a!, i.v!),
  transpose_2d: u((x) => x.T),
  permute_3d: u((x) => tf.transpose(x, [2, 0, 1])),
  reshape: u((x) => tf.reshape(x, [6, 4])),
  concat_axis1: (i) => tf.concat([i.a!, i.b!], 1),
  stack_axis0: (i) => tf.stack([i.a!, i.b!], 0),
  stack_axis_last: (i) => tf.stack([i.a!, i.b!], -1),
  // x[:, 1:3, ::2]
  slice: u((x) => tf.slice(x, [0, 1, 0], [-1, 2, -1], [1, 1, 2])),
  index_select_dim0: (i) => tf.gather(i.x!, i.idx!, 0),
  index_select_dim1: (i) => tf.gather(i.x!, i.idx!, 1),
  where: (i) => tf.where(i.cond!, i.a!, i.b!),
  clamp: u((x) => tf.clipByValue(x, -0.5, 0.5)),
  softmax_last: u((x) => tf.softmax(x, -1)),
  softmax_axis0: u((x) => tf.softmax(x, 0)),
  log_softmax_last: u((x) => tf.logSoftmax(x, -1)),
  // mean over the batch of -log softmax(logits)[label]
  cross_entropy_logits: (i) => {
    const logits = i.logits!;
    const depth = logits.shape[1]!;
    const picked = tf.sum(
      tf.mul(tf.logSoftmax(logits, -1), tf.oneHot(i.labels!, depth, 1, 0, 'float64')),
      -1,
    );
    return tf.neg(tf.mean(picked));
  },
  // mean(max(z,0) - z*t + log(1+exp(-|z|)))
  bce_with_logits: (i) => {
    const z = i.z!;
    const t = i.t!;
    return tf.mean(
      tf
        .relu(z)
        .sub(z.mul(t))
        .add(tf.log1p(tf.exp(tf.neg(tf.abs(z))))),
    );
  },
  mse: (i) => tf.mean(tf.square(tf.sub(i.a!, i.b!))),
  conv2d_s1_valid: conv,
  conv2d_s1_same: conv,
  conv2d_s2_valid: conv,
  conv2d_s2_same: conv,
  max_pool2d_k2_s2: pool('max'),
  max_pool2d_k3_s2_5x5: pool('max'),
  avg_pool2d_k2_s2: pool('avg'),
  batch_norm_train_2d: (i, p) => batchNorm(i.x!, i.gamma!, i.beta!, [0], p.eps as number),
  // NHWC copy: statistics over N, H, W; gamma/beta broadcast over the last (channel) axis.
  batch_norm_train_nchw: (i, p) => batchNorm(i.x!, i.gamma!, i.beta!, [0, 1, 2], p.eps as number),
  linalg_inv: (i) => tf.linalg.inv(i.A!),
  linalg_det: (i) => tf.linalg.det(i.A!),
  linalg_solve: (i) => tf.linalg.solve(i.A!, i.B!),
};

/** The record as tapeflow runs it: the NHWC/HWIO copy where there is one (kernel replaces torch's w). */
function layoutOf(rec: OpRecord): {
  inputs: Record<string, JsonTensor>;
  output: JsonTensor;
  W: JsonTensor;
  grads: Record<string, JsonTensor>;
} {
  if (!rec.nhwc) return { inputs: rec.inputs, output: rec.output, W: rec.W, grads: rec.grads };
  const n = rec.nhwc;
  const inputs: Record<string, JsonTensor> = { ...rec.inputs };
  for (const [k, v] of Object.entries(n)) {
    if (k === 'layout' || k === 'output' || k === 'W' || k === 'grads') continue;
    inputs[k] = v as JsonTensor;
  }
  if ('kernel' in inputs) delete inputs.w;
  const grads: Record<string, JsonTensor> = {};
  for (const [k, v] of Object.entries({ ...rec.grads, ...n.grads })) if (k in inputs) grads[k] = v;
  return { inputs, output: n.output as JsonTensor, W: n.W as JsonTensor, grads };
}

describe('golden ops vs PyTorch 1.13 (float64)', () => {
  it('the fixture has records and every record has an implementation here', () => {
    expect(golden.ops.length).toBeGreaterThan(60);
    const missing = golden.ops.map((r) => r.name).filter((n) => !(n in OPS));
    expect(missing).toEqual([]);
  });

  for (const rec of golden.ops) {
    it(`${rec.name}: ${rec.torch}`, () => {
      const fn = OPS[rec.name];
      if (!fn) throw new Error(`no tapeflow expression for golden record '${rec.name}'`);
      const { inputs: jsonInputs, output, W, grads } = layoutOf(rec);
      const inputs: Inputs = {};
      for (const [k, v] of Object.entries(jsonInputs)) inputs[k] = toTf(v);
      const sources = Object.keys(grads);
      const params = rec.params ?? {};

      const tape = new tf.GradientTape();
      for (const k of sources) tape.watch(inputs[k]!);
      const { y, loss } = tape.record(() => {
        const y = fn(inputs, params);
        return { y, loss: tf.sum(tf.mul(y, toTf(W))) };
      });
      expectClose(y, output, `${rec.name} output`);
      const g = tape.gradient(
        loss,
        sources.map((k) => inputs[k]!),
      );
      sources.forEach((k, i) => {
        expectClose(g[i]!, grads[k]!, `${rec.name} d/d${k}`);
      });
    });
  }
});

const SCALAR_FNS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  'x^3': (x) => x.pow(3),
  'tanh(x)': (x) => tf.tanh(x),
  'x*sin(x)': (x) => x.mul(tf.sin(x)),
};

function asJson(values: number[], shape: number[]): JsonTensor {
  return { shape, data: values };
}

describe('golden higher-order derivatives (nested tapes)', () => {
  for (const rec of golden.higher_order.scalar_second_derivatives) {
    it(`d2/dx2 of ${rec.f} at ${JSON.stringify(rec.x)}`, () => {
      const f = SCALAR_FNS[rec.f];
      if (!f) throw new Error(`no tapeflow expression for '${rec.f}'`);
      const n = rec.x.length;
      // Elementwise f: d sum f(x) / dx = f'(x) elementwise, and again for f''.
      const x = tf.tensor(rec.x, { dtype: 'float64' });
      const outer = new tf.GradientTape();
      outer.watch(x);
      const { y, dy } = outer.record(() => {
        const inner = new tf.GradientTape();
        inner.watch(x);
        const { y, total } = inner.record(() => {
          const y = f(x);
          return { y, total: tf.sum(y) };
        });
        return { y, dy: inner.gradient(total, x)! };
      });
      // dy is elementwise f'(x); the outer tape sums it as a non-scalar target.
      const d2 = outer.gradient(dy, x);
      expectClose(y, asJson(rec.f_x, [n]), `${rec.f} value`);
      expectClose(dy, asJson(rec.df_dx, [n]), `${rec.f} first derivative`);
      expectClose(d2, asJson(rec.d2f_dx2, [n]), `${rec.f} second derivative`);

      // And one scalar at a time, as in the notes.
      rec.x.forEach((xv, i) => {
        const s = tf.tensor(xv, { dtype: 'float64' });
        const t2 = new tf.GradientTape();
        t2.watch(s);
        const ds = t2.record(() => {
          const t1 = new tf.GradientTape();
          t1.watch(s);
          const ys = t1.record(() => f(s));
          return t1.gradient(ys, s)!;
        });
        expectClose(ds, { shape: [], data: rec.df_dx[i]! }, `${rec.f}'(${xv})`);
        expectClose(t2.gradient(ds, s), { shape: [], data: rec.d2f_dx2[i]! }, `${rec.f}''(${xv})`);
      });
    });
  }

  const rosen = golden.higher_order.rosenbrock_hessian;
  const rosenbrockOf = (x: tf.Tensor, y: tf.Tensor) =>
    tf.square(tf.sub(1, x)).add(tf.square(y.sub(x.square())).mul(100));

  for (const point of rosen.points) {
    it(`Rosenbrock Hessian at ${JSON.stringify(point.at)} via tape.jacobian of the gradient`, () => {
      const p = tf.tensor(point.at, { dtype: 'float64' });
      const outer = new tf.GradientTape({ persistent: true });
      outer.watch(p);
      const { f, g } = outer.record(() => {
        const inner = new tf.GradientTape();
        inner.watch(p);
        const f = inner.record(() => {
          const [x, y] = tf.unstack(p);
          return rosenbrockOf(x!, y!);
        });
        return { f, g: inner.gradient(f, p)! };
      });
      expectClose(f, { shape: [], data: point.f }, 'f');
      expectClose(g, { shape: [2], data: point.grad }, 'gradient');
      expectClose(outer.jacobian(g, p), { shape: [2, 2], data: point.hessian }, 'Hessian');
    });

    it(`Rosenbrock Hessian at ${JSON.stringify(point.at)} via two nested gradient calls per component`, () => {
      const x = tf.tensor(point.at[0], { dtype: 'float64' });
      const y = tf.tensor(point.at[1], { dtype: 'float64' });
      const outer = new tf.GradientTape({ persistent: true });
      outer.watch([x, y]);
      const [gx, gy] = outer.record(() => {
        const inner = new tf.GradientTape();
        inner.watch([x, y]);
        const f = inner.record(() => rosenbrockOf(x, y));
        return inner.gradient(f, [x, y]);
      });
      expectClose(gx!, { shape: [], data: point.grad[0] }, 'df/dx');
      expectClose(gy!, { shape: [], data: point.grad[1] }, 'df/dy');
      const [hxx, hxy] = outer.gradient(gx!, [x, y]);
      const [hyx, hyy] = outer.gradient(gy!, [x, y]);
      expectClose(hxx!, { shape: [], data: point.hessian[0][0] }, 'd2f/dx2');
      expectClose(hxy!, { shape: [], data: point.hessian[0][1] }, 'd2f/dxdy');
      expectClose(hyx!, { shape: [], data: point.hessian[1][0] }, 'd2f/dydx');
      expectClose(hyy!, { shape: [], data: point.hessian[1][1] }, 'd2f/dy2');
    });
  }
});
