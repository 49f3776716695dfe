/**
 * Pure-JavaScript reference matrix multiply: `C[M,N] = A[M,K] @ B[K,N]` over arbitrary element strides.
 *
 * Large products run a packed, cache-blocked algorithm (the classic "pack panels of A and B into
 * contiguous scratch, then run a register-blocked micro-kernel over cache blocks" scheme):
 *
 *   for jc in N step NC            (columns of C / B)
 *     for pc in K step KC          pack B[pc:pc+KC, jc:jc+NC] into micro-panels of NR columns
 *       for ic in M step MC        pack A[ic:ic+MC, pc:pc+KC] into micro-panels of MR rows
 *         for each NR-wide B micro-panel, for each MR-tall A micro-panel: MR x NR micro-kernel
 *
 * V8-specific notes (measured with Node 20 / TurboFan on x64; see the numbers in the PR/report):
 * - The packed scratch is ONE plain JS array of doubles (elements kind PACKED_DOUBLE_ELEMENTS), not a
 *   typed array. Element loads from such an array compile to `cmp; jae; vmovsd [elements+idx*8]`,
 *   whereas typed-array loads also re-derive the data pointer and sign-extend the index, roughly
 *   doubling the instruction count of the inner loop. A single array (A block and B panel live in
 *   disjoint regions of it) also halves the per-iteration map checks that the loop's interrupt check
 *   forces V8 to redo.
 * - Index arithmetic in the micro-kernel is written `(x + c) | 0`, which lets TurboFan drop the
 *   int32-overflow checks (indices are always far below 2^31 because the scratch is small).
 * - The micro-kernel is 3x4 (12 accumulators): TurboFan on x64 has ~15 allocatable XMM registers and
 *   schedules all products before the sums, so larger tiles spill heavily and are not faster.
 * - All accumulation happens in doubles. Float64 outputs are accumulated in place; other outputs go
 *   through a Float64 scratch block and are rounded (or wrapped, for Int32Array) exactly once.
 */
import type { TypedArray } from '../dtype.js';

/** Micro-tile rows (A micro-panel height). */
const MR = 3;
/** Micro-tile columns (B micro-panel width). */
const NR = 4;
/** Rows of A packed per cache block (a multiple of MR). ~240 KiB of doubles at KC = 256: fits L2. */
const MC = 120;
/** Depth of a cache block. A 3x256 + 256x4 pair of micro-panels is ~14 KiB: fits L1. */
const KC = 256;
/** Columns of B packed per cache block (a multiple of NR). ~2 MiB of doubles: lives in L3. */
const NC = 1024;
/** Upper bound (in doubles) on the Float64 accumulation block used for non-Float64 outputs. */
const C_SCRATCH_MAX = 1 << 20;
/**
 * Below this many multiply-adds, or for matrix-vector / outer-product shapes, use the simple strided
 * loops (measured: the packed path already wins from about 8x8x8, and loses when M or N is 1 or 2).
 */
const PACKED_MIN_WORK = 512;
const PACKED_MIN_MN = 3;
const PACKED_MIN_K = 2;

/**
 * Packed scratch shared by all calls: a plain JS array with PACKED_DOUBLE_ELEMENTS (it starts as a
 * double literal and only ever grows through `push` of numbers, so it never changes elements kind).
 */
const packed: number[] = [0.5];
/** Edge-tile staging for partial MR x NR tiles. */
const edgeTile = new Float64Array(MR * NR);
/** Float64 accumulation block for outputs that are not Float64Array. */
let cScratch = new Float64Array(0);
/** Row accumulator for the small-path axpy loop. */
let rowScratch = new Float64Array(0);

function ensurePacked(size: number): void {
  const p = packed;
  while (p.length < size) p.push(0);
}

/**
 * C[M,N] = op(A)[M,K] @ op(B)[K,N] for one matrix; strides are in elements, so transposed or strided
 * views work without copies: element A[i,k] is a[aOffset + i*aRowStride + k*aColStride] and B[k,j] is
 * b[bOffset + k*bRowStride + j*bColStride]. `out` is written contiguous row-major [M,N] starting at
 * outOffset; it is overwritten, never accumulated into. Products are accumulated in doubles and
 * stored once (rounded for Float32Array, wrapped mod 2^32 for Int32Array). `out` must not overlap
 * `a` or `b`. Not re-entrant (module-level scratch), which is fine for single-threaded JS.
 */
