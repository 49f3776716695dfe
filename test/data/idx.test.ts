import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const { loadIdx, loadMnistIdx, DataFormatError } = tf.data;

type Kind = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
const CODES: Record<Kind, [number, number]> = {
  uint8: [0x08, 1],
  int8: [0x09, 1],
  int16: [0x0b, 2],
  int32: [0x0c, 4],
  float32: [0x0d, 4],
  float64: [0x0e, 8],
};

/** Writes an IDX buffer: magic, big-endian dims, big-endian values. */
function idx(kind: Kind, shape: number[], values: number[]): Uint8Array {
  const [code, width] = CODES[kind];
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + values.length * width);
  const view = new DataView(bytes.buffer);
  bytes[2] = code;
  bytes[3] = shape.length;
  for (const [i, d] of shape.entries()) view.setUint32(4 + 4 * i, d, false);
  values.forEach((v, i) => {
    const o = header + i * width;
    if (kind === 'uint8') view.setUint8(o, v);
    else if (kind === 'int8') view.setInt8(o, v);
    else if (kind === 'int16') view.setInt16(o, v, false);
    else if (kind === 'int32') view.setInt32(o, v, false);
    else if (kind === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  });
  return bytes;
}

const images = Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 11) % 256);
const imageBytes = idx('uint8', [2, 3, 4], images);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapeflow-idx-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadIdx', () => {
  it('reads uint8 images as int32, float32 or normalized float32', async () => {
    const t = await loadIdx(imageBytes);
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.dtype).toBe('int32');
    expect(Array.from(t.dataSync())).toEqual(images);
    const f = await loadIdx(imageBytes, { dtype: 'float32' });
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.dataSync())).toEqual(images);
    const n = await loadIdx(imageBytes, { normalize: true });
    expect(n.dtype).toBe('float32');
    expect(n.dataSync()[1]).toBeCloseTo(11 / 255, 7);
    const n64 = await loadIdx(imageBytes.buffer as ArrayBuffer, { normalize: true, dtype: 'float64' });
    expect(n64.dataSync()[1]).toBe(11 / 255);
  });

  it('reads every IDX type code, big-endian', async () => {
    const cases: [Kind, number[], string][] = [
      ['int8', [-128, -1, 0, 127], 'int32'],
      ['int16', [-32768, -2, 300, 32767], 'int32'],
      ['int32', [-2147483648, -5, 70000, 2147483647], 'int32'],
      ['float32', [-1.5, 0.25, 3, 1e20], 'float32'],
      ['float64', [-1.5, 0.1, Math.PI, 1e300], 'float64'],
    ];
    for (const [kind, vals, dtype] of cases) {
      const t = await loadIdx(idx(kind, [2, 2], vals));
      expect(t.dtype).toBe(dtype);
      expect(t.shape).toEqual([2, 2]);
      expect(Array.from(t.dataSync())).toEqual(kind === 'float32' ? vals.map(Math.fround) : vals);
    }
    const labels = await loadIdx(idx('uint8', [5], [3, 1, 4, 1, 5]));
    expect(labels.numpy()).toEqual([3, 1, 4, 1, 5]);
    const scalar = await loadIdx(idx('int32', [], [42]));
    expect(scalar.shape).toEqual([]);
    expect(scalar.numpy()).toBe(42);
    const empty = await loadIdx(idx('uint8', [0, 28, 28], []));
    expect(empty.shape).toEqual([0, 28, 28]);
  });

  it('reads plain and gzipped files by path, detecting gzip by its header', async () => {
    const plain = join(dir, 'images-idx3-ubyte');
    const gz = join(dir, 'images-idx3-ubyte.gz');
    const gzNoSuffix = join(dir, 'really-gzip');
    await writeFile(plain, imageBytes);
    await writeFile(gz, gzipSync(imageBytes));
    await writeFile(gzNoSuffix, gzipSync(imageBytes));
    for (const path of [plain, gz, gzNoSuffix]) {
      const t = await loadIdx(path);
      expect(Array.from(t.dataSync())).toEqual(images);
    }
    const fromBytes = await loadIdx(new Uint8Array(gzipSync(imageBytes)));
    expect(fromBytes.shape).toEqual([2, 3, 4]);
  });

  it('rejects truncated and corrupt data with errors naming the file and what was expected', async () => {
    const truncated = join(dir, 'truncated-idx3-ubyte');
    await writeFile(truncated, imageBytes.subarray(0, imageBytes.length - 5));
    await expect(loadIdx(truncated)).rejects.toThrow(
      new RegExp(
        `loadIdx: '${truncated}': truncated: shape \\[2,3,4\\] of uint8 needs 16 header bytes \\+ 24 data bytes = 40, but the file has 35 bytes`,
      ),
    );
    await expect(loadIdx(truncated)).rejects.toBeInstanceOf(DataFormatError);
    const long = new Uint8Array(imageBytes.length + 3);
    long.set(imageBytes);
    await expect(loadIdx(long, { name: 'long.idx' })).rejects.toThrow(
      /'long.idx': corrupt: .* = 40, but the file has 43 bytes/,
    );
    await expect(loadIdx(imageBytes.subarray(0, 2))).rejects.toThrow(/'<bytes>': truncated: 2 bytes/);
    await expect(loadIdx(imageBytes.subarray(0, 10))).rejects.toThrow(
      /declares rank 3, which needs 16 bytes, but the file has 10/,
    );
    const badMagic = imageBytes.slice();
    badMagic[0] = 7;
    await expect(loadIdx(badMagic)).rejects.toThrow(
      /not an IDX file: it must start with two zero bytes, got 0x07 0x00/,
    );
    const badType = imageBytes.slice();
    badType[2] = 0x0a;
    await expect(loadIdx(badType)).rejects.toThrow(/unknown IDX type code 0x0a/);

    const gz = gzipSync(imageBytes);
    const cut = join(dir, 'cut.gz');
    await writeFile(cut, gz.subarray(0, gz.length - 12));
    await expect(loadIdx(cut)).rejects.toThrow(
      new RegExp(`loadIdx: '${cut}': the gzip stream is truncated or corrupt`),
    );
    const flipped = Uint8Array.from(gz);
    for (let i = 12; i < flipped.length - 8; i++) flipped[i] = flipped[i]! ^ 0x5a;
    await expect(loadIdx(flipped, { name: 'flipped.gz' })).rejects.toThrow(
      /'flipped.gz': the gzip stream is truncated or corrupt/,
    );
    // A gzip stream holding a truncated IDX payload is reported after decompression.
    await expect(loadIdx(gzipSync(imageBytes.subarray(0, 30)), { name: 'inner' })).rejects.toThrow(
      /'inner': truncated/,
    );
  });

  it('names a missing file and rejects impossible dtype requests', async () => {
    const missing = join(dir, 'nope-idx1-ubyte');
    await expect(loadIdx(missing)).rejects.toThrow(
      new RegExp(`loadIdx: cannot read '${missing}': no such file`),
    );
    const floats = idx('float32', [2], [0.5, 1.5]);
    await expect(loadIdx(floats, { dtype: 'int32' })).rejects.toThrow(
      /holds float32 values; ask for float32 or float64/,
    );
    await expect(loadIdx(floats, { normalize: true })).rejects.toThrow(/normalize applies to uint8 data/);
    await expect(loadIdx(imageBytes, { normalize: true, dtype: 'int32' })).rejects.toThrow(/normalize/);
    await expect(loadIdx(42 as never)).rejects.toThrow(TypeError);
  });

  it('loads the four MNIST-format files of a folder, gzipped or not', async () => {
    const mnistDir = join(dir, 'mini-mnist');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(mnistDir);
    const trainImages = idx(
      'uint8',
      [3, 2, 2],
      Array.from({ length: 12 }, (_, i) => i * 20),
    );
    await writeFile(join(mnistDir, 'train-images-idx3-ubyte.gz'), gzipSync(trainImages));
    await writeFile(join(mnistDir, 'train-labels-idx1-ubyte'), idx('uint8', [3], [1, 2, 3]));
    await writeFile(join(mnistDir, 't10k-images-idx3-ubyte'), idx('uint8', [1, 2, 2], [0, 255, 0, 255]));
    await writeFile(join(mnistDir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx('uint8', [1], [9])));
    const m = await loadMnistIdx(mnistDir);
    expect(m.train.images.shape).toEqual([3, 2, 2]);
    expect(m.train.images.dtype).toBe('float32');
    expect(m.train.images.dataSync()[1]).toBeCloseTo(20 / 255, 7);
    expect(m.train.labels.numpy()).toEqual([1, 2, 3]);
    expect(m.test.images.numpy()).toEqual([
      [
        [0, 1],
        [0, 1],
      ],
    ]);
    expect(m.test.labels.dtype).toBe('int32');
    const raw = await loadMnistIdx(mnistDir, { normalize: false });
    expect(raw.train.images.dtype).toBe('int32');
    await writeFile(join(mnistDir, 't10k-labels-idx1-ubyte.gz'), gzipSync(idx('uint8', [2], [9, 9])));
    await expect(loadMnistIdx(mnistDir)).rejects.toThrow(
      /t10k images \[1,2,2\] and labels \[2\] differ in count/,
    );
    await expect(loadMnistIdx(join(dir, 'absent'))).rejects.toThrow(/found neither .*-idx\d-ubyte\.gz nor/);
  });
});

