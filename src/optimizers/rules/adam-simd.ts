/**
 * Adam's common float32 case (PyTorch's form, no amsgrad, no weight decay) as a WebAssembly SIMD loop:
 * four lanes of f32 per instruction, about 2.5x the scalar JS loop. The module is assembled below from
 * its instructions (no binary blob, nothing fetched) and used only where WebAssembly SIMD validates;
 * otherwise `adamF32` returns false and the caller runs the JS loop (also with TAPEFLOW_NO_SIMD=1 set).
 *
 * The arrays live in the JS heap, so the kernel works on a fixed scratch area of wasm memory: for each
 * chunk of CHUNK elements it copies p, g, m, v in (TypedArray.set, a memcpy), runs
 *   m = b1 m + c1 g;  v = b2 v + c2 g g;  p = p - stepSize * (m / (sqrt(v) * rootInv + eps))
 * in float32 arithmetic, as PyTorch's float32 kernels do, and copies p, m, v out. The scratch never
 * grows, so no view is ever detached. Lanes past the end of a chunk compute on stale scratch values and
 * are never copied out.
 */

import { getBackend } from '../../backend/index.js';
import { addon, type NativeAddon } from '../../backend/native/addon.js';

const CHUNK = 16384;
const P = 0;
const G = CHUNK * 4;
const M = CHUNK * 8;
const V = CHUNK * 12;
const PAGES = (CHUNK * 16) / 65536;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, bytes: number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

/** The module's bytes: one function `adam(n, b1, b2, c1, c2, stepSize, rootInv, eps)` and memory `mem`. */
function assemble(): Uint8Array {
  const I32 = 0x7f;
  const F32 = 0x7d;
  const V128 = 0x7b;
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const load = (offset: number) => [...simd(0x00), 4, ...uleb(offset)]; // v128.load align=16
  const store = (offset: number) => [...simd(0x0b), 4, ...uleb(offset)]; // v128.store align=16
  const [splat, sqrt, add, sub, mul, div] = [0x13, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7].map(simd) as number[][];
  const get = (i: number) => [0x20, ...uleb(i)];
  const set = (i: number) => [0x21, ...uleb(i)];
  const tee = (i: number) => [0x22, ...uleb(i)];
  const i32 = (k: number) => [0x41, ...uleb(k)]; // small non-negative constants only
  // params: 0 n, 1 b1, 2 b2, 3 c1, 4 c2, 5 stepSize, 6 rootInv, 7 eps
  // locals: 8 i (byte offset), 9..15 the splatted params, 16 g, 17 m, 18 v
  const body: number[] = [];
  const emit = (...parts: number[][]) => {
    for (const p of parts) body.push(...p);
  };
  for (let k = 1; k <= 7; k++) emit(get(k), splat!, set(8 + k));
  emit(get(0), i32(4), [0x6c], set(0)); // n = n * 4 (bytes)
  emit(i32(0), set(8));
  emit([0x02, 0x40]); // block
  emit(get(0), [0x45], [0x0d, 0]); // if n == 0: break
  emit([0x03, 0x40]); // loop
  emit(get(8), load(G), set(16));
  emit(get(8), get(8), load(M), get(9), mul!, get(16), get(11), mul!, add!, tee(17), store(M));
  emit(
    get(8),
    get(8),
    load(V),
    get(10),
    mul!,
    get(16),
    get(16),
    mul!,
    get(12),
    mul!,
    add!,
    tee(18),
    store(V),
  );
  emit(
    get(8),
    get(8),
    load(P),
    get(13),
    get(17),
    get(18),
    sqrt!,
    get(14),
    mul!,
    get(15),
    add!,
    div!,
    mul!,
    sub!,
    store(P),
  );
  emit(get(8), i32(16), [0x6a], tee(8), get(0), [0x49], [0x0d, 0]); // i += 16; continue while i < n
  emit([0x0b], [0x0b], [0x0b]); // end loop, block, function
  const code = [
    ...vec([
      [...uleb(1), I32],
      [...uleb(10), V128],
    ]),
    ...body,
  ];
  const type = [0x60, ...vec([[I32], [F32], [F32], [F32], [F32], [F32], [F32], [F32]]), ...vec([])];
  const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(5, vec([[0x00, ...uleb(PAGES)]])),
    ...section(
      7,
      vec([
        [...name('adam'), 0x00, 0],
        [...name('mem'), 0x02, 0],
      ]),
    ),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

type Kernel = (
  n: number,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  ss: number,
  ri: number,
  eps: number,
) => void;

let kernel: Kernel | null | undefined;
let heap: Float32Array;

/** The part of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

function load(): Kernel | null {
  try {
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    const env = (globalThis as unknown as { process?: { env: Record<string, string | undefined> } }).process
      ?.env;
    if (wasm === undefined || env?.TAPEFLOW_NO_SIMD) return null;
    const bytes = assemble();
    if (!wasm.validate(bytes)) return null;
    const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
    heap = new Float32Array((exports.mem as { buffer: ArrayBuffer }).buffer);
    return exports.adam as Kernel;
  } catch {
    return null;
  }
}

/** Below this many elements the copies cost more than the scalar loop saves. */
export const SIMD_MIN = 256;

/**
 * Runs the Adam step on float32 arrays (dst may be src); returns false when WebAssembly SIMD is not
 * available, without touching anything.
 */
/** On the native backend the addon runs the same float32 loop on the arrays themselves (no copies). */
function nativeAdam(): NativeAddon['adam'] | null {
  return addon !== null && getBackend() === 'native' ? addon.adam : null;
}

export function adamF32(
  src: Float32Array,
  dst: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  b1: number,
  b2: number,
  c1: number,
  c2: number,
  stepSize: number,
  rootInv: number,
  eps: number,
): boolean {
  const native = nativeAdam();
  if (native !== null) {
    native(src, dst, g, m, v, b1, b2, c1, c2, stepSize, rootInv, eps);
    return true;
  }
  if (kernel === undefined) kernel = load();
  if (kernel === null) return false;
  const run = kernel;
  const h = heap;
  const n = dst.length;
  for (let off = 0; off < n; off += CHUNK) {
    const end = Math.min(n, off + CHUNK);
    const len = end - off;
    h.set(src.subarray(off, end), P / 4);
    h.set(g.subarray(off, end), G / 4);
    h.set(m.subarray(off, end), M / 4);
    h.set(v.subarray(off, end), V / 4);
    run(len, b1, b2, c1, c2, stepSize, rootInv, eps);
    dst.set(h.subarray(P / 4, P / 4 + len), off);
    m.set(h.subarray(M / 4, M / 4 + len), off);
    v.set(h.subarray(V / 4, V / 4 + len), off);
  }
  return true;
}
