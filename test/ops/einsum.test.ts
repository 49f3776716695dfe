/**
 * tf.einsum against PyTorch 1.13 (float64): test/fixtures/golden-einsum.json, made by
 * test/fixtures/make-golden-einsum.py. For each equation the output is recomputed with tapeflow and the
 * gradient of sum(output * W) taken with a GradientTape for every input (a repeated operand gets the sum
 * of its uses, as in PyTorch).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

type Nested = number | Nested[];

interface JsonTensor {
  shape: number[];
  data: Nested;
}

interface EinsumRecord {
  equation: string;
  operands: string[];
  note: string;
  inputs: Record<string, JsonTensor>;
  output: JsonTensor;
  W: JsonTensor;
  grads: Record<string, JsonTensor>;
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-einsum.json', import.meta.url), 'utf8'),
) as { einsum: EinsumRecord[] };

const TOL = 1e-10;

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

describe('einsum: golden values from torch.einsum', () => {
  it('covers at least 25 equations', () => {
    expect(golden.einsum.length).toBeGreaterThanOrEqual(25);
  });
  for (const rec of golden.einsum) {
    it(`'${rec.equation}' (${rec.note})`, () => {
      const names = Object.keys(rec.inputs);
      const inputs = names.map((n) => toTf(rec.inputs[n]!));
      const byName = new Map(names.map((n, i) => [n, inputs[i]!]));
      const tape = new tf.GradientTape();
      tape.watch(inputs);
      const W = toTf(rec.W);
      const { y, loss } = tape.record(() => {
        const y = tf.einsum(rec.equation, ...rec.operands.map((n) => byName.get(n)!));
        return { y, loss: tf.sum(tf.mul(y, W)) };
      });
      expectClose(y, rec.output, 'output');
      const grads = tape.gradient(loss, inputs);
      names.forEach((n, i) => {
        expectClose(grads[i]!, rec.grads[n]!, `d/d${n}`);
      });
    });
  }
});

describe('einsum: behaviour', () => {
  const a = tf.tensor(
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
    { dtype: 'int32' },
  );
  const b = tf.tensor(
    [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    { dtype: 'int32' },
  );

  it('keeps integer dtypes', () => {
    const y = tf.einsum('ij,jk->ik', a, b);
    expect(y.dtype).toBe('int32');
    expect(y.arraySync()).toEqual([
      [4, 5],
      [10, 11],
    ]);
  });

  it('promotes mixed dtypes', () => {
    const y = tf.einsum('ij,jk->ik', a, tf.ones([3, 2], 'float64'));
    expect(y.dtype).toBe('float64');
    expect(y.arraySync()).toEqual([
      [6, 6],
      [15, 15],
    ]);
  });

  it('accepts JS arrays and scalars as operands', () => {
    expect(tf.einsum('i,i->', [1, 2, 3], [4, 5, 6]).arraySync()).toBe(32);
    expect(tf.einsum(',i->i', 2, [1, 2]).arraySync()).toEqual([2, 4]);
    expect(tf.einsum('->', 3).arraySync()).toBe(3);
  });

  it('handles zero-size dimensions', () => {
    const y = tf.einsum('ij,jk->ik', tf.zeros([2, 0]), tf.zeros([0, 3]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    expect(tf.einsum('ii->i', tf.zeros([0, 0])).shape).toEqual([0]);
  });

  it('matches matmul on a larger batched product', () => {
    const x = tf.random.normal([3, 5, 7], 0, 1, { dtype: 'float64' });
    const w = tf.random.normal([7, 4], 0, 1, { dtype: 'float64' });
    const got = Array.from(tf.einsum('bij,jk->bik', x, w).dataSync());
    const want = Array.from(tf.matmul(x, w).dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(want[i]!, 12);
    });
  });

  it('gives second derivatives (einsum is a composite of differentiable ops)', () => {
    const x = tf.tensor([1, 2, 3], { dtype: 'float64' });
    const outer = new tf.GradientTape();
    outer.watch(x);
    const inner = new tf.GradientTape();
    const g = outer.record(() => {
      inner.watch(x);
      // f = (x . x)^2; df/dx = 4 (x . x) x; d/dx sum(df/dx) = 8 x sum(x) + 4 (x . x)
      const y = inner.record(() => tf.square(tf.einsum('i,i->', x, x)));
      return tf.sum(inner.gradient(y, x) as tf.Tensor);
    });
    const h = outer.gradient(g, x) as tf.Tensor;
    expect(Array.from(h.dataSync())).toEqual([8 * 6 + 56, 16 * 6 + 56, 24 * 6 + 56]);
  });

  it('chooses a cheap contraction order for a chain (result matches left-to-right)', () => {
    const m = tf.random.normal([40, 2], 0, 1, { dtype: 'float64' });
    const n = tf.random.normal([2, 40], 0, 1, { dtype: 'float64' });
    const v = tf.random.normal([40], 0, 1, { dtype: 'float64' });
    const got = Array.from(tf.einsum('ij,jk,k->i', m, n, v).dataSync());
    const want = Array.from(tf.matmul(tf.matmul(m, n), v).dataSync());
    got.forEach((val, i) => {
      expect(val).toBeCloseTo(want[i]!, 10);
    });
  });
});

describe('einsum: errors name the equation and the shapes', () => {
  const x23 = tf.ones([2, 3]);
  const x45 = tf.ones([4, 5]);
  const x34 = tf.ones([3, 4]);

  it('mismatched index sizes', () => {
    expect(() => tf.einsum('ij,jk->ik', x23, x45)).toThrow(
      "einsum 'ij,jk->ik': index j has size 3 in operand 0 [2,3] but 4 in operand 1 [4,5]",
    );
    expect(() => tf.einsum('ii->i', x23)).toThrow(
      "einsum 'ii->i': index i is repeated in operand 0 [2,3] with sizes 2 and 3",
    );
    expect(() => tf.einsum('...ij,...jk', tf.ones([2, 3, 4]), tf.ones([3, 4, 5]))).toThrow(
      "einsum '...ij,...jk': index '...' dimension 0 has size 2 in operand 0 [2,3,4] but 3 in operand 1 [3,4,5]",
    );
  });

  it('wrong number of operands', () => {
    expect(() => tf.einsum('ij,jk->ik', x23)).toThrow(
      "einsum 'ij,jk->ik': the equation has 2 operand term(s) but 1 operand(s) were given (operands [2,3])",
    );
    expect(() => tf.einsum('ij->ji', x23, x34)).toThrow(
      /einsum 'ij->ji': the equation has 1 operand term\(s\) but 2/,
    );
  });

  it('rank that does not match the term', () => {
    expect(() => tf.einsum('ijk,jk->i', x23, x34)).toThrow(
      "einsum 'ijk,jk->i': operand 0 has shape [2,3] (rank 2) but its term 'ijk' names 3 indices",
    );
    expect(() => tf.einsum('ij...,jk->ik', tf.ones([2]), x34)).toThrow(
      "einsum 'ij...,jk->ik': operand 0 has shape [2] (rank 1) but its term 'ij...' names 2 indices plus '...'",
    );
  });

  it('invalid equations', () => {
    const cases: [string, RegExp][] = [
      ['ij,j1->i', /unexpected character '1' in term 'j1'/],
      ['ij,jk->ik->i', /more than one '->'/],
      ['ij,jk->ii', /index i appears more than once in the output/],
      ['ij,jk->iz', /output index z does not appear in any operand term/],
      ['i..j,jk->ik', /'\.' must be part of '\.\.\.'/],
      ['...i...,jk->ik', /more than one '\.\.\.'/],
      ['ij,jk-ik', /stray '-' or '>'/],
    ];
    for (const [eq, message] of cases) {
      let error: Error | undefined;
      try {
        tf.einsum(eq, x23, x34);
      } catch (e) {
        error = e as Error;
      }
      expect(error, eq).toBeDefined();
      expect(error!.message, eq).toMatch(message);
      expect(error!.message, eq).toContain(`einsum '${eq}'`);
      if (!/does not appear/.test(error!.message))
        expect(error!.message, eq).toContain('operands [2,3], [3,4]');
    }
  });

  it('bool operands and a non-string equation', () => {
    expect(() => tf.einsum('i->i', tf.tensor([true, false]))).toThrow(/operand 0 \[2\] is bool/);
    expect(() => tf.einsum(3 as unknown as string, x23)).toThrow(/the equation must be a string/);
  });
});
