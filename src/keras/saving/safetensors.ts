/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
 * `{ "__metadata__": { string: string }, name: { dtype, shape, data_offsets: [begin, end] }, ... }`
 * padded with spaces so that the data starts at a multiple of 8, then the tensors' raw little-endian
 * bytes (offsets relative to the start of the data; the data is covered without gaps or overlaps).
 */
import type { DType } from '../../backend/dtype.js';
import { ModelFileError } from './errors.js';
import { fromLittleEndian, type NamedArray } from './weights.js';

const TO_SAFETENSORS: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const FROM_SAFETENSORS: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  I32: 'int32',
  BOOL: 'bool',
};
const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, bool: 1 };
/** The safetensors specification's limit on the header. */
const MAX_HEADER = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndianBytes(a: NamedArray): Uint8Array {
  const d = a.data;
  if (LITTLE_ENDIAN || d instanceof Uint8Array) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  const out = new Uint8Array(d.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) {
    if (d instanceof Float32Array) view.setFloat32(i * 4, d[i]!, true);
    else if (d instanceof Float64Array) view.setFloat64(i * 8, d[i]!, true);
    else view.setInt32(i * 4, d[i]!, true);
  }
  return out;
}

/**
 * A safetensors file of the arrays. The data is laid out by element size, largest first (then in the
 * order given), so that every tensor starts at a multiple of its element size.
 */
export function encodeSafetensors(
  arrays: readonly NamedArray[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = new Set<string>();
  for (const a of arrays) {
    if (a.name === '__metadata__' || names.has(a.name)) {
      throw new RangeError(`safetensors: tensor name '${a.name}' is reserved or used twice`);
    }
    names.add(a.name);
  }
  const ordered = arrays
    .map((a, i) => ({ a, i }))
    .sort((x, y) => BYTES[y.a.dtype] - BYTES[x.a.dtype] || x.i - y.i)
    .map(({ a }) => a);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  const parts: Uint8Array[] = [];
  for (const a of ordered) {
    const bytes = littleEndianBytes(a);
    header[a.name] = {
      dtype: TO_SAFETENSORS[a.dtype],
      shape: [...a.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.byteLength, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Parses and checks a safetensors file (every header field, every offset) and decodes its tensors. */
export function decodeSafetensors(
  bytes: Uint8Array,
  file: string,
): { arrays: NamedArray[]; metadata: Record<string, string> } {
  if (bytes.byteLength < 8) {
    throw new ModelFileError(
      file,
      `is not a safetensors file: ${bytes.byteLength} bytes, fewer than the 8-byte header length`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER || n > bytes.byteLength - 8) {
    throw new ModelFileError(
      file,
      `is not a valid safetensors file: the header length is ${n} bytes but the file has ${bytes.byteLength - 8} bytes after the length${n <= MAX_HEADER ? ' (truncated file?)' : ''}`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (error) {
    throw new ModelFileError(file, `the safetensors header is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new ModelFileError(file, 'the safetensors header must be a JSON object');
  }
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const arrays: (NamedArray & { begin: number; end: number })[] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null)
        throw new ModelFileError(file, '__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'string') throw new ModelFileError(file, `__metadata__.${k} must be a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = entry as Record<string, unknown>;
    if (typeof e !== 'object' || e === null)
      throw new ModelFileError(file, `tensor '${name}': expected { dtype, shape, data_offsets }`);
    const dtype = FROM_SAFETENSORS[String(e['dtype'])];
    if (!dtype) {
      throw new ModelFileError(
        file,
        `tensor '${name}': dtype ${JSON.stringify(e['dtype'])} is not supported (F32, F64, I32, BOOL)`,
      );
    }
    const shape = e['shape'];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ModelFileError(
        file,
        `tensor '${name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`,
      );
    }
    const offsets = e['data_offsets'];
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw new ModelFileError(
        file,
        `tensor '${name}': data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES[dtype]) {
      throw new ModelFileError(
        file,
        `tensor '${name}': data_offsets [${begin}, ${end}] cover ${end - begin} bytes but ${dtype} shape [${shape}] needs ${count * BYTES[dtype]}`,
      );
    }
    if (end > data.byteLength) {
      throw new ModelFileError(
        file,
        `tensor '${name}' ends at byte ${end} of the data but the file holds ${data.byteLength} bytes of data (truncated file?)`,
      );
    }
    arrays.push({
      name,
      shape: shape as number[],
      dtype,
      data: fromLittleEndian(data.subarray(begin, end), dtype, count),
      begin,
      end,
    });
  }
  const sorted = [...arrays].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const a of sorted) {
    if (a.begin !== covered) {
      throw new ModelFileError(
        file,
        `the safetensors data has ${a.begin > covered ? 'a gap' : 'overlapping tensors'} at byte ${Math.min(a.begin, covered)} (tensor '${a.name}')`,
      );
    }
    covered = a.end;
  }
  if (covered !== data.byteLength) {
    throw new ModelFileError(
      file,
      `the safetensors data holds ${data.byteLength} bytes but its tensors cover ${covered}`,
    );
  }
  return { arrays: arrays.map(({ begin: _b, end: _e, ...a }) => a), metadata };
}
