/**
 * The binary weights of the TensorFlow.js layers format: a manifest (`[{ paths, weights: [{ name,
 * shape, dtype, group? }] }]`) and shard files holding the weights' bytes back to back, little-endian,
 * in manifest order, cut into shards of at most `shardBytes` (tfjs: 4 MiB; a weight may span two shards).
 * dtypes: float32 and int32 (4 bytes), bool (1 byte), and float64 (8 bytes, a tapeflow extension that
 * tfjs cannot read). Reading also takes tfjs-converter's quantized weights (uint8, uint16, float16).
 */
import type { DType, TypedArray } from '../../backend/dtype.js';
import type { Variable } from '../../ops/variable.js';
import { ModelFileError } from './errors.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** 'optimizer' marks the optimizer's weights (tfjs's convention). */
  group?: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** A named array of values, as written to or read from the shards. */
export interface NamedArray {
  name: string;
  shape: number[];
  dtype: DType;
  data: TypedArray;
  group?: string;
}

/** tfjs's default shard size. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

const BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1, float64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The bytes of a typed array, little-endian. */
function toLittleEndian(data: TypedArray): Uint8Array {
  if (LITTLE_ENDIAN || data instanceof Uint8Array) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float32Array) view.setFloat32(i * 4, data[i]!, true);
    else if (data instanceof Float64Array) view.setFloat64(i * 8, data[i]!, true);
    else view.setInt32(i * 4, data[i]!, true);
  }
  return out;
}

/** Values of `dtype` from little-endian bytes (copied into a fresh, aligned array). */
export function fromLittleEndian(bytes: Uint8Array, dtype: DType, count: number): TypedArray {
  const copy = bytes.slice(0, count * BYTES[dtype]);
  if (dtype === 'bool') {
    for (let i = 0; i < copy.length; i++) copy[i] = copy[i] ? 1 : 0;
    return copy;
  }
  if (LITTLE_ENDIAN) {
    if (dtype === 'float32') return new Float32Array(copy.buffer, 0, count);
    if (dtype === 'float64') return new Float64Array(copy.buffer, 0, count);
    return new Int32Array(copy.buffer, 0, count);
  }
  const view = new DataView(copy.buffer);
  const out =
    dtype === 'float32'
      ? new Float32Array(count)
      : dtype === 'float64'
        ? new Float64Array(count)
        : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    if (dtype === 'float32') out[i] = view.getFloat32(i * 4, true);
    else if (dtype === 'float64') out[i] = view.getFloat64(i * 8, true);
    else out[i] = view.getInt32(i * 4, true);
  }
  return out;
}

/**
 * The manifest and shards for named arrays: one group, shards named `group1-shard{i}of{n}.bin`, the
 * weights in the order given.
 */
export function encodeWeights(
  arrays: readonly NamedArray[],
  shardBytes = DEFAULT_SHARD_BYTES,
): { manifest: ManifestGroup[]; shards: { name: string; bytes: Uint8Array }[]; totalBytes: number } {
  if (!Number.isInteger(shardBytes) || shardBytes < 1) {
    throw new RangeError(`shardSizeBytes must be a positive integer, got ${String(shardBytes)}`);
  }
  const parts = arrays.map((a) => toLittleEndian(a.data));
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const shards = Array.from({ length: count }, (_, i) => ({
    name: `group1-shard${i + 1}of${count}.bin`,
    bytes: all.subarray(i * shardBytes, Math.min(total, (i + 1) * shardBytes)),
  }));
  const weights = arrays.map((a): WeightSpec => {
    const spec: WeightSpec = { name: a.name, shape: [...a.shape], dtype: a.dtype };
    if (a.group !== undefined) spec.group = a.group;
    return spec;
  });
  return { manifest: [{ paths: shards.map((s) => s.name), weights }], shards, totalBytes: total };
}

/** Bytes a spec takes in the shards. */
function specBytes(spec: WeightSpec): number {
  const per = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype]! : BYTES[spec.dtype as DType];
  return sizeOf(spec.shape) * per;
}

/** A shard path from a manifest: relative, inside the model's directory (no '..', no absolute path or URL). */
function checkShardPath(file: string, where: string, path: unknown): string {
  if (typeof path !== 'string' || path === '') {
    throw new ModelFileError(file, `${where} must be a file name, got ${JSON.stringify(path)}`);
  }
  const segments = path.split(/[\\/]/);
  if (
    path.startsWith('/') ||
    path.startsWith('\\') ||
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) ||
    segments.some((s) => s === '..' || s === '')
  ) {
    throw new ModelFileError(
      file,
      `${where} = ${JSON.stringify(path)}: shard paths must be relative to the model's directory and stay inside it`,
    );
  }
  return path;
}

