/**
 * Seeded pseudo-random numbers for tapeflow.
 *
 * Core generator: **Philox4x32-10** (Salmon, Moraes, Dror & Shaw, "Parallel random numbers: as easy
 * as 1, 2, 3", SC 2011), the counter-based generator used by TensorFlow, JAX and cuRAND. It is a
 * keyed bijection on a 128-bit counter: each call encrypts the counter (four 32-bit words) under a
 * 64-bit key with 10 rounds of
 *
 *   (hi0, lo0) = M0 * c0,   (hi1, lo1) = M1 * c2          (32 x 32 -> 64-bit products)
 *   c = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]
 *   k0 += W0, k1 += W1                                    (between rounds)
 *
 * with M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85, producing four
 * 32-bit outputs per counter value. It passes BigCrush, and reproduces the Random123 known-answer
 * vectors (see {@link philox4x32_10}).
 *
 * Stream layout: a {@link RandomGenerator} keeps the key fixed (derived from the seed) and walks
 * the counter 0, 1, 2, ... (128-bit, little-endian word order), handing out the four words of each
 * block in order. A stream therefore has period 2^130 words.
 *
 * Seeding: a non-negative safe integer seed `s` (0 <= s < 2^53) maps directly onto the key,
 * `k0 = s mod 2^32`, `k1 = floor(s / 2^32)`, so seed 0 is key (0, 0). Any other finite number
 * (negative, fractional, or beyond 2^53) is hashed deterministically from its IEEE-754 bit
 * pattern into a key with the high bit of k1 set (so it never collides with a safe-integer seed).
 * `-0` counts as 0. Non-finite seeds throw.
 *
 * Arithmetic: everything runs on 32-bit integers (`Math.imul`, `>>>`); the high word of a
 * 32 x 32 -> 64-bit product is assembled from 16-bit halves so no intermediate exceeds 2^53.
 */
import { noteUntraceable } from '../tensor/recording.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const M0_LO = M0 & 0xffff;
const M0_HI = M0 >>> 16;
const M1_LO = M1 & 0xffff;
const M1_HI = M1 >>> 16;

const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M53 = 1 / 9007199254740992;
const TWO_PI = 2 * Math.PI;

/**
 * High 32 bits of the 64-bit product of `a` (a 32-bit word) and the constant (mHi << 16 | mLo),
 * returned as an int32 bit pattern.
 */
function mulhi(a: number, mHi: number, mLo: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const ll = aLo * mLo; // < 2^32, exact
  const hl = aHi * mLo;
  const lh = aLo * mHi;
  const mid = (ll >>> 16) + (hl & 0xffff) + (lh & 0xffff); // < 3 * 2^16
  return (aHi * mHi + (hl >>> 16) + (lh >>> 16) + (mid >>> 16)) | 0;
}

/**
 * Runs Philox4x32-10 on counter words `c0..c3` and key `k0, k1`, writing the four output words to
 * `out[0..3]`. Words are carried as int32 bit patterns throughout: V8 keeps those in registers as
 * small integers, which measured ~30% faster than uint32 values (which overflow into doubles).
 */
