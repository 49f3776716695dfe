/**
 * Property tests (fast-check) for broadcasting, dtype promotion and strided views, each checked
 * against an independent reference written here (plain row-major index arithmetic).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

type Shape = number[];
type DType = 'bool' | 'int32' | 'float32' | 'float64';

const RUNS = { numRuns: 200 };

// ---------------------------------------------------------------- reference index arithmetic

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((s, d) => s * d, 1);
}

function stridesOf(shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[i] = s;
    s *= shape[i]!;
  }
  return out;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i]!;
    idx[i] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: readonly number[]): number {
  const st = stridesOf(shape);
  let k = 0;
  for (let i = 0; i < idx.length; i++) k += idx[i]! * st[i]!;
  return k;
}

/** NumPy's broadcast rule, or null when the shapes are incompatible. */
function numpyBroadcast(a: Shape, b: Shape): Shape | null {
  const rank = Math.max(a.length, b.length);
  const out: Shape = [];
  for (let i = 0; i < rank; i++) {
    const da = i - (rank - a.length) >= 0 ? a[i - (rank - a.length)]! : 1;
    const db = i - (rank - b.length) >= 0 ? b[i - (rank - b.length)]! : 1;
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else return null;
  }
  return out;
}

/** Flat index into an operand of `shape` for the output multi-index `outIdx` (right-aligned, size-1 axes fixed at 0). */
function broadcastSource(outIdx: readonly number[], shape: readonly number[]): number {
  const lead = outIdx.length - shape.length;
  const idx = shape.map((d, i) => (d === 1 ? 0 : outIdx[i + lead]!));
  return ravel(idx, shape);
}

function f64(data: ArrayLike<number>, shape: readonly number[]): tf.Tensor {
  return tf.tensor(Float64Array.from(data), { shape: [...shape], dtype: 'float64' });
}

/** A contiguous copy of a tensor's values (the reference for ops on views). */
function copyOf(t: tf.Tensor): tf.Tensor {
  return tf.tensor(t.dataSync(), { shape: [...t.shape], dtype: t.dtype });
}

const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

// ---------------------------------------------------------------- arbitraries

const dim = fc.integer({ min: 0, max: 4 });
const anyShape = fc.array(dim, { minLength: 0, maxLength: 4 });

/** An operand that broadcasts to `out`: a suffix of it, some dims replaced by 1. */
const operandOf = (out: Shape): fc.Arbitrary<Shape> =>
  fc
    .integer({ min: 0, max: out.length })
    .chain((rank) =>
      fc
        .array(fc.boolean(), { minLength: rank, maxLength: rank })
        .map((ones) => out.slice(out.length - rank).map((d, i) => (ones[i] ? 1 : d))),
    );

const compatiblePair = anyShape.chain((out) => fc.tuple(operandOf(out), operandOf(out)));

/** Two shapes that clash on one right-aligned axis (sizes differ and neither is 1). */
const incompatiblePair = compatiblePair
  .filter(([a, b]) => a.length > 0 && b.length > 0)
  .chain(([a, b]) =>
    fc
      .tuple(
        fc.integer({ min: 1, max: Math.min(a.length, b.length) }),
        fc.constantFrom(0, 2, 3, 4),
        fc.constantFrom(0, 2, 3, 4),
      )
      .filter(([, da, db]) => da !== db)
      .map(([k, da, db]) => {
        const a2 = [...a];
        const b2 = [...b];
        a2[a2.length - k] = da;
        b2[b2.length - k] = db;
        return [a2, b2] as [Shape, Shape];
      }),
  );

const permutationOf = (n: number): fc.Arbitrary<number[]> =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

interface SliceSpec {
  begin: number[];
  size: number[];
  steps: number[];
}

/** A valid (begin, size, steps) for `shape`; some sizes are -1 ("to the end"). */
const sliceOf = (shape: Shape): fc.Arbitrary<SliceSpec> =>
  fc
    .tuple(
      ...shape.map((d) =>
        fc.integer({ min: 0, max: d }).chain((begin) =>
          fc.integer({ min: 1, max: 3 }).chain((step) => {
            const available = Math.max(0, Math.ceil((d - begin) / step));
            return fc
              .oneof(fc.integer({ min: 0, max: available }), fc.constant(-1))
              .map((size) => ({ begin, size, step }));
          }),
        ),
      ),
    )
    .map((axes) => ({
      begin: axes.map((a) => a.begin),
      size: axes.map((a) => a.size),
      steps: axes.map((a) => a.step),
    }));