/** Checks the structure of a weights manifest (every field, shape and dtype) and returns it typed. */
export function checkManifest(manifest: unknown, file: string, where = 'weightsManifest'): ManifestGroup[] {
  if (!Array.isArray(manifest)) {
    throw new ModelFileError(
      file,
      `${where} must be an array of { paths, weights } groups, got ${describe(manifest)}`,
    );
  }
  const names = new Map<string, string>();
  return manifest.map((group, g) => {
    const at = `${where}[${g}]`;
    if (typeof group !== 'object' || group === null) {
      throw new ModelFileError(file, `${at} must be an object { paths, weights }, got ${describe(group)}`);
    }
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths))
      throw new ModelFileError(file, `${at}.paths must be an array of shard file names`);
    if (!Array.isArray(weights))
      throw new ModelFileError(file, `${at}.weights must be an array of weight specs`);
    const checkedPaths = paths.map((p, i) => checkShardPath(file, `${at}.paths[${i}]`, p));
    const specs = weights.map((w, i): WeightSpec => {
      const wat = `${at}.weights[${i}]`;
      if (typeof w !== 'object' || w === null) throw new ModelFileError(file, `${wat} must be an object`);
      const { name, shape, dtype, group: wg, quantization } = w as Record<string, unknown>;
      if (typeof name !== 'string' || name === '') {
        throw new ModelFileError(file, `${wat}.name must be a non-empty string, got ${describe(name)}`);
      }
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
        throw new ModelFileError(
          file,
          `${wat} ('${name}'): shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
        );
      }
      if (sizeOf(shape as number[]) > 2 ** 31) {
        throw new ModelFileError(file, `${wat} ('${name}'): shape ${JSON.stringify(shape)} is too large`);
      }
      if (dtype === 'string' || dtype === 'complex64') {
        throw new ModelFileError(file, `${wat} ('${name}'): dtype '${dtype}' is not supported by tapeflow`);
      }
      if (typeof dtype !== 'string' || !(dtype in BYTES)) {
        throw new ModelFileError(
          file,
          `${wat} ('${name}'): dtype must be one of float32, int32, bool, float64, got ${describe(dtype)}`,
        );
      }
      const key = `${wg === 'optimizer' ? 'optimizer:' : ''}${name}`;
      if (names.has(key)) {
        throw new ModelFileError(
          file,
          `${wat}: weight name '${name}' appears twice (also at ${names.get(key)})`,
        );
      }
      names.set(key, wat);
      const spec: WeightSpec = { name, shape: shape as number[], dtype };
      if (wg !== undefined && wg !== null) {
        if (typeof wg !== 'string') throw new ModelFileError(file, `${wat}.group must be a string`);
        spec.group = wg;
      }
      if (quantization !== undefined && quantization !== null) {
        const q = quantization as Record<string, unknown>;
        if (typeof q !== 'object' || !(String(q['dtype']) in QUANTIZED_BYTES)) {
          throw new ModelFileError(
            file,
            `${wat} ('${name}'): quantization dtype must be uint8, uint16 or float16, got ${JSON.stringify(quantization)}`,
          );
        }
        if (q['dtype'] !== 'float16' && (typeof q['scale'] !== 'number' || typeof q['min'] !== 'number')) {
          throw new ModelFileError(
            file,
            `${wat} ('${name}'): ${q['dtype']} quantization needs numbers scale and min`,
          );
        }
        if (dtype !== 'float32') {
          throw new ModelFileError(
            file,
            `${wat} ('${name}'): only float32 weights can be quantized, got ${dtype}`,
          );
        }
        spec.quantization = q as WeightSpec['quantization'] & object;
      }
      return spec;
    });
    return { paths: checkedPaths, weights: specs };
  });
}

/**
 * Reads every shard of every group, checks that their lengths add up to what the specs need, and
 * decodes all the arrays. `read(path)` reads one shard (a path from the manifest); `dirLabel` names the
 * directory in errors.
 */
export async function readWeights(
  manifest: readonly ManifestGroup[],
  read: (path: string) => Promise<Uint8Array>,
  label: (path: string) => string,
): Promise<NamedArray[]> {
  const out: NamedArray[] = [];
  for (const group of manifest) {
    const shards: Uint8Array[] = [];
    for (const path of group.paths) shards.push(await read(path));
    const expected = group.weights.reduce((n, s) => n + specBytes(s), 0);
    const got = shards.reduce((n, s) => n + s.byteLength, 0);
    if (got !== expected) {
      const files = group.paths.map((p, i) => `${label(p)} (${shards[i]!.byteLength} bytes)`).join(', ');
      throw new ModelFileError(
        label(group.paths[0] ?? '(no shard)'),
        `the weight shards hold ${got} bytes but the manifest's ${group.weights.length} weights need ${expected} bytes${got < expected ? ' (truncated file?)' : ''}: ${files || 'no shard files listed'}`,
      );
    }
    const all = concat(shards, got);
    let at = 0;
    for (const spec of group.weights) {
      const n = specBytes(spec);
      const bytes = all.subarray(at, at + n);
      at += n;
      const count = sizeOf(spec.shape);
      const data = spec.quantization
        ? dequantize(bytes, spec.quantization, count)
        : fromLittleEndian(bytes, spec.dtype as DType, count);
      const arr: NamedArray = { name: spec.name, shape: [...spec.shape], dtype: spec.dtype as DType, data };
      if (spec.group !== undefined) arr.group = spec.group;
      out.push(arr);
    }
  }
  return out;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const all = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return all;
}

