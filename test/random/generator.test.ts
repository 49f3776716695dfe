import { describe, expect, it } from 'vitest';
import { philox4x32_10, RandomGenerator } from '../../src/random/generator.js';

function hex(words: ArrayLike<number>): string[] {
  return Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0'));
}

function meanVar(xs: ArrayLike<number>): [number, number] {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i]! - mean) ** 2;
  return [mean, v / (xs.length - 1)];
}

describe('philox4x32_10 known answers (Random123 kat_vectors)', () => {
  it.each([
    [
      [0, 0, 0, 0],
      [0, 0],
      ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8'],
    ],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd'],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      ['d16cfe09', '94fdcceb', '5001e420', '24126ea1'],
    ],
  ])('counter %j key %j', (ctr, key, expected) => {
    expect(hex(philox4x32_10(ctr, key))).toEqual(expected);
  });

  it('seed 0 streams the blocks for counters 0, 1, 2, ... under key (0, 0)', () => {
    const g = new RandomGenerator(0);
    const first = [g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()];
    expect(hex(first)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const second = [g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()];
    expect(second).toEqual(Array.from(philox4x32_10([1, 0, 0, 0], [0, 0])));
  });

  it('safe-integer seeds map onto the key as (seed mod 2^32, floor(seed / 2^32))', () => {
    const g = new RandomGenerator(0x12345 * 2 ** 32 + 0xa4093822);
    const got = [g.nextUint32(), g.nextUint32(), g.nextUint32(), g.nextUint32()];
    expect(got).toEqual(Array.from(philox4x32_10([0, 0, 0, 0], [0xa4093822, 0x12345])));
  });
});

