import { describe, expect, it } from 'vitest';
import { matmulInto } from '../../../src/backend/js/matmul.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor;
type Arr = Float32Array | Float64Array | Int32Array;

/** Small deterministic PRNG (mulberry32) so failures are reproducible. */
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

function randomArray(C: Ctor, n: number, rand: () => number): Arr {
  const x = new C(n);
  for (let i = 0; i < n; i++) x[i] = C === Int32Array ? Math.floor(rand() * 101) - 50 : rand() * 2 - 1;
  return x;
}

/** A strided view description: element [r, c] lives at data[offset + r*rs + c*cs]. */
interface View {
  data: Arr;
  offset: number;
  rs: number;
  cs: number;
}

type Layout = 'rowMajor' | 'transposed' | 'padded' | 'reversed' | 'broadcastRows';

/** Builds a random `rows x cols` view of the requested memory layout. */
function makeView(C: Ctor, rows: number, cols: number, layout: Layout, rand: () => number): View {
  switch (layout) {
    case 'rowMajor':
      return { data: randomArray(C, rows * cols, rand), offset: 0, rs: cols, cs: 1 };
    case 'transposed':
      // Stored as [cols, rows] row-major and viewed transposed: rowStride 1.
      return { data: randomArray(C, rows * cols, rand), offset: 0, rs: 1, cs: rows };
    case 'padded': {
      // Row pitch larger than the row, column stride 2, and a leading offset.
      const rs = 2 * cols + 3;
      const offset = 5;
      return { data: randomArray(C, offset + rows * rs + 1, rand), offset, rs, cs: 2 };
    }
    case 'reversed': {
      // Both axes walked backwards from the last element.
      const n = rows * cols;
      return { data: randomArray(C, n + 2, rand), offset: n - 1 + 1, rs: -cols, cs: -1 };
    }
    case 'broadcastRows':
      // Every row is the same stored row (rowStride 0), like a broadcast operand.
      return { data: randomArray(C, cols + 1, rand), offset: 1, rs: 0, cs: 1 };
  }
}

/** Naive triple loop in doubles: returns the exact-ish reference and sum |a||b| per element. */
function reference(
  A: View,
  B: View,
  M: number,
  N: number,
  K: number,
): { ref: Float64Array; mag: Float64Array } {
  const ref = new Float64Array(M * N);
  const mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let m = 0;
      for (let k = 0; k < K; k++) {
        const p = A.data[A.offset + i * A.rs + k * A.cs]! * B.data[B.offset + k * B.rs + j * B.cs]!;
        s += p;
        m += Math.abs(p);
      }
      ref[i * N + j] = s;
      mag[i * N + j] = m;
    }
  }
  return { ref, mag };
}

function runCase(
  C: Ctor,
  M: number,
  N: number,
  K: number,
  layoutA: Layout,
  layoutB: Layout,
  seed: number,
  OutC: Ctor = C,
): void {
  const rand = rng(seed);
  const A = makeView(C, M, K, layoutA, rand);
  const B = makeView(C, K, N, layoutB, rand);
  const outOffset = 3;
  const out = new OutC(outOffset + M * N + 2);
  out.fill(77); // garbage: the kernel must overwrite, not accumulate
  matmulInto(A.data, A.offset, A.rs, A.cs, B.data, B.offset, B.rs, B.cs, out, outOffset, M, N, K);

  const { ref, mag } = reference(A, B, M, N, K);
  const label = `${C.name}->${OutC.name} ${M}x${N}x${K} A:${layoutA} B:${layoutB}`;
  // Elements outside the output window are untouched.
  for (let i = 0; i < outOffset; i++) expect(out[i], label).toBe(77);
  expect(out[outOffset + M * N], label).toBe(77);
  expect(out[outOffset + M * N + 1], label).toBe(77);

  for (let e = 0; e < M * N; e++) {
    const got = out[outOffset + e]!;
    if (OutC === Int32Array) {
      expect(got, `${label} @${e}`).toBe(ref[e]! | 0);
    } else {
      // Accumulation is in doubles; a Float32 output adds one final rounding (2^-24 relative).
      const tol = OutC === Float32Array ? 1e-6 * mag[e]! + 1e-30 : 1e-12 * mag[e]! + 1e-300;
      const expected = OutC === Float32Array ? Math.fround(ref[e]!) : ref[e]!;
      if (Math.abs(got - expected) > tol) {
        expect.fail(`${label} @${e}: got ${got}, expected ${expected} (tol ${tol})`);
      }
    }
  }
}

const DTYPES: Ctor[] = [Float32Array, Float64Array, Int32Array];

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [3, 7, 5],
  [2, 9, 4],
  [9, 2, 4],
  [1, 40, 33],
  [40, 1, 33],
  [6, 6, 1],
  [8, 8, 8],
  [17, 13, 11],
  [65, 33, 130],
  [37, 29, 300], // K > one cache block in depth
  [5, 1030, 9], // N > one cache block in width
  [130, 5, 7], // M > one cache block in height
];