export function matmulInto(
  a: TypedArray,
  aOffset: number,
  aRowStride: number,
  aColStride: number,
  b: TypedArray,
  bOffset: number,
  bRowStride: number,
  bColStride: number,
  out: TypedArray,
  outOffset: number,
  M: number,
  N: number,
  K: number,
): void {
  if (M <= 0 || N <= 0) return;
  checkSpan('out', out.length, outOffset, M, N, N, 1);
  if (K <= 0) {
    out.fill(0, outOffset, outOffset + M * N);
    return;
  }
  // Validating the index ranges up front keeps out-of-range reads (undefined) from ever reaching the
  // packed double scratch, which would permanently de-optimize it.
  checkSpan('a', a.length, aOffset, M, aRowStride, K, aColStride);
  checkSpan('b', b.length, bOffset, K, bRowStride, N, bColStride);
  if (M < PACKED_MIN_MN || N < PACKED_MIN_MN || K < PACKED_MIN_K || M * N * K < PACKED_MIN_WORK) {
    matmulSimple(
      a,
      aOffset,
      aRowStride,
      aColStride,
      b,
      bOffset,
      bRowStride,
      bColStride,
      out,
      outOffset,
      M,
      N,
      K,
    );
    return;
  }
  matmulPacked(
    a,
    aOffset,
    aRowStride,
    aColStride,
    b,
    bOffset,
    bRowStride,
    bColStride,
    out,
    outOffset,
    M,
    N,
    K,
  );
}

function checkSpan(
  name: string,
  length: number,
  offset: number,
  rows: number,
  rowStride: number,
  cols: number,
  colStride: number,
): void {
  const r = (rows - 1) * rowStride;
  const c = (cols - 1) * colStride;
  const lo = offset + Math.min(r, 0) + Math.min(c, 0);
  const hi = offset + Math.max(r, 0) + Math.max(c, 0);
  if (!(lo >= 0 && hi < length) || !Number.isInteger(lo) || !Number.isInteger(hi)) {
    throw new RangeError(
      `matmulInto: ${name} view [offset ${offset}, ${rows}x${cols}, strides ${rowStride},${colStride}] ` +
        `is out of bounds for an array of length ${length}`,
    );
  }
}

/** Low-overhead strided loops for tiny products and matrix-vector / outer-product shapes. */
function matmulSimple(
  a: TypedArray,
  aOffset: number,
  aRs: number,
  aCs: number,
  b: TypedArray,
  bOffset: number,
  bRs: number,
  bCs: number,
  out: TypedArray,
  outOffset: number,
  M: number,
  N: number,
  K: number,
): void {
  if (N > 1 && Math.abs(bCs) < Math.abs(bRs)) {
    // Rows of B are the short-stride direction: out[i,:] = sum_k A[i,k] * B[k,:] (axpy form, four
    // rows of B per sweep over the row accumulator).
    if (rowScratch.length < N) rowScratch = new Float64Array(Math.max(N, rowScratch.length * 2));
    const acc = rowScratch;
    const k4 = K - (K % 4);
    let o = outOffset;
    for (let i = 0; i < M; i++) {
      acc.fill(0, 0, N);
      let ai = aOffset + i * aRs;
      let bk = bOffset;
      let k = 0;
      for (; k < k4; k += 4) {
        const a0 = a[ai];
        const a1 = a[ai + aCs];
        const a2 = a[ai + 2 * aCs];
        const a3 = a[ai + 3 * aCs];
        let b0 = bk;
        let b1 = bk + bRs;
        let b2 = b1 + bRs;
        let b3 = b2 + bRs;
        for (let j = 0; j < N; j++) {
          acc[j] += a0 * b[b0] + a1 * b[b1] + a2 * b[b2] + a3 * b[b3];
          b0 += bCs;
          b1 += bCs;
          b2 += bCs;
          b3 += bCs;
        }
        ai += 4 * aCs;
        bk += 4 * bRs;
      }
      for (; k < K; k++) {
        const aik = a[ai];
        let bi = bk;
        for (let j = 0; j < N; j++) {
          acc[j] += aik * b[bi];
          bi += bCs;
        }
        ai += aCs;
        bk += bRs;
      }
      for (let j = 0; j < N; j++) out[o++] = acc[j];
    }
    return;
  }
  // Dot form: out[i,j] = sum_k A[i,k] * B[k,j], two partial sums to shorten the add chain.
  const k2 = K - (K % 2);
  let o = outOffset;
  for (let i = 0; i < M; i++) {
    const aRow = aOffset + i * aRs;
    for (let j = 0; j < N; j++) {
      let ai = aRow;
      let bi = bOffset + j * bCs;
      let s0 = 0;
      let s1 = 0;
      let k = 0;
      for (; k < k2; k += 2) {
        s0 += a[ai] * b[bi];
        s1 += a[ai + aCs] * b[bi + bRs];
        ai += 2 * aCs;
        bi += 2 * bRs;
      }
      if (k < K) s0 += a[ai] * b[bi];
      out[o++] = s0 + s1;
    }
  }
}