describe('RandomGenerator', () => {
  it('same seed gives the same sequence; different seeds differ', () => {
    for (const seed of [0, 1, 42, 2 ** 40 + 3, -1, 0.5, -123.456, 1e300]) {
      const a = new RandomGenerator(seed);
      const b = new RandomGenerator(seed);
      const xa = Array.from({ length: 37 }, () => a.nextUint32());
      const xb = Array.from({ length: 37 }, () => b.nextUint32());
      expect(xa).toEqual(xb);
    }
    const seen = new Set<string>();
    for (const seed of [0, 1, 2, 42, 2 ** 32, -1, 0.5, 1.5, -0.5, 1e300, -1e300]) {
      const g = new RandomGenerator(seed);
      seen.add(Array.from({ length: 4 }, () => g.nextUint32()).join(','));
    }
    expect(seen.size).toBe(11);
  });

  it('-0 is the same seed as 0; non-finite seeds throw', () => {
    expect(new RandomGenerator(-0).nextUint32()).toBe(new RandomGenerator(0).nextUint32());
    expect(() => new RandomGenerator(Number.NaN)).toThrow(RangeError);
    expect(() => new RandomGenerator(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('uint32 outputs are in range and well mixed', () => {
    const g = new RandomGenerator(7);
    const bits = new Float64Array(32);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const x = g.nextUint32();
      if (!(Number.isInteger(x) && x >= 0 && x < 2 ** 32)) throw new Error(`bad uint32 ${x}`);
      for (let b = 0; b < 32; b++) bits[b]! += (x >>> b) & 1;
    }
    for (let b = 0; b < 32; b++) expect(Math.abs(bits[b]! / n - 0.5)).toBeLessThan(0.02);
  });

  it('nextFloat64 / nextFloat32 are in [0, 1) with the promised resolution', () => {
    const g = new RandomGenerator(3);
    let sum = 0;
    for (let i = 0; i < 50000; i++) {
      const d = g.nextFloat64();
      if (!(d >= 0 && d < 1 && Number.isInteger(d * 2 ** 53))) throw new Error(`bad float64 ${d}`);
      const f = g.nextFloat32();
      if (!(f >= 0 && f < 1 && Number.isInteger(f * 2 ** 24) && Math.fround(f) === f)) {
        throw new Error(`bad float32 ${f}`);
      }
      sum += d + f;
    }
    expect(Math.abs(sum / 100000 - 0.5)).toBeLessThan(0.01);
  });

  it('fillUniform respects [low, high) for float32 and float64', () => {
    const g = new RandomGenerator(11);
    const f64 = new Float64Array(100000);
    g.fillUniform(f64, -3, 5);
    const f32 = new Float32Array(100000);
    g.fillUniform(f32, 1, 2);
    for (const [arr, lo, hi] of [
      [f64, -3, 5],
      [f32, 1, 2],
    ] as const) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const x of arr) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      expect(min).toBeGreaterThanOrEqual(lo);
      expect(max).toBeLessThan(hi);
      const [mean, variance] = meanVar(arr);
      expect(mean).toBeCloseTo((lo + hi) / 2, 1);
      expect(Math.abs(variance / ((hi - lo) ** 2 / 12) - 1)).toBeLessThan(0.03);
    }
    const narrow = new Float32Array(1000);
    g.fillUniform(narrow, 1, 1 + 2 ** -23); // two adjacent float32 values: only low is allowed
    expect(narrow.every((x) => x === 1)).toBe(true);
    const same = new Float64Array(5);
    g.fillUniform(same, 2.5, 2.5);
    expect(Array.from(same)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5]);
    expect(() => g.fillUniform(same, 1, 0)).toThrow(RangeError);
  });

  it('fillNormal: mean and variance of 100k samples', () => {
    const g = new RandomGenerator(2024);
    for (const out of [new Float64Array(100000), new Float32Array(100001)]) {
      g.fillNormal(out, 1.5, 2);
      const [mean, variance] = meanVar(out);
      // standard error of the mean: 2 / sqrt(1e5) ~ 0.0063; of the variance: 4 * sqrt(2 / 1e5) ~ 0.018
      expect(Math.abs(mean - 1.5)).toBeLessThan(0.03);
      expect(Math.abs(variance - 4)).toBeLessThan(0.09);
      expect(out.every(Number.isFinite)).toBe(true);
      // ~4.55% of a normal lies beyond 2 sigma
      let tail = 0;
      for (const x of out) if (Math.abs(x - 1.5) > 4) tail++;
      expect(Math.abs(tail / out.length - 0.0455)).toBeLessThan(0.005);
    }
  });

  it('fillNormal with std 0 is constant; negative std throws', () => {
    const g = new RandomGenerator(1);
    const out = new Float64Array(7);
    g.fillNormal(out, 3, 0);
    expect(Array.from(out)).toEqual([3, 3, 3, 3, 3, 3, 3]);
    expect(() => g.fillNormal(out, 0, -1)).toThrow(RangeError);
  });

  it('fillTruncatedNormal never leaves 2 std and has the truncated variance', () => {
    const g = new RandomGenerator(5);
    for (const out of [new Float64Array(100000), new Float32Array(99999)]) {
      g.fillTruncatedNormal(out, -1, 0.5);
      let worst = 0;
      for (const x of out) worst = Math.max(worst, Math.abs(x + 1));
      expect(worst).toBeLessThanOrEqual(1);
      const [mean, variance] = meanVar(out);
      // variance of N(0,1) truncated to (-2, 2): 1 - 4 phi(2) / (2 Phi(2) - 1) ~ 0.77372
      expect(Math.abs(mean + 1)).toBeLessThan(0.01);
      expect(Math.abs(variance / 0.25 - 0.77372)).toBeLessThan(0.015);
    }
  });

  it('fillRandint stays in [low, high) and is roughly uniform (chi-square)', () => {
    const g = new RandomGenerator(99);
    const low = -3;
    const high = 7;
    const k = high - low;
    const out = new Int32Array(100000);
    g.fillRandint(out, low, high);
    const counts = new Array<number>(k).fill(0);
    let outside = 0;
    for (const x of out) {
      if (x >= low && x < high) counts[x - low]!++;
      else outside++;
    }
    expect(outside).toBe(0);
    const expected = out.length / k;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 35) < 1e-4
    expect(chi2).toBeLessThan(35);
  });

  it('fillRandint handles the full int32 range and rejects bad bounds', () => {
    const g = new RandomGenerator(8);
    const out = new Int32Array(1000);
    g.fillRandint(out, -(2 ** 31), 2 ** 31);
    expect(out.some((x) => x < 0) && out.some((x) => x > 0)).toBe(true);
    g.fillRandint(out, 5, 6);
    expect(out.every((x) => x === 5)).toBe(true);
    // a range just above 2^31 exercises the rejection path heavily
    g.fillRandint(out, -(2 ** 31), 1);
    expect(out.every((x) => x <= 0)).toBe(true);
    expect(() => g.fillRandint(out, 3, 3)).toThrow(RangeError);
    expect(() => g.fillRandint(out, 0, 1.5)).toThrow(RangeError);
    expect(() => g.fillRandint(out, 0, 2 ** 31 + 1)).toThrow(RangeError);
  });

  it('permutation returns a permutation of 0..n-1', () => {
    const g = new RandomGenerator(12);
    for (const n of [0, 1, 2, 10, 1000]) {
      const p = g.permutation(n);
      expect(p).toBeInstanceOf(Int32Array);
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    const p1 = new RandomGenerator(4).permutation(50);
    const p2 = new RandomGenerator(4).permutation(50);
    expect(Array.from(p1)).toEqual(Array.from(p2));
    expect(Array.from(p1)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('permutation is roughly uniform over the 6 orderings of 3', () => {
    const g = new RandomGenerator(31);
    const counts = new Map<string, number>();
    const trials = 60000;
    for (let i = 0; i < trials; i++) {
      const key = g.permutation(3).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / trials - 1 / 6)).toBeLessThan(0.01);
  });

  it('fork is deterministic, advances the parent, and yields distinct streams', () => {
    const a = new RandomGenerator(77);
    const b = new RandomGenerator(77);
    const fa1 = a.fork();
    const fb1 = b.fork();
    const fa2 = a.fork();
    b.fork();
    const seq = (g: RandomGenerator) => Array.from({ length: 8 }, () => g.nextUint32());
    expect(seq(fa1)).toEqual(seq(fb1));
    expect(seq(a)).toEqual(seq(b));
    const s1 = seq(new RandomGenerator(77).fork());
    const s2 = seq(fa2);
    const parent = seq(new RandomGenerator(77));
    expect(s1).not.toEqual(s2);
    expect(s1).not.toEqual(parent);
    // a fork's output is not correlated with its sibling's
    const x = new Float64Array(20000);
    const y = new Float64Array(20000);
    const root = new RandomGenerator(1);
    root.fork().fillNormal(x, 0, 1);
    root.fork().fillNormal(y, 0, 1);
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += x[i]! * y[i]!;
    expect(Math.abs(dot / x.length)).toBeLessThan(0.03);
  });
});
