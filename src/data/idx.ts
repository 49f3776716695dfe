/**
 * IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, a type code (0x08 uint8,
 * 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64), the rank, then one big-endian
 * uint32 per dimension and the values, big-endian, row-major. Files may be gzipped (detected by the
 * 1f 8b header). A file that is truncated, too long or otherwise malformed is an error naming the
 * file and what was expected; no partial tensor is ever returned.
 */
import type { DType } from '../backend/dtype.js';
import { gunzip, isGzip, readFileBytes } from '../platform/index.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A file (or byte buffer) that does not hold what its format promises. */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
}

export interface IdxOptions {
  /**
   * dtype of the tensor: int32 (the default for integer data), float32 (the default for float data)
   * or float64 (the default for double data). Integer data converts to floats exactly.
   */
  dtype?: 'int32' | 'float32' | 'float64';
  /** Divide uint8 data by 255 (into [0, 1]); implies float32 unless dtype says float64. */
  normalize?: boolean;
  /** Name used in error messages for bytes passed directly (a path names itself). */
  name?: string;
}

interface IdxType {
  name: string;
  bytes: number;
  read: (view: DataView, offset: number) => number;
  float: boolean;
}

const TYPES: Record<number, IdxType> = {
  8: { name: 'uint8', bytes: 1, read: (v, o) => v.getUint8(o), float: false },
  9: { name: 'int8', bytes: 1, read: (v, o) => v.getInt8(o), float: false },
  11: { name: 'int16', bytes: 2, read: (v, o) => v.getInt16(o, false), float: false },
  12: { name: 'int32', bytes: 4, read: (v, o) => v.getInt32(o, false), float: false },
  13: { name: 'float32', bytes: 4, read: (v, o) => v.getFloat32(o, false), float: true },
  14: { name: 'float64', bytes: 8, read: (v, o) => v.getFloat64(o, false), float: true },
};

function hex(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

/** Decodes an (uncompressed) IDX buffer into a tensor; `name` labels errors. */
export function parseIdx(bytes: Uint8Array, options: IdxOptions = {}): Tensor {
  const name = options.name ?? '<bytes>';
  function fail(what: string): never {
    throw new DataFormatError(`loadIdx: '${name}': ${what}`);
  }
  if (bytes.length < 4) fail(`truncated: ${bytes.length} bytes, but the IDX header alone needs at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(
      `not an IDX file: it must start with two zero bytes, got ${hex(bytes[0]!)} ${hex(bytes[1]!)}${isGzip(bytes) ? ' (gzip data inside gzip?)' : ''}`,
    );
  }
  const code = bytes[2]!;
  const type = TYPES[code];
  if (!type) {
    fail(`unknown IDX type code ${hex(code)} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  }
  const { name: typeName, bytes: width, read, float } = type;
  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    fail(
      `truncated: the header declares rank ${rank}, which needs ${headerBytes} bytes, but the file has ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = sizeOf(shape);
  const expected = headerBytes + count * width;
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? 'truncated' : 'corrupt';
    fail(
      `${problem}: shape ${formatShape(shape)} of ${typeName} needs ${headerBytes} header bytes + ${count * width} data bytes = ${expected}, but the file has ${bytes.length} bytes`,
    );
  }

  const dtype: DType =
    options.dtype ??
    (options.normalize ? 'float32' : float ? (width === 8 ? 'float64' : 'float32') : 'int32');
  if (dtype !== 'int32' && dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`loadIdx: dtype must be int32, float32 or float64, got ${String(options.dtype)}`);
  }
  if (float && dtype === 'int32') {
    throw new TypeError(`loadIdx: '${name}' holds ${typeName} values; ask for float32 or float64, not int32`);
  }
  if (options.normalize) {
    if (code !== 0x08)
      throw new TypeError(`loadIdx: normalize applies to uint8 data, but '${name}' holds ${typeName}`);
    if (dtype === 'int32')
      throw new TypeError('loadIdx: normalize gives floats; dtype int32 cannot hold them');
  }
  const data =
    dtype === 'int32'
      ? new Int32Array(count)
      : dtype === 'float32'
        ? new Float32Array(count)
        : new Float64Array(count);
  if (code === 0x08) {
    const src = bytes.subarray(headerBytes);
    if (options.normalize) for (let i = 0; i < count; i++) data[i] = src[i]! / 255;
    else data.set(src);
  } else {
    for (let i = 0, o = headerBytes; i < count; i++, o += width) data[i] = read(view, o);
  }
  return new Tensor(data, shape, dtype);
}

/**
 * Reads an IDX file (a path, or its bytes), gunzipping it when it starts with 1f 8b.
 * `loadIdx('train-images-idx3-ubyte.gz', { normalize: true })` gives float32 [60000, 28, 28] in [0, 1].
 */
export async function loadIdx(
  source: string | Uint8Array | ArrayBuffer,
  options: IdxOptions = {},
): Promise<Tensor> {
  let bytes: Uint8Array;
  let name = options.name;
  if (typeof source === 'string') {
    name ??= source;
    try {
      bytes = await readFileBytes(source);
    } catch (error) {
      throw new Error(`loadIdx: ${(error as Error).message}`, { cause: error });
    }
  } else if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else throw new TypeError('loadIdx: expected a path, a Uint8Array or an ArrayBuffer');
  name ??= '<bytes>';
  if (isGzip(bytes)) {
    try {
      bytes = await gunzip(bytes);
    } catch (error) {
      throw new DataFormatError(
        `loadIdx: '${name}': the gzip stream is truncated or corrupt (${(error as Error).message})`,
        { cause: error },
      );
    }
  }
  return parseIdx(bytes, { ...options, name });
}

export interface MnistArrays {
  train: { images: Tensor; labels: Tensor };
  test: { images: Tensor; labels: Tensor };
}

/**
 * The four files of an MNIST-format dataset in `dir` (`train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each gzipped or
 * not): images float32 in [0, 1] (or int32 0..255 with `{ normalize: false }`), labels int32.
 * Works for MNIST, Fashion-MNIST and other drop-in replacements.
 */
export async function loadMnistIdx(dir: string, options: { normalize?: boolean } = {}): Promise<MnistArrays> {
  const normalize = options.normalize ?? true;
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  const load = async (stem: string, images: boolean): Promise<Tensor> => {
    let bytes: Uint8Array | undefined;
    let path = `${base}${stem}.gz`;
    try {
      bytes = await readFileBytes(path);
    } catch {
      path = `${base}${stem}`;
      try {
        bytes = await readFileBytes(path);
      } catch (error) {
        throw new Error(`loadMnistIdx: found neither ${path}.gz nor ${path} (${(error as Error).message})`, {
          cause: error,
        });
      }
    }
    return loadIdx(bytes, { name: path, ...(images && normalize ? { normalize: true } : {}) });
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    load('train-images-idx3-ubyte', true),
    load('train-labels-idx1-ubyte', false),
    load('t10k-images-idx3-ubyte', true),
    load('t10k-labels-idx1-ubyte', false),
  ]);
  for (const [images, labels, split] of [
    [trainImages, trainLabels, 'train'],
    [testImages, testLabels, 't10k'],
  ] as const) {
    if (images.shape[0] !== labels.shape[0]) {
      throw new DataFormatError(
        `loadMnistIdx: '${base}': ${split} images ${formatShape(images.shape)} and labels ${formatShape(labels.shape)} differ in count`,
      );
    }
  }
  return {
    train: { images: trainImages, labels: trainLabels },
    test: { images: testImages, labels: testLabels },
  };
}