describe('matmulInto', () => {
  for (const C of DTYPES) {
    describe(C.name, () => {
      it('matches the naive triple loop on contiguous row-major inputs', () => {
        let seed = 1;
        for (const [M, N, K] of SHAPES) runCase(C, M, N, K, 'rowMajor', 'rowMajor', seed++);
      });

      it('handles transposed, padded, reversed and broadcast views', () => {
        const layouts: Layout[] = ['rowMajor', 'transposed', 'padded', 'reversed', 'broadcastRows'];
        let seed = 100;
        for (const [M, N, K] of [
          [1, 1, 1],
          [3, 7, 5],
          [65, 33, 130],
          [20, 24, 270],
        ] as const) {
          for (const la of layouts) {
            for (const lb of layouts) runCase(C, M, N, K, la, lb, seed++);
          }
        }
      });

      it('supports a broadcast B with zero row stride', () => {
        runCase(C, 65, 33, 130, 'rowMajor', 'broadcastRows', 7);
        runCase(C, 3, 7, 5, 'transposed', 'broadcastRows', 8);
      });
    });
  }

  it('writes zeros when K = 0 and nothing when M or N = 0', () => {
    for (const C of DTYPES) {
      const out = new C(2 + 12).fill(5);
      matmulInto(new C(0), 0, 0, 1, new C(0), 0, 4, 1, out, 2, 3, 4, 0);
      expect(Array.from(out)).toEqual([5, 5, ...new Array(12).fill(0)]);

      const untouched = new C(4).fill(9);
      matmulInto(new C(6), 0, 3, 1, new C(0), 0, 0, 1, untouched, 0, 2, 0, 3);
      matmulInto(new C(0), 0, 3, 1, new C(6), 0, 2, 1, untouched, 0, 0, 2, 3);
      expect(Array.from(untouched)).toEqual([9, 9, 9, 9]);
    }
  });

  it('wraps int32 results like an Int32Array store', () => {
    const a = Int32Array.from([65536, 46341, -46341, 3]);
    const b = Int32Array.from([65536, 46341, 46341, 7]);
    const out = new Int32Array(1);
    // 65536*65536 + 46341*46341 + -46341*46341 + 21 = 2^32 + 21 -> 21
    matmulInto(a, 0, 4, 1, b, 0, 1, 0, out, 0, 1, 1, 4);
    expect(out[0]).toBe(21);
    // A larger packed-path case with values whose products overflow int32.
    const rand = rng(42);
    const M = 12;
    const N = 10;
    const K = 9;
    const A = Int32Array.from({ length: M * K }, () => Math.floor(rand() * 200000) - 100000);
    const B = Int32Array.from({ length: K * N }, () => Math.floor(rand() * 200000) - 100000);
    const got = new Int32Array(M * N);
    matmulInto(A, 0, K, 1, B, 0, N, 1, got, 0, M, N, K);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0n;
        for (let k = 0; k < K; k++) s += BigInt(A[i * K + k]!) * BigInt(B[k * N + j]!);
        expect(got[i * N + j]).toBe(Number(BigInt.asIntN(32, s)));
      }
    }
  });

  it('accepts mixed input and output array types', () => {
    runCase(Float32Array, 65, 33, 130, 'rowMajor', 'transposed', 11, Float64Array);
    runCase(Float64Array, 17, 13, 300, 'rowMajor', 'rowMajor', 12, Float32Array);
    runCase(Int32Array, 17, 13, 11, 'rowMajor', 'rowMajor', 13, Float64Array);
  });

  it('rounds a Float32 output once from a double accumulation', () => {
    // 1 + 2^-30 * 512 in doubles is 1 + 2^-21 exactly; float32 accumulation would lose the small terms.
    const K = 513;
    const M = 4;
    const N = 4;
    const a = new Float32Array(M * K).fill(2 ** -30);
    const b = new Float32Array(K * N).fill(1);
    for (let i = 0; i < M; i++) a[i * K] = 1;
    const out = new Float32Array(M * N);
    matmulInto(a, 0, K, 1, b, 0, N, 1, out, 0, M, N, K);
    for (const v of out) expect(v).toBe(Math.fround(1 + 512 * 2 ** -30));
    expect(out[0]).not.toBe(1);
  });

  it('keeps working across calls of different sizes (scratch reuse)', () => {
    runCase(Float32Array, 200, 300, 260, 'rowMajor', 'rowMajor', 21);
    runCase(Float64Array, 4, 5, 6, 'rowMajor', 'rowMajor', 22);
    runCase(Float32Array, 13, 17, 19, 'transposed', 'padded', 23);
    runCase(Float64Array, 200, 300, 260, 'padded', 'transposed', 24);
  });

  it('bounds the Float64 accumulation block for tall non-Float64 outputs', () => {
    // M * N exceeds the scratch cap, so the column block shrinks; results must be unaffected.
    runCase(Float32Array, 2100, 520, 3, 'rowMajor', 'rowMajor', 31);
  });

  it('rejects views that fall outside their arrays', () => {
    const a = new Float32Array(6);
    const b = new Float32Array(6);
    const out = new Float32Array(4);
    expect(() => matmulInto(a, 0, 3, 1, b, 0, 2, 1, out, 0, 2, 2, 3)).not.toThrow();
    expect(() => matmulInto(a, 1, 3, 1, b, 0, 2, 1, out, 0, 2, 2, 3)).toThrow(RangeError);
    expect(() => matmulInto(a, 0, 3, 1, b, 0, 2, 1, out, 1, 2, 2, 3)).toThrow(RangeError);
    expect(() => matmulInto(a, 0, 3, 1, b, 0, 3, 1, out, 0, 2, 2, 3)).toThrow(RangeError);
    expect(() => matmulInto(a, 0, -3, 1, b, 0, 2, 1, out, 0, 2, 2, 3)).toThrow(RangeError);
  });
});
