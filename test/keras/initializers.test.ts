/**
 * tf.keras.initializers: fan computation, the statistics of every random initializer over large
 * samples (mean, standard deviation, bounds), orthogonality, determinism with seeds, the resolver and
 * bad input.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import * as initializers from '../../src/keras/initializers.js';

const flat = (t: tf.Tensor): number[] => Array.from(t.dataSync(), Number);

function stats(xs: number[]) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return { mean, std: Math.sqrt(variance), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Standard deviation of a normal truncated to +-2 standard deviations, relative to the untruncated. */
const TRUNC = 0.8796256610342398;

describe('computeFans', () => {
  it('follows Keras: scalar 1/1, vector n/n, dense [in, out], conv kernels times the receptive field', () => {
    expect(initializers.computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(initializers.computeFans([7])).toEqual({ fanIn: 7, fanOut: 7 });
    expect(initializers.computeFans([784, 128])).toEqual({ fanIn: 784, fanOut: 128 });
    expect(initializers.computeFans([3, 3, 16, 32])).toEqual({ fanIn: 144, fanOut: 288 });
    expect(initializers.computeFans([5, 8, 4])).toEqual({ fanIn: 40, fanOut: 20 });
  });
});

describe('statistics over large samples', () => {
  const dense: [number, number] = [400, 300]; // 120,000 samples; fanIn 400, fanOut 300
  const conv = [3, 3, 32, 64]; // fanIn 288, fanOut 576

  const uniformCases: [string, initializers.Initializer, number[], number][] = [
    ['GlorotUniform', new initializers.GlorotUniform({ seed: 1 }), dense, Math.sqrt(6 / 700)],
    ['HeUniform', new initializers.HeUniform({ seed: 2 }), dense, Math.sqrt(6 / 400)],
    ['LecunUniform', new initializers.LecunUniform({ seed: 3 }), dense, Math.sqrt(3 / 400)],
    ['GlorotUniform conv', new initializers.GlorotUniform({ seed: 4 }), conv, Math.sqrt(6 / (288 + 576))],
    ['HeUniform conv', new initializers.HeUniform({ seed: 5 }), conv, Math.sqrt(6 / 288)],
    [
      'VarianceScaling fan_out uniform scale 3',
      new initializers.VarianceScaling({ scale: 3, mode: 'fan_out', distribution: 'uniform', seed: 6 }),
      conv,
      Math.sqrt(9 / 576),
    ],
  ];
  for (const [name, init, shape, limit] of uniformCases) {
    it(`${name}: uniform on [-${limit.toFixed(4)}, ${limit.toFixed(4)}), std limit/sqrt(3)`, () => {
      const x = init.apply(shape);
      expect(x.shape).toEqual(shape);
      expect(x.dtype).toBe('float32');
      const s = stats(flat(x));
      expect(s.min).toBeGreaterThanOrEqual(-limit);
      expect(s.max).toBeLessThan(limit);
      expect(s.min).toBeLessThan(-0.99 * limit);
      expect(s.max).toBeGreaterThan(0.99 * limit);
      expect(Math.abs(s.mean)).toBeLessThan(0.01 * limit);
      expect(Math.abs(s.std / (limit / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
    });
  }

  const normalCases: [string, initializers.Initializer, number[], number][] = [
    ['GlorotNormal', new initializers.GlorotNormal({ seed: 7 }), dense, Math.sqrt(2 / 700)],
    ['HeNormal', new initializers.HeNormal({ seed: 8 }), dense, Math.sqrt(2 / 400)],
    ['LecunNormal', new initializers.LecunNormal({ seed: 9 }), dense, Math.sqrt(1 / 400)],
    ['HeNormal conv', new initializers.HeNormal({ seed: 10 }), conv, Math.sqrt(2 / 288)],
    [
      'VarianceScaling fan_avg truncated scale 0.5',
      new initializers.VarianceScaling({ scale: 0.5, mode: 'fan_avg', seed: 11 }),
      conv,
      Math.sqrt(0.5 / 432),
    ],
  ];
  for (const [name, init, shape, std] of normalCases) {
    it(`${name}: truncated normal with standard deviation ${std.toFixed(5)}, within 2 / 0.8796 of it`, () => {
      const s = stats(flat(init.apply(shape)));
      const bound = (2 * std) / TRUNC;
      expect(s.min).toBeGreaterThan(-bound);
      expect(s.max).toBeLessThan(bound);
      expect(s.max).toBeGreaterThan(0.98 * bound);
      expect(Math.abs(s.mean)).toBeLessThan(0.01 * std);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.01);
    });
  }

  it('VarianceScaling untruncated_normal: standard deviation sqrt(scale / fanIn), tails beyond 2 sigma', () => {
    const init = new initializers.VarianceScaling({ scale: 2, distribution: 'untruncated_normal', seed: 12 });
    const std = Math.sqrt(2 / 400);
    const s = stats(flat(init.apply(dense)));
    expect(Math.abs(s.std / std - 1)).toBeLessThan(0.01);
    expect(s.max).toBeGreaterThan(3 * std);
  });

  it('RandomNormal (mean 0.3, stddev 2), TruncatedNormal (stddev 0.5), RandomUniform (-3, 5)', () => {
    const n = stats(flat(new initializers.RandomNormal({ mean: 0.3, stddev: 2, seed: 13 }).apply(dense)));
    expect(Math.abs(n.mean - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(n.std / 2 - 1)).toBeLessThan(0.01);
    const t = stats(flat(new initializers.TruncatedNormal({ stddev: 0.5, seed: 14 }).apply(dense)));
    expect(t.min).toBeGreaterThan(-1);
    expect(t.max).toBeLessThan(1);
    expect(Math.abs(t.std / (0.5 * TRUNC) - 1)).toBeLessThan(0.01);
    const u = stats(flat(new initializers.RandomUniform({ minval: -3, maxval: 5, seed: 15 }).apply(dense)));
    expect(u.min).toBeGreaterThanOrEqual(-3);
    expect(u.max).toBeLessThan(5);
    expect(Math.abs(u.mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(u.std / (8 / Math.sqrt(12)) - 1)).toBeLessThan(0.01);
  });

  it("Keras's defaults: RandomNormal/TruncatedNormal stddev 0.05, RandomUniform [-0.05, 0.05)", () => {
    expect(new initializers.RandomNormal().getConfig()).toEqual({ mean: 0, stddev: 0.05, seed: null });
    expect(new initializers.TruncatedNormal().getConfig()).toEqual({ mean: 0, stddev: 0.05, seed: null });
    expect(new initializers.RandomUniform().getConfig()).toEqual({ minval: -0.05, maxval: 0.05, seed: null });
    expect(new initializers.VarianceScaling().getConfig()).toEqual({
      scale: 1,
      mode: 'fan_in',
      distribution: 'truncated_normal',
      seed: null,
    });
    const u = stats(flat(new initializers.RandomUniform().apply([1000])));
    expect(u.max).toBeLessThan(0.05);
    expect(u.min).toBeGreaterThanOrEqual(-0.05);
  });

  it('float64 samples and int32 RandomUniform', () => {
    const x = new initializers.GlorotUniform({ seed: 1 }).apply([50, 40], 'float64');
    expect(x.dtype).toBe('float64');
    const i = new initializers.RandomUniform({ minval: 0, maxval: 10, seed: 3 }).apply([10000], 'int32');
    expect(i.dtype).toBe('int32');
    const v = flat(i);
    expect(Math.min(...v)).toBe(0);
    expect(Math.max(...v)).toBe(9);
    expect(v.every(Number.isInteger)).toBe(true);
  });
});

describe('orthogonal and identity', () => {
  /** Max |A^T A - gain^2 I| over the columns of a rows x cols matrix (or rows when wide). */
  function orthogonalityError(x: number[], rows: number, cols: number, gain: number): number {
    const wide = rows < cols;
    const [n, m] = wide ? [cols, rows] : [rows, cols];
    const at = (i: number, j: number) => (wide ? x[j * cols + i]! : x[i * cols + j]!);
    let worst = 0;
    for (let a = 0; a < m; a++) {
      for (let b = a; b < m; b++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += at(i, a) * at(i, b);
        worst = Math.max(worst, Math.abs(dot - (a === b ? gain * gain : 0)));
      }
    }
    return worst;
  }

  it('tall [64, 32]: orthonormal columns; wide [16, 48]: orthonormal rows; gain scales', () => {
    const tall = new initializers.Orthogonal({ seed: 1 }).apply([64, 32], 'float64');
    expect(orthogonalityError(flat(tall), 64, 32, 1)).toBeLessThan(1e-12);
    const wide = new initializers.Orthogonal({ seed: 2 }).apply([16, 48], 'float64');
    expect(orthogonalityError(flat(wide), 16, 48, 1)).toBeLessThan(1e-12);
    const square = new initializers.Orthogonal({ gain: 2.5, seed: 3 }).apply([20, 20]);
    expect(orthogonalityError(flat(square), 20, 20, 2.5)).toBeLessThan(1e-4);
  });

  it('conv kernels [3, 3, 4, 8] are orthogonal as a [36, 8] matrix', () => {
    const k = new initializers.Orthogonal({ seed: 4 }).apply([3, 3, 4, 8], 'float64');
    expect(k.shape).toEqual([3, 3, 4, 8]);
    expect(orthogonalityError(flat(k), 36, 8, 1)).toBeLessThan(1e-12);
  });

  it('is not biased: entries of a random orthogonal matrix have mean 0 and variance 1/n', () => {
    const n = 100;
    const s = stats(flat(new initializers.Orthogonal({ seed: 5 }).apply([n, n], 'float64')));
    expect(Math.abs(s.mean)).toBeLessThan(0.005);
    expect(Math.abs(s.std * Math.sqrt(n) - 1)).toBeLessThan(0.02);
  });

  it('Identity: gain times eye, rectangular allowed, 2-D only', () => {
    expect(new initializers.Identity({ gain: 3 }).apply([2, 3]).numpy()).toEqual([
      [3, 0, 0],
      [0, 3, 0],
    ]);
    expect(() => new initializers.Identity().apply([2, 2, 2])).toThrow(
      /Identity: can only initialize 2-D matrices, got shape \[2,2,2\]/,
    );
    expect(() => new initializers.Orthogonal().apply([5])).toThrow(
      /at least two-dimensional, got shape \[5\]/,
    );
  });

  it('Zeros, Ones and Constant in any dtype', () => {
    expect(new initializers.Zeros().apply([2, 2], 'int32').numpy()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(new initializers.Ones().apply([3], 'float64').numpy()).toEqual([1, 1, 1]);
    expect(new initializers.Constant({ value: 0.5 }).apply([2]).numpy()).toEqual([0.5, 0.5]);
    expect(new initializers.Constant(7).apply([2], 'int32').dtype).toBe('int32');
    expect(new initializers.Constant({ value: [1, 2] }).apply([2, 2]).numpy()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(() => new initializers.Constant({ value: [1, 2, 3] }).apply([2, 2])).toThrow(
      /Constant: value of shape \[3\] does not broadcast to \[2,2\]/,
    );
  });
});

describe('determinism', () => {
  it('a seeded initializer returns the same values on every call, and equal seeds agree across instances', () => {
    for (const make of [
      (seed: number) => new initializers.GlorotUniform({ seed }),
      (seed: number) => new initializers.HeNormal({ seed }),
      (seed: number) => new initializers.RandomNormal({ seed }),
      (seed: number) => new initializers.RandomUniform({ seed }),
      (seed: number) => new initializers.TruncatedNormal({ seed }),
      (seed: number) => new initializers.Orthogonal({ seed }),
    ]) {
      const a = make(42);
      const first = flat(a.apply([8, 6]));
      expect(flat(a.apply([8, 6]))).toEqual(first);
      expect(flat(make(42).apply([8, 6]))).toEqual(first);
      expect(flat(make(43).apply([8, 6]))).not.toEqual(first);
    }
  });

  it('unseeded initializers draw from the global generator: tf.random.setSeed reproduces them', () => {
    const init = new initializers.GlorotNormal();
    tf.random.setSeed(123);
    const a1 = flat(init.apply([5, 5]));
    const a2 = flat(init.apply([5, 5]));
    expect(a2).not.toEqual(a1);
    tf.random.setSeed(123);
    expect(flat(init.apply([5, 5]))).toEqual(a1);
    expect(flat(new initializers.GlorotNormal().apply([5, 5]))).toEqual(a2);
  });
});

describe('initializers.get and bad input', () => {
  it('resolves names, camelCase, class names, configs, instances and functions', () => {
    const pairs: [string, new () => initializers.Initializer][] = [
      ['glorot_uniform', initializers.GlorotUniform],
      ['glorotUniform', initializers.GlorotUniform],
      ['GlorotUniform', initializers.GlorotUniform],
      ['glorot_normal', initializers.GlorotNormal],
      ['he_normal', initializers.HeNormal],
      ['he_uniform', initializers.HeUniform],
      ['lecun_normal', initializers.LecunNormal],
      ['lecun_uniform', initializers.LecunUniform],
      ['zeros', initializers.Zeros],
      ['ones', initializers.Ones],
      ['constant', initializers.Constant],
      ['random_normal', initializers.RandomNormal],
      ['randomUniform', initializers.RandomUniform],
      ['truncated_normal', initializers.TruncatedNormal],
      ['orthogonal', initializers.Orthogonal],
      ['variance_scaling', initializers.VarianceScaling],
      ['identity', initializers.Identity],
    ];
    for (const [name, cls] of pairs) expect(initializers.get(name), name).toBeInstanceOf(cls);
    const he = initializers.get({ className: 'HeNormal', config: { seed: 5 } }) as initializers.HeNormal;
    expect(he).toBeInstanceOf(initializers.HeNormal);
    expect(he.seed).toBe(5);
    // TensorFlow.js / Keras files spell it class_name.
    const vs = initializers.get({
      class_name: 'VarianceScaling',
      config: { scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: null },
    } as never) as initializers.VarianceScaling;
    expect(vs.getConfig()).toEqual({ scale: 2, mode: 'fan_avg', distribution: 'uniform', seed: null });
    const o = new initializers.Ones();
    expect(initializers.get(o)).toBe(o);
    const fn = initializers.get((shape, dtype) => tf.fill(shape, 3, dtype));
    expect(fn.apply([2]).numpy()).toEqual([3, 3]);
  });

  it('serialize / deserialize round-trip every initializer', () => {
    const all = [
      new initializers.Zeros(),
      new initializers.Constant({ value: 2 }),
      new initializers.RandomNormal({ mean: 1, stddev: 3, seed: 1 }),
      new initializers.RandomUniform({ minval: 0, maxval: 2, seed: 2 }),
      new initializers.TruncatedNormal({ stddev: 0.1, seed: 3 }),
      new initializers.VarianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform', seed: 4 }),
      new initializers.GlorotUniform({ seed: 5 }),
      new initializers.HeUniform(6),
      new initializers.Orthogonal({ gain: 2, seed: 7 }),
      new initializers.Identity({ gain: 0.5 }),
    ];
    for (const init of all) {
      const copy = initializers.deserialize(initializers.serialize(init));
      expect(copy.constructor).toBe(init.constructor);
      expect(copy.getConfig()).toEqual(init.getConfig());
      expect(flat(copy.apply([3, 3]))).toEqual(flat(init.apply([3, 3])));
    }
  });

  it('unknown names, bad options and bad dtypes throw clear errors', () => {
    expect(() => initializers.get('glorot_uniforn')).toThrow(
      /initializers.get: unknown initializer 'glorot_uniforn'. Did you mean 'glorot_uniform'\?/,
    );
    expect(() => initializers.get('xavier')).toThrow(
      /Known initializers: .*glorot_uniform.*he_normal.*orthogonal/,
    );
    expect(() => new initializers.VarianceScaling({ mode: 'fan_mid' as never })).toThrow(
      /mode must be 'fan_in'/,
    );
    expect(() => new initializers.VarianceScaling({ distribution: 'cauchy' as never })).toThrow(
      /distribution must be/,
    );
    expect(() => new initializers.VarianceScaling({ scale: 0 })).toThrow(
      /scale must be a finite positive number/,
    );
    expect(() => new initializers.RandomUniform({ minval: 1, maxval: 1 })).toThrow(
      /maxval \(1\) must exceed minval \(1\)/,
    );
    expect(() => new initializers.GlorotUniform().apply([2, 2], 'int32')).toThrow(
      /GlorotUniform: expected a floating-point dtype \(float32 or float64\), got int32/,
    );
    expect(() => new initializers.GlorotUniform().apply([2, -1])).toThrow(
      /shape must contain non-negative integers/,
    );
    expect(() => new initializers.RandomNormal({ seed: Number.NaN })).toThrow(/seed must be a finite number/);
  });
});