function matmulPacked(
  a: TypedArray,
  aOffset: number,
  aRs: number,
  aCs: number,
  b: TypedArray,
  bOffset: number,
  bRs: number,
  bCs: number,
  out: TypedArray,
  outOffset: number,
  M: number,
  N: number,
  K: number,
): void {
  const kcMax = Math.min(KC, K);
  const direct = out instanceof Float64Array;
  // Column block width: for non-Float64 outputs the Float64 accumulation block is M x ncMax.
  let ncMax = Math.min(NC, N);
  if (!direct && M * ncMax > C_SCRATCH_MAX) {
    ncMax = Math.max(NR, Math.floor(C_SCRATCH_MAX / M / NR) * NR);
  }
  const mcMax = Math.min(MC, M);
  const aRegion = Math.ceil(mcMax / MR) * MR * kcMax;
  const bRegion = Math.ceil(ncMax / NR) * NR * kcMax;
  ensurePacked(aRegion + bRegion);
  const P = packed;
  const bBase = aRegion;

  let C: Float64Array;
  let cBase: number;
  let ldc: number;
  if (direct) {
    C = out;
    cBase = outOffset;
    ldc = N;
  } else {
    if (cScratch.length < M * ncMax) cScratch = new Float64Array(M * ncMax);
    C = cScratch;
    cBase = 0;
    ldc = ncMax;
  }

  for (let jc = 0; jc < N; jc += ncMax) {
    const nc = Math.min(ncMax, N - jc);
    // Column offset of this block inside C: the output itself, or the block-local scratch.
    const cCol = direct ? jc : 0;
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packB(b, bOffset + pc * bRs + jc * bCs, bRs, bCs, P, bBase, kc, nc);
      const accumulate = pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packA(a, aOffset + ic * aRs + pc * aCs, aRs, aCs, P, 0, mc, kc);
        for (let j0 = 0; j0 < nc; j0 += NR) {
          const nr = Math.min(NR, nc - j0);
          const bIdx = bBase + j0 * kc;
          for (let i0 = 0; i0 < mc; i0 += MR) {
            const mr = Math.min(MR, mc - i0);
            const aIdx = i0 * kc;
            const cIdx = cBase + (ic + i0) * ldc + cCol + j0;
            if (mr === MR && nr === NR) {
              kernel3x4(kc, P, aIdx, bIdx, C, cIdx, ldc, accumulate);
            } else {
              kernel3x4(kc, P, aIdx, bIdx, edgeTile, 0, NR, false);
              storeEdge(C, cIdx, ldc, mr, nr, accumulate);
            }
          }
        }
      }
    }
    if (!direct) {
      // Round / wrap once into the real output.
      for (let i = 0; i < M; i++) {
        let src = i * ldc;
        let dst = outOffset + i * N + jc;
        for (let j = 0; j < nc; j++) out[dst++] = C[src++];
      }
    }
  }
}

function storeEdge(
  C: Float64Array,
  cIdx: number,
  ldc: number,
  mr: number,
  nr: number,
  accumulate: boolean,
): void {
  const t = edgeTile;
  for (let i = 0; i < mr; i++) {
    const row = cIdx + i * ldc;
    for (let j = 0; j < nr; j++) {
      const v = t[i * NR + j];
      C[row + j] = accumulate ? C[row + j] + v : v;
    }
  }
}