function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Int32Array,
): void {
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    const hi0 = mulhi(c0, M0_HI, M0_LO);
    const lo0 = Math.imul(c0, M0);
    const hi1 = mulhi(c2, M1_HI, M1_LO);
    const lo1 = Math.imul(c2, M1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/**
 * The raw Philox4x32-10 bijection: encrypts a 4-word counter under a 2-word key and returns the
 * four output words (uint32). Exposed for known-answer tests and for counter-based use.
 */
export function philox4x32_10(counter: ArrayLike<number>, key: ArrayLike<number>): Uint32Array {
  if (counter.length !== 4 || key.length !== 2) {
    throw new RangeError('philox4x32_10: counter must have 4 words and key 2 words');
  }
  const out = new Int32Array(4);
  philoxBlock(
    counter[0]! | 0,
    counter[1]! | 0,
    counter[2]! | 0,
    counter[3]! | 0,
    key[0]! | 0,
    key[1]! | 0,
    out,
  );
  return new Uint32Array(out.buffer);
}

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const seedView = new DataView(new ArrayBuffer(8));

/** Maps a finite seed onto a 64-bit Philox key (see the file header). */
function seedToKey(seed: number): [number, number] {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new RangeError(`RandomGenerator: seed must be a finite number, got ${String(seed)}`);
  }
  if (Number.isSafeInteger(seed) && seed >= 0) {
    return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
  }
  seedView.setFloat64(0, seed, true);
  const lo = seedView.getUint32(0, true);
  const hi = seedView.getUint32(4, true);
  // Two rounds of mixing so both key words depend on all 64 bits of the pattern.
  const a = fmix32(lo ^ fmix32(hi ^ 0x5bd1e995));
  const b = fmix32(hi ^ fmix32(a ^ 0x27d4eb2f));
  return [a, (b | 0x80000000) >>> 0];
}

/**
 * A seeded, deterministic pseudo-random generator (Philox4x32-10; see the file header).
 * Same seed, same sequence, on every platform.
 */
export class RandomGenerator {
  // Key and counter words are stored as int32 bit patterns (see philoxBlock).
  private k0 = 0;
  private k1 = 0;
  // 128-bit block counter of the next block to generate, little-endian words.
  private c0 = 0;
  private c1 = 0;
  private c2 = 0;
  private c3 = 0;
  private readonly buf = new Int32Array(4);
  /** Index of the next unread word in `buf`; 4 means the buffer is exhausted. */
  private pos = 4;
  // Scratch outputs of standardNormalPair (fields avoid allocating a pair per call).
  private z0 = 0;
  private z1 = 0;

  /** `seed`: any finite number; non-negative safe integers map straight onto the key. */
  constructor(seed: number) {
    const [k0, k1] = seedToKey(seed);
    this.k0 = k0 | 0;
    this.k1 = k1 | 0;
  }

  private refill(): void {
    noteUntraceable('random numbers were drawn');
    philoxBlock(this.c0, this.c1, this.c2, this.c3, this.k0, this.k1, this.buf);
    // 128-bit increment with carry.
    this.c0 = (this.c0 + 1) | 0;
    if (this.c0 === 0) {
      this.c1 = (this.c1 + 1) | 0;
      if (this.c1 === 0) {
        this.c2 = (this.c2 + 1) | 0;
        if (this.c2 === 0) this.c3 = (this.c3 + 1) | 0;
      }
    }
    this.pos = 0;
  }

  /** Next uniformly distributed 32-bit unsigned integer, in [0, 2^32). */
  nextUint32(): number {
    if (this.pos === 4) this.refill();
    return this.buf[this.pos++]! >>> 0;
  }

  /** Uniform in [0, 1) with 53 random bits (every multiple of 2^-53 equally likely). */
  nextFloat64(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Uniform in [0, 1) with 24 random bits; exactly representable as a float32. */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) * TWO_POW_M24;
  }

  /** Uniform integer in [0, bound) for an integer 1 <= bound <= 2^32, unbiased by rejection. */
  private uniformBelow(bound: number): number {
    if (bound === TWO_POW_32) return this.nextUint32();
    // Accept only draws below the largest multiple of `bound` that fits in 32 bits.
    const limit = TWO_POW_32 - (TWO_POW_32 % bound);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % bound;
  }

  /**
   * Fills `out` with values uniform in [low, high). For a Float32Array the bound holds for the
   * stored float32 values: draws that round up to float32(high) are redrawn. `low === high` (or a
   * range narrower than one float32 step) fills with that value.
   */
  fillUniform(out: Float32Array | Float64Array, low: number, high: number): void {
    if (!Number.isFinite(low) || !Number.isFinite(high) || !(low <= high)) {
      throw new RangeError(`fillUniform: need finite low <= high, got low=${low}, high=${high}`);
    }
    const range = high - low;
    if (!Number.isFinite(range)) {
      throw new RangeError(`fillUniform: range high - low overflows (low=${low}, high=${high})`);
    }
    const n = out.length;
    if (out instanceof Float32Array) {
      const lo32 = Math.fround(low);
      const hi32 = Math.fround(high);
      if (lo32 >= hi32) {
        out.fill(lo32);
        return;
      }
      for (let i = 0; i < n; i++) {
        let v: number;
        do v = Math.fround(low + range * this.nextFloat32());
        while (v >= hi32);
        out[i] = v;
      }
    } else {
      if (range === 0) {
        out.fill(low);
        return;
      }
      for (let i = 0; i < n; i++) {
        let v: number;
        do v = low + range * this.nextFloat64();
        while (v >= high);
        out[i] = v;
      }
    }
  }

  /**
   * Draws two independent standard normals into `z0`, `z1` by the Box-Muller transform on two
   * 53-bit uniforms. The radius uses 1 - U with U in [0, 1), so its logarithm is never log(0)
   * (largest possible |z| is about 8.57).
   */
  private standardNormalPair(): void {
    const u1 = 1 - this.nextFloat64(); // (0, 1]
    const u2 = this.nextFloat64();
    const r = Math.sqrt(-2 * Math.log(u1));
    const t = TWO_PI * u2;
    this.z0 = r * Math.cos(t);
    this.z1 = r * Math.sin(t);
  }

  /** Fills `out` with normal samples N(mean, std^2) (Box-Muller, both outputs of each pair used). */
  fillNormal(out: Float32Array | Float64Array, mean: number, std: number): void {
    checkNormalParams('fillNormal', mean, std);
    // Pairs fill consecutive slots; an odd count drops the second output of the last pair.
    const n = out.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      this.standardNormalPair();
      out[i] = mean + std * this.z0;
      out[i + 1] = mean + std * this.z1;
    }
    if (i < n) {
      this.standardNormalPair();
      out[i] = mean + std * this.z0;
    }
  }

  /**
   * Fills `out` with samples of N(mean, std^2) truncated to (mean - 2 std, mean + 2 std): standard
   * normals with |z| >= 2 are discarded and redrawn, as TensorFlow's `truncated_normal` does. Both
   * Box-Muller outputs are used.
   */
  fillTruncatedNormal(out: Float32Array | Float64Array, mean: number, std: number): void {
    checkNormalParams('fillTruncatedNormal', mean, std);
    const n = out.length;
    let i = 0;
    while (i < n) {
      this.standardNormalPair();
      const z0 = this.z0;
      const z1 = this.z1;
      if (z0 > -2 && z0 < 2) out[i++] = mean + std * z0;
      if (i < n && z1 > -2 && z1 < 2) out[i++] = mean + std * z1;
    }
  }

  /**
   * Fills `out` with integers uniform in [low, high) (both integers, -2^31 <= low < high <= 2^31),
   * unbiased: raw 32-bit draws beyond the last whole multiple of the range are rejected.
   */
  fillRandint(out: Int32Array, low: number, high: number): void {
    if (!Number.isInteger(low) || !Number.isInteger(high) || low >= high) {
      throw new RangeError(`fillRandint: need integers low < high, got low=${low}, high=${high}`);
    }
    if (low < -2147483648 || high > 2147483648) {
      throw new RangeError(`fillRandint: [${low}, ${high}) does not fit in int32`);
    }
    const range = high - low;
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = low + this.uniformBelow(range);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates shuffle). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 2147483647) {
      throw new RangeError(`permutation: n must be an integer in [0, 2^31), got ${n}`);
    }
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.uniformBelow(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /**
   * A new generator on an independent stream, derived deterministically: its 64-bit key is two
   * words drawn from this generator (so this generator advances, and successive forks differ),
   * mixed once more so the child key is not a raw output of the parent's stream. Its counter
   * starts at zero.
   */
  fork(): RandomGenerator {
    const a = this.nextUint32();
    const b = this.nextUint32();
    const child = new RandomGenerator(0);
    child.k0 = fmix32(a ^ 0x2545f491) | 0;
    child.k1 = fmix32(b ^ fmix32(a)) | 0;
    return child;
  }
}

function checkNormalParams(name: string, mean: number, std: number): void {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new RangeError(`${name}: need finite mean and finite std >= 0, got mean=${mean}, std=${std}`);
  }
}