function dequantize(
  bytes: Uint8Array,
  q: NonNullable<WeightSpec['quantization']>,
  count: number,
): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (q.dtype === 'float16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
    return out;
  }
  const scale = q.scale!;
  const min = q.min!;
  for (let i = 0; i < count; i++) {
    const v = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
    out[i] = v * scale + min;
  }
  return out;
}

/** IEEE 754 half precision to a number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json === undefined ? typeof value : json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/**
 * The names weights are saved under: the variable's name without TensorFlow's `:0` (`dense/kernel`,
 * as tfjs and Keras name them); a name that repeats gets `_1`, `_2`, ... in order.
 */
export function weightNames(vars: readonly Variable[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set<string>();
  return vars.map((v) => {
    const base = v.name.replace(/:\d+$/, '') || 'weight';
    let name = base;
    let n = seen.get(base) ?? 0;
    while (taken.has(name)) name = `${base}_${++n}`;
    seen.set(base, n);
    taken.add(name);
    return name;
  });
}

export interface Matched {
  /** For each model weight, in `model.weights` order, the array to assign. */
  values: NamedArray[];
  /** How the saved weights were matched to the model's. */
  by: 'name' | 'order';
}

/**
 * Matches saved arrays to a model's weights: by name when every model weight's name is among the saved
 * ones, else by position (subclassed models, whose layers are renamed when rebuilt). Every weight must
 * be matched, every saved array used, and shapes and dtypes must agree; anything else throws, naming the
 * file and listing what was expected.
 */
export function matchWeights(
  vars: readonly Variable[],
  saved: readonly NamedArray[],
  file: string,
  modelName: string,
): Matched {
  const names = weightNames(vars);
  const byName = new Map(saved.map((a) => [a.name, a]));
  const allNamed = names.every((n) => byName.has(n));
  let values: NamedArray[];
  let by: 'name' | 'order';
  if (allNamed && saved.length === vars.length) {
    values = names.map((n) => byName.get(n)!);
    by = 'name';
  } else if (saved.length === vars.length) {
    values = [...saved];
    by = 'order';
  } else {
    const missing = names.filter((n) => !byName.has(n));
    const extra = saved.filter((a) => !names.includes(a.name)).map((a) => a.name);
    throw new ModelFileError(
      file,
      `holds ${saved.length} weight(s) but model "${modelName}" has ${vars.length}` +
        (missing.length ? `; missing: ${missing.join(', ')}` : '') +
        (extra.length ? `; not in the model: ${extra.join(', ')}` : '') +
        `. The model expects: ${describeVars(vars, names)}`,
    );
  }
  const problems: string[] = [];
  values.forEach((a, i) => {
    const v = vars[i]!;
    const what = by === 'name' ? `'${names[i]}'` : `weight ${i} ('${names[i]}', saved as '${a.name}')`;
    if (a.shape.length !== v.shape.length || a.shape.some((d, k) => d !== v.shape[k])) {
      problems.push(`${what} has shape [${a.shape}] in the file but [${v.shape}] in the model`);
    } else if (a.dtype !== v.dtype) {
      problems.push(`${what} has dtype ${a.dtype} in the file but ${v.dtype} in the model`);
    }
  });
  if (problems.length > 0) {
    throw new ModelFileError(
      file,
      `the saved weights do not fit model "${modelName}": ${problems.join('; ')}${by === 'order' ? ' (matched by position, because the names differ)' : ''}`,
    );
  }
  return { values, by };
}

function describeVars(vars: readonly Variable[], names: readonly string[]): string {
  if (vars.length === 0) return 'no weights (is the model built?)';
  return vars.map((v, i) => `${names[i]} [${v.shape}] ${v.dtype}`).join(', ');
}