/**
 * Packs A[0:mc, 0:kc] (starting at `src`) into MR-row micro-panels: for micro-panel r and depth p the
 * MR values of column p are contiguous. Rows past `mc` are zero-padded.
 */
function packA(
  a: TypedArray,
  src: number,
  rs: number,
  cs: number,
  P: number[],
  dst: number,
  mc: number,
  kc: number,
): void {
  let d = dst;
  let i0 = 0;
  for (; i0 + MR <= mc; i0 += MR) {
    let s = src + i0 * rs;
    for (let p = 0; p < kc; p++) {
      P[d] = a[s];
      P[d + 1] = a[s + rs];
      P[d + 2] = a[s + 2 * rs];
      d += MR;
      s += cs;
    }
  }
  if (i0 < mc) {
    const mr = mc - i0;
    let s = src + i0 * rs;
    for (let p = 0; p < kc; p++) {
      for (let i = 0; i < MR; i++) P[d + i] = i < mr ? a[s + i * rs] : 0;
      d += MR;
      s += cs;
    }
  }
}

/**
 * Packs B[0:kc, 0:nc] (starting at `src`) into NR-column micro-panels: for micro-panel j and depth p
 * the NR values of row p are contiguous. Columns past `nc` are zero-padded.
 */
function packB(
  b: TypedArray,
  src: number,
  rs: number,
  cs: number,
  P: number[],
  dst: number,
  kc: number,
  nc: number,
): void {
  let d = dst;
  let j0 = 0;
  for (; j0 + NR <= nc; j0 += NR) {
    let s = src + j0 * cs;
    for (let p = 0; p < kc; p++) {
      P[d] = b[s];
      P[d + 1] = b[s + cs];
      P[d + 2] = b[s + 2 * cs];
      P[d + 3] = b[s + 3 * cs];
      d += NR;
      s += rs;
    }
  }
  if (j0 < nc) {
    const nr = nc - j0;
    let s = src + j0 * cs;
    for (let p = 0; p < kc; p++) {
      for (let j = 0; j < NR; j++) P[d + j] = j < nr ? b[s + j * cs] : 0;
      d += NR;
      s += rs;
    }
  }
}

/**
 * 3x4 register-blocked micro-kernel: C[ci.., 3x4 with row stride ldc] (+)= Apanel(3 x kc) @ Bpanel(kc x 4).
 * `ai` / `bi` index the packed micro-panels inside P.
 */
function kernel3x4(
  kc: number,
  P: number[],
  ai: number,
  bi: number,
  C: Float64Array,
  ci: number,
  ldc: number,
  accumulate: boolean,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  for (let p = 0; p < kc; p = (p + 1) | 0) {
    const a0 = P[ai];
    const a1 = P[(ai + 1) | 0];
    const a2 = P[(ai + 2) | 0];
    let bv = P[bi];
    c00 += a0 * bv;
    c10 += a1 * bv;
    c20 += a2 * bv;
    bv = P[(bi + 1) | 0];
    c01 += a0 * bv;
    c11 += a1 * bv;
    c21 += a2 * bv;
    bv = P[(bi + 2) | 0];
    c02 += a0 * bv;
    c12 += a1 * bv;
    c22 += a2 * bv;
    bv = P[(bi + 3) | 0];
    c03 += a0 * bv;
    c13 += a1 * bv;
    c23 += a2 * bv;
    ai = (ai + 3) | 0;
    bi = (bi + 4) | 0;
  }
  const r1 = ci + ldc;
  const r2 = r1 + ldc;
  if (accumulate) {
    C[ci] += c00;
    C[ci + 1] += c01;
    C[ci + 2] += c02;
    C[ci + 3] += c03;
    C[r1] += c10;
    C[r1 + 1] += c11;
    C[r1 + 2] += c12;
    C[r1 + 3] += c13;
    C[r2] += c20;
    C[r2 + 1] += c21;
    C[r2 + 2] += c22;
    C[r2 + 3] += c23;
  } else {
    C[ci] = c00;
    C[ci + 1] = c01;
    C[ci + 2] = c02;
    C[ci + 3] = c03;
    C[r1] = c10;
    C[r1 + 1] = c11;
    C[r1 + 2] = c12;
    C[r1 + 3] = c13;
    C[r2] = c20;
    C[r2 + 1] = c21;
    C[r2 + 2] = c22;
    C[r2 + 3] = c23;
  }
}