function sliceReference(x: number[], shape: Shape, spec: SliceSpec): { data: number[]; shape: Shape } {
  const outShape = shape.map((d, i) => {
    const available = Math.max(0, Math.ceil((d - spec.begin[i]!) / spec.steps[i]!));
    return spec.size[i] === -1 ? available : spec.size[i]!;
  });
  const data: number[] = [];
  for (let k = 0; k < sizeOf(outShape); k++) {
    const j = unravel(k, outShape);
    data.push(
      x[
        ravel(
          j.map((v, i) => spec.begin[i]! + v * spec.steps[i]!),
          shape,
        )
      ]!,
    );
  }
  return { data, shape: outShape };
}

function transposeReference(x: number[], shape: Shape, perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const data: number[] = [];
  for (let k = 0; k < sizeOf(outShape); k++) {
    const j = unravel(k, outShape);
    const src = new Array<number>(shape.length);
    perm.forEach((p, i) => {
      src[p] = j[i]!;
    });
    data.push(x[ravel(src, shape)]!);
  }
  return data;
}

// ---------------------------------------------------------------- (a), (b) broadcasting

describe('broadcasting (property)', () => {
  it('add/sub of broadcast-compatible shapes: NumPy shape and a[bi] op b[bj] elementwise', () => {
    fc.assert(
      fc.property(compatiblePair, ([sa, sb]) => {
        const expectedShape = numpyBroadcast(sa, sb);
        expect(expectedShape).not.toBeNull();
        // a's values are 1..n, b's are multiples of 10000: every sum tells which pair was added.
        const aData = Array.from({ length: sizeOf(sa) }, (_, i) => i + 1);
        const bData = Array.from({ length: sizeOf(sb) }, (_, j) => (j + 1) * 10000);
        const a = f64(aData, sa);
        const b = f64(bData, sb);
        const sum = tf.add(a, b);
        const diff = tf.sub(a, b);
        expect([...sum.shape]).toEqual(expectedShape);
        expect([...diff.shape]).toEqual(expectedShape);
        expect(sum.dtype).toBe('float64');
        const wantSum: number[] = [];
        const wantDiff: number[] = [];
        for (let k = 0; k < sizeOf(expectedShape!); k++) {
          const idx = unravel(k, expectedShape!);
          const av = aData[broadcastSource(idx, sa)]!;
          const bv = bData[broadcastSource(idx, sb)]!;
          wantSum.push(av + bv);
          wantDiff.push(av - bv);
        }
        expect(values(sum)).toEqual(wantSum);
        expect(values(diff)).toEqual(wantDiff);
      }),
      RUNS,
    );
  });

  it('broadcasting is symmetric in shape: add(a, b) and add(b, a) agree', () => {
    fc.assert(
      fc.property(compatiblePair, ([sa, sb]) => {
        const a = f64(
          Array.from({ length: sizeOf(sa) }, (_, i) => i * 3 - 7),
          sa,
        );
        const b = f64(
          Array.from({ length: sizeOf(sb) }, (_, i) => i * 5 + 1),
          sb,
        );
        const ab = tf.add(a, b);
        const ba = tf.add(b, a);
        expect([...ab.shape]).toEqual([...ba.shape]);
        expect(values(ab)).toEqual(values(ba));
      }),
      RUNS,
    );
  });

  it('incompatible shapes throw a RangeError naming the op and both shapes', () => {
    fc.assert(
      fc.property(incompatiblePair, ([sa, sb]) => {
        expect(numpyBroadcast(sa, sb)).toBeNull();
        const a = tf.zeros(sa, 'float64');
        const b = tf.zeros(sb, 'float64');
        let error: unknown;
        try {
          tf.add(a, b);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(RangeError);
        const message = (error as Error).message;
        expect(message).toMatch(/^add\b/);
        expect(message).toContain(`[${sa.join(',')}]`);
        expect(message).toContain(`[${sb.join(',')}]`);
      }),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------- (c) dtype promotion

const DTYPES: DType[] = ['bool', 'int32', 'float32', 'float64'];
const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

function promoted(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

function sample(dtype: DType): tf.Tensor {
  if (dtype === 'bool') return tf.tensor([true, false, true]);
  return tf.tensor([3, 1, 2], { dtype });
}

describe('dtype promotion', () => {
  for (const da of DTYPES) {
    for (const db of DTYPES) {
      const p = promoted(da, db);
      // Documented in src/ops/binary.ts: arithmetic on two bools gives int32 ('arithmetic' rule);
      // maximum/minimum keep the promoted dtype; div is true division (int/bool -> float32).
      const arithmetic: DType = p === 'bool' ? 'int32' : p;
      const division: DType = p === 'float64' ? 'float64' : 'float32';
      it(`${da} with ${db}: add/mul -> ${arithmetic}, maximum -> ${p}, div -> ${division}, comparisons -> bool`, () => {
        const a = sample(da);
        const b = sample(db);
        expect(tf.add(a, b).dtype).toBe(arithmetic);
        expect(tf.mul(a, b).dtype).toBe(arithmetic);
        expect(tf.maximum(a, b).dtype).toBe(p);
        expect(tf.minimum(a, b).dtype).toBe(p);
        expect(tf.div(a, b).dtype).toBe(division);
        for (const cmp of [tf.equal, tf.notEqual, tf.less, tf.lessEqual, tf.greater, tf.greaterEqual]) {
          expect(cmp(a, b).dtype).toBe('bool');
        }
        // Values are computed in the promoted type: [3,1,2] or [1,0,1] elementwise.
        const av = values(a);
        const bv = values(b);
        expect(values(tf.add(a, b))).toEqual(av.map((v, i) => v + bv[i]!));
        expect(values(tf.mul(a, b))).toEqual(av.map((v, i) => v * bv[i]!));
        expect(values(tf.maximum(a, b))).toEqual(av.map((v, i) => Math.max(v, bv[i]!)));
        expect(values(tf.less(a, b))).toEqual(av.map((v, i) => (v < bv[i]! ? 1 : 0)));
      });
    }
  }

  it('int32 / int32 is true division in float32', () => {
    const q = tf.div(tf.tensor([7, -7], { dtype: 'int32' }), tf.tensor([2, 2], { dtype: 'int32' }));
    expect(q.dtype).toBe('float32');
    expect(values(q)).toEqual([3.5, -3.5]);
    expect(tf.div(tf.tensor([1], { dtype: 'int32' }), 2).dtype).toBe('float32');
  });

  it('a JS number takes the tensor dtype (fractional next to an integer tensor gives float32)', () => {
    const i = tf.tensor([1, 2], { dtype: 'int32' });
    expect(tf.add(i, 2).dtype).toBe('int32');
    expect(values(tf.add(i, 2))).toEqual([3, 4]);
    expect(tf.add(2, i).dtype).toBe('int32');
    expect(i.mul(3).dtype).toBe('int32');
    const half = tf.add(i, 0.5);
    expect(half.dtype).toBe('float32');
    expect(values(half)).toEqual([1.5, 2.5]);
    expect(tf.mul(0.5, i).dtype).toBe('float32');

    const d = tf.tensor([1, 2], { dtype: 'float64' });
    expect(tf.add(d, 1).dtype).toBe('float64');
    expect(tf.add(1, d).dtype).toBe('float64');
    expect(d.mul(0.1).dtype).toBe('float64');
    expect(values(d.mul(0.1))).toEqual([0.1, 0.2]);

    const s = tf.tensor([1, 2]);
    expect(s.dtype).toBe('float32');
    expect(tf.add(s, 1).dtype).toBe('float32');

    const b = tf.tensor([true, false]);
    expect(tf.add(b, 2).dtype).toBe('int32');
    expect(values(tf.add(b, 2))).toEqual([3, 2]);
    expect(tf.add(b, 0.5).dtype).toBe('float32');

    expect(tf.less(i, 1.5).dtype).toBe('bool');
    expect(values(tf.less(i, 1.5))).toEqual([1, 0]);
  });

  it('a JS array next to a tensor follows the same rule', () => {
    const i = tf.tensor([1, 2], { dtype: 'int32' });
    expect(tf.add(i, [1, 2]).dtype).toBe('int32');
    expect(tf.add(i, [0.5, 1]).dtype).toBe('float32');
    expect(tf.add(tf.tensor([1, 2], { dtype: 'float64' }), [1, 2]).dtype).toBe('float64');
  });

  it('two plain numbers give float32', () => {
    expect(tf.add(2, 3).dtype).toBe('float32');
    expect(tf.multiply(5, tf.add(2, 3)).numpy()).toBe(25);
  });
});

// ---------------------------------------------------------------- (d) views

const shapeAndData = fc
  .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 })
  .map((shape) => ({ shape, data: Array.from({ length: sizeOf(shape) }, (_, i) => i * 7 - 50) }));

describe('reshape / transpose / slice views (property)', () => {
  it('transpose(perm) matches reference indexing, and transpose(inverse) gives the original back', () => {
    fc.assert(
      fc.property(
        shapeAndData.chain((sd) => fc.tuple(fc.constant(sd), permutationOf(sd.shape.length))),
        ([{ shape, data }, perm]) => {
          const x = f64(data, shape);
          const t = tf.transpose(x, perm);
          expect([...t.shape]).toEqual(perm.map((p) => shape[p]!));
          expect(values(t)).toEqual(transposeReference(data, shape, perm));
          const inverse = new Array<number>(perm.length);
          perm.forEach((p, i) => {
            inverse[p] = i;
          });
          const back = tf.transpose(t, inverse);
          expect([...back.shape]).toEqual(shape);
          expect(values(back)).toEqual(data);
        },
      ),
      RUNS,
    );
  });

  it('reshape of a (possibly transposed) tensor keeps row-major order', () => {
    fc.assert(
      fc.property(
        shapeAndData.chain((sd) => fc.tuple(fc.constant(sd), permutationOf(sd.shape.length))),
        ([{ shape, data }, perm]) => {
          const t = tf.transpose(f64(data, shape), perm);
          const flat = tf.reshape(t, [-1]);
          expect([...flat.shape]).toEqual([sizeOf(shape)]);
          expect(values(flat)).toEqual(transposeReference(data, shape, perm));
          const back = tf.reshape(flat, [...t.shape]);
          expect(values(back)).toEqual(values(t));
        },
      ),
      RUNS,
    );
  });

  it('slice(begin, size, steps) matches reference indexing', () => {
    fc.assert(
      fc.property(
        shapeAndData.chain((sd) => fc.tuple(fc.constant(sd), sliceOf(sd.shape))),
        ([{ shape, data }, spec]) => {
          const x = f64(data, shape);
          const s = tf.slice(x, spec.begin, spec.size, spec.steps);
          const want = sliceReference(data, shape, spec);
          expect([...s.shape]).toEqual(want.shape);
          expect(values(s)).toEqual(want.data);
        },
      ),
      RUNS,
    );
  });

  it('ops on non-contiguous views (transposed, sliced, flipped, broadcast) equal the same ops on contiguous copies', () => {
    const viewCase = shapeAndData.chain((sd) =>
      fc.tuple(
        fc.constant(sd),
        permutationOf(sd.shape.length),
        sliceOf(sd.shape),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
      ),
    );
    fc.assert(
      fc.property(viewCase, ([{ shape, data }, perm, spec, flipIt, copies]) => {
        const x = f64(data, shape);
        let v = tf.slice(x, spec.begin, spec.size, spec.steps);
        v = tf.transpose(v, perm);
        if (flipIt) v = tf.flip(v, 0);
        // A broadcast view (stride 0 along the new leading axis).
        const bshape = [copies, ...v.shape];
        const bv = tf.broadcastTo(tf.expandDims(v, 0), bshape);
        for (const view of [v, bv]) {
          const c = copyOf(view);
          expect([...c.shape]).toEqual([...view.shape]);
          const same = (f: (t: tf.Tensor) => tf.Tensor) => {
            const got = f(view);
            const want = f(c);
            expect([...got.shape]).toEqual([...want.shape]);
            expect(got.dtype).toBe(want.dtype);
            expect(values(got)).toEqual(values(want));
          };
          same((t) => tf.add(t, 1));
          same((t) => tf.mul(t, t));
          same((t) => tf.sub(t, c));
          same((t) => tf.sub(c, t));
          same((t) => tf.abs(t));
          same((t) => tf.exp(tf.mul(t, 0.01)));
          same((t) => tf.greater(t, 0));
          same((t) => tf.where(tf.greater(t, 0), t, tf.neg(t)));
          same((t) => tf.cast(t, 'int32'));
          same((t) => tf.sum(t));
          same((t) => tf.reshape(t, [-1]));
          same((t) => tf.concat([t, t], 0));
          same((t) => tf.transpose(t));
          for (let axis = 0; axis < view.rank; axis++) {
            same((t) => tf.sum(t, axis));
            same((t) => tf.cumsum(t, axis));
            if (view.size > 0) {
              same((t) => tf.max(t, axis, true));
              same((t) => tf.argmax(t, axis));
            }
          }
          if (view.rank >= 2) {
            const n = view.shape[view.rank - 1]!;
            const w = f64(
              Array.from({ length: n * 2 }, (_, i) => i - 3),
              [n, 2],
            );
            same((t) => tf.matmul(t, w));
          }
        }
      }),
      RUNS,
    );
  });

  it('a view shares storage with its base, and a Variable assignment does not leak into earlier views', () => {
    const base = tf.variable(
      f64(
        Array.from({ length: 6 }, (_, i) => i),
        [2, 3],
      ),
    );
    const t = tf.transpose(base);
    const s = tf.slice(base, [0, 1], [2, 2]);
    base.assign(tf.zeros([2, 3], 'float64'));
    expect(values(t)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(values(s)).toEqual([1, 2, 4, 5]);
  });
});

describe('JS arrays beside float64 tensors', () => {
  it('keep float64 precision (no detour through float32)', () => {
    const x = tf.tensor([0], { dtype: 'float64' });
    expect(tf.add(x, [0.1]).dataSync()[0]).toBe(0.1);
    expect(x.add([[0.1]]).dtype).toBe('float64');
  });
});