const fashionDirs = ['/work/shared/data/fashion-mnist', '/usr/share/datasets/fashion-mnist'];
const fashion = fashionDirs.find(
  (d) => existsSync(join(d, 'train-images-idx3-ubyte.gz')) || existsSync(join(d, 'train-images-idx3-ubyte')),
);
if (!fashion)
  console.log(`Fashion-MNIST not found in ${fashionDirs.join(' or ')}: skipping the real-file test`);

describe('real Fashion-MNIST files', () => {
  it.skipIf(!fashion)('loads 60,000 + 10,000 images with balanced labels', async () => {
    const m = await loadMnistIdx(fashion!);
    expect(m.train.images.shape).toEqual([60000, 28, 28]);
    expect(m.test.images.shape).toEqual([10000, 28, 28]);
    expect(m.train.labels.shape).toEqual([60000]);
    const counts = (labels: tf.Tensor) => {
      const c = new Array(10).fill(0);
      for (const v of labels.dataSync()) c[v]++;
      return c;
    };
    expect(counts(m.train.labels)).toEqual(new Array(10).fill(6000));
    expect(counts(m.test.labels)).toEqual(new Array(10).fill(1000));
    const pixels = m.train.images.dataSync();
    let min = Infinity;
    let max = -Infinity;
    for (const v of pixels) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
    const ds = tf.data.Dataset.fromTensorSlices([m.train.images, m.train.labels]).shuffle(1024, 0).batch(128);
    expect(ds.cardinality()).toBe(469);
    const [xb, yb] = (await ds.take(1).toArray())[0]!;
    expect(xb.shape).toEqual([128, 28, 28]);
    expect(yb.dtype).toBe('int32');
  });
});
