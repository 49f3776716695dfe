/**
 * tf.linalg.diag / diagPart / trace / bandPart / matrixNorm / norm against PyTorch 1.13 (float64):
 * test/fixtures/golden-einsum.json (`structure`), made by test/fixtures/make-golden-einsum.py. Outputs
 * and the gradients of sum(output * W) are compared.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

type Nested = number | Nested[];

interface JsonTensor {
  shape: number[];
  data: Nested;
}

interface StructureRecord {
  name: 'diag' | 'diagPart' | 'trace' | 'bandPart' | 'matrixNorm' | 'norm';
  params: {
    k?: number;
    numLower?: number;
    numUpper?: number;
    ord?: string | number;
    axis?: number[] | null;
    keepDims?: boolean;
  };
  inputs: { x: JsonTensor };
  output: JsonTensor;
  W: JsonTensor;
  grads: { x: JsonTensor };
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-einsum.json', import.meta.url), 'utf8'),
) as { structure: StructureRecord[] };

const TOL = 1e-9;

function flat(data: Nested): number[] {
  return Array.isArray(data) ? data.flatMap(flat) : [data];
}

const toTf = (t: JsonTensor) => tf.tensor(flat(t.data), { shape: t.shape, dtype: 'float64' });

function expectClose(got: tf.Tensor | null, want: JsonTensor, what: string): void {
  expect(got, `${what}: got null`).not.toBeNull();
  expect([...got!.shape], `${what}: shape`).toEqual(want.shape);
  expect(got!.dtype, `${what}: dtype`).toBe('float64');
  const actual = Array.from(got!.dataSync() as Float64Array);
  const expected = flat(want.data);
  const bad: string[] = [];
  expected.forEach((e, i) => {
    const a = actual[i]!;
    if (!(Math.abs(a - e) <= TOL + TOL * Math.abs(e))) bad.push(`[${i}] got ${a}, expected ${e}`);
  });
  expect(bad, `${what}: ${bad.slice(0, 6).join('; ')}`).toEqual([]);
}

function ordOf(o: string | number | undefined): string | number | undefined {
  if (o === 'Infinity') return Number.POSITIVE_INFINITY;
  if (o === '-Infinity') return Number.NEGATIVE_INFINITY;
  return o;
}

function run(rec: StructureRecord, x: tf.Tensor): tf.Tensor {
  const p = rec.params;
  const ord = ordOf(p.ord);
  switch (rec.name) {
    case 'diag':
      return tf.linalg.diag(x, p.k);
    case 'diagPart':
      return tf.linalg.diagPart(x, p.k);
    case 'trace':
      return tf.linalg.trace(x);
    case 'bandPart':
      return tf.linalg.bandPart(x, p.numLower!, p.numUpper!);
    case 'matrixNorm':
      return tf.linalg.matrixNorm(x, ord as tf.linalg.MatrixNormOrd, p.axis ?? undefined, p.keepDims);
    case 'norm':
      return tf.linalg.norm(x, ord as tf.linalg.NormOrd, p.axis ?? undefined, p.keepDims);
  }
}

describe('tf.linalg structure: golden values from PyTorch', () => {
  for (const rec of golden.structure) {
    const title = `${rec.name} ${JSON.stringify(rec.params)} of ${JSON.stringify(rec.inputs.x.shape)}`;
    it(title, () => {
      const x = toTf(rec.inputs.x);
      const W = toTf(rec.W);
      const tape = new tf.GradientTape();
      tape.watch(x);
      const { y, loss } = tape.record(() => {
        const y = run(rec, x);
        return { y, loss: tf.sum(tf.mul(y, W)) };
      });
      expectClose(y, rec.output, 'output');
      expectClose(tape.gradient(loss, x) as tf.Tensor, rec.grads.x, 'gradient');
    });
  }
});

describe('tf.linalg structure: behaviour', () => {
  const m = tf.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ],
    { dtype: 'int32' },
  );

  it('diag and diagPart are inverse on the k-th diagonal, and keep the dtype', () => {
    for (const k of [-2, -1, 0, 1, 2]) {
      const v = tf.linalg.diagPart(m, k);
      expect(v.dtype).toBe('int32');
      const d = tf.linalg.diag(v, k);
      expect(d.shape).toEqual([3, 3]);
      expect(tf.linalg.diagPart(d, k).arraySync()).toEqual(v.arraySync());
    }
    expect(tf.linalg.diagPart(m, 3).shape).toEqual([0]);
    expect(tf.linalg.diagPart(m, -5).shape).toEqual([0]);
    expect(tf.linalg.diag(tf.zeros([2, 0])).shape).toEqual([2, 0, 0]);
  });

  it('trace of integers and of a batch', () => {
    expect(tf.linalg.trace(m).arraySync()).toBe(15);
    expect(tf.linalg.trace(tf.ones([2, 3, 4])).arraySync()).toEqual([3, 3]);
  });

  it('bandPart: triangles and the diagonal', () => {
    expect(tf.linalg.bandPart(m, 0, -1).arraySync()).toEqual([
      [1, 2, 3],
      [0, 5, 6],
      [0, 0, 9],
    ]);
    expect(tf.linalg.bandPart(m, -1, 0).arraySync()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
      [7, 8, 9],
    ]);
    expect(tf.linalg.bandPart(m, 0, 0).arraySync()).toEqual([
      [1, 0, 0],
      [0, 5, 0],
      [0, 0, 9],
    ]);
  });

  it('norm dispatches: vector over all entries by default, matrix for two axes or fro/nuc', () => {
    const x = tf.tensor(
      [
        [3, -4],
        [0, 12],
      ],
      { dtype: 'float64' },
    );
    expect(tf.linalg.norm(x).arraySync()).toBe(13);
    expect(tf.linalg.norm(x, 'fro').arraySync()).toBe(13);
    expect(tf.linalg.norm(x, 1).arraySync()).toBe(19); // vector 1-norm of all entries
    expect(tf.linalg.norm(x, 1, [0, 1]).arraySync()).toBe(16); // largest column sum
    expect(tf.linalg.norm(x, Infinity, [0, 1]).arraySync()).toBe(12); // largest row sum
    expect(tf.linalg.norm(x, Infinity).arraySync()).toBe(12); // largest |entry|
    expect(tf.linalg.norm(x, 0, 1).arraySync()).toEqual([2, 1]);
    expect(tf.linalg.norm(x, 2, 1, true).shape).toEqual([2, 1]);
    expect(tf.linalg.matrixNorm(tf.ones([2, 3, 4]), 'fro', [-2, -1], true).shape).toEqual([2, 1, 1]);
    expect(tf.linalg.matrixNorm(m).dtype).toBe('float32');
  });

  it('errors name the function and the shapes', () => {
    expect(() => tf.linalg.diagPart(tf.ones([3]))).toThrow(
      'linalg.diagPart: expected a matrix or a batch of them [..., m, n], got [3]',
    );
    expect(() => tf.linalg.trace(tf.ones([3]))).toThrow(/linalg\.trace: .*got \[3\]/);
    expect(() => tf.linalg.bandPart(tf.ones([3]), 0, 0)).toThrow(/linalg\.bandPart: .*got \[3\]/);
    expect(() => tf.linalg.diag(tf.tensor(1))).toThrow(/linalg\.diag: expected a vector/);
    expect(() => tf.linalg.matrixNorm(tf.ones([3]))).toThrow(/needs a tensor of rank >= 2, got \[3\]/);
    expect(() => tf.linalg.matrixNorm(tf.ones([3, 3]), 3)).toThrow(/ord must be 'fro', 'nuc'/);
    expect(() => tf.linalg.matrixNorm(tf.ones([3, 3]), 'fro', [1, -1])).toThrow(/must differ/);
    expect(() => tf.linalg.norm(tf.ones([3, 3]), 'fro', 0)).toThrow(/needs two axes/);
    expect(() => tf.linalg.norm(tf.ones([2, 2, 2]), 2, [0, 1, 2])).toThrow(/one axis .* or two/);
  });
});
