/**
 * `model.exportSafetensors(path)`: the safetensors layout, checked byte by byte here, and read back by
 * Debian's PyTorch (`/usr/bin/python3`, torch 1.13, without the `safetensors` package): the test parses
 * the header in Python, takes every tensor with `torch.frombuffer` at its offsets, compares the values
 * with what tapeflow wrote, and runs the MLP's forward pass in torch.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { maxAbsDiff, removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

const L = tf.keras.layers;
const PYTHON = '/usr/bin/python3';

const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const torchMissing =
  torchCheck.status === 0
    ? null
    : `${PYTHON} cannot import torch (${(torchCheck.error?.message ?? torchCheck.stderr ?? '').trim().split('\n').at(-1)})`;

function model() {
  tf.random.setSeed(21);
  const m = new tf.keras.Sequential([
    new L.Dense(6, { inputShape: [4], activation: 'relu', name: 'dense' }),
    new L.BatchNormalization({ name: 'batch_normalization' }),
    new L.Dense(3, { dtype: 'float64', name: 'dense_1' }),
  ]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

function parse(bytes: Buffer) {
  const n = Number(bytes.readBigUInt64LE(0));
  const headerText = bytes.subarray(8, 8 + n).toString('utf8');
  return {
    n,
    headerText,
    header: JSON.parse(headerText) as Record<
      string,
      { dtype: string; shape: number[]; data_offsets: [number, number] }
    >,
    data: bytes.subarray(8 + n),
  };
}

describe('exportSafetensors', () => {
  it('writes the safetensors layout and a JSON config beside it', async () => {
    const dir = tempDir();
    const m = model();
    await m.fit(tf.random.normal([8, 4], 0, 1, { seed: 1 }), tf.ones([8, 3]), { epochs: 1, verbose: 0 });
    const result = await m.exportSafetensors(join(dir, 'model'));
    expect(result.path).toBe(join(dir, 'model.safetensors'));
    expect(result.configPath).toBe(join(dir, 'model.config.json'));
    const bytes = readFileSync(result.path);
    const { n, headerText, header, data } = parse(bytes);
    // The data starts at a multiple of 8; the header is padded with spaces.
    expect((8 + n) % 8).toBe(0);
    expect(headerText).toBe(
      headerText.trimEnd() + ' '.repeat(headerText.length - headerText.trimEnd().length),
    );
    expect(Object.keys(header)[0]).toBe('__metadata__');
    expect(header['__metadata__']).toEqual({
      format: 'pt',
      generated_by: 'tapeflow 0.1.0',
      layout: 'keras',
      config: 'model.config.json',
    });
    expect(header['dense/kernel']).toEqual({ dtype: 'F32', shape: [4, 6], data_offsets: expect.any(Array) });
    expect(header['dense_1/kernel']!.dtype).toBe('F64');
    // float64 tensors first (8-byte aligned), then the float32 ones; the data is covered exactly.
    const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
    expect(entries.map(([k]) => k)).toEqual([
      'dense_1/kernel',
      'dense_1/bias',
      'dense/kernel',
      'dense/bias',
      'batch_normalization/gamma',
      'batch_normalization/beta',
      'batch_normalization/moving_mean',
      'batch_normalization/moving_variance',
    ]);
    let at = 0;
    for (const [, e] of entries) {
      expect(e.data_offsets[0]).toBe(at);
      at = e.data_offsets[1];
    }
    expect(at).toBe(data.byteLength);
    const [b, e] = header['dense/kernel']!.data_offsets;
    expect(Array.from(new Float32Array(data.buffer.slice(data.byteOffset + b, data.byteOffset + e)))).toEqual(
      Array.from(m.weights[0]!.dataSync()),
    );
    const config = JSON.parse(readFileSync(result.configPath, 'utf8'));
    expect(config.format).toBe('tapeflow-safetensors-config');
    expect(config.weightsFile).toBe('model.safetensors');
    expect(config.modelTopology.class_name).toBe('Sequential');
    expect(config.tensors.map((t: { name: string }) => t.name)).toEqual([
      'dense/kernel',
      'dense/bias',
      'batch_normalization/gamma',
      'batch_normalization/beta',
      'batch_normalization/moving_mean',
      'batch_normalization/moving_variance',
      'dense_1/kernel',
      'dense_1/bias',
    ]);
    expect(config.tensors[4]).toEqual({
      name: 'batch_normalization/moving_mean',
      shape: [6],
      dtype: 'float32',
      trainable: false,
    });
    expect(config.trainingConfig.optimizer.className).toBe('Adam');
    // The same file loads back into a tapeflow model.
    const copy = model();
    await copy.loadWeights(result.path);
    expect(copy.getWeights().map((w) => w.arraySync())).toEqual(m.getWeights().map((w) => w.arraySync()));
  });

  it('includeOptimizer adds the optimizer slots and iteration count', async () => {
    const m = model();
    await m.fit(tf.ones([4, 4]), tf.ones([4, 3]), { epochs: 2, batchSize: 2, verbose: 0 });
    const { path } = await m.exportSafetensors(join(tempDir(), 'with-opt.safetensors'), {
      includeOptimizer: true,
    });
    const { header, data } = parse(readFileSync(path));
    expect(header['optimizer/iterations']).toMatchObject({ dtype: 'I32', shape: [] });
    const [b] = header['optimizer/iterations']!.data_offsets;
    expect(data.readInt32LE(b)).toBe(4);
    expect(header['optimizer/dense/kernel/m']).toMatchObject({ dtype: 'F32', shape: [4, 6] });
    expect(header['optimizer/dense_1/kernel/v']).toMatchObject({ dtype: 'F64', shape: [6, 3] });
    // loadWeights skips the optimizer tensors.
    const copy = model();
    await copy.loadWeights(path);
    expect(copy.getWeights().map((w) => w.arraySync())).toEqual(m.getWeights().map((w) => w.arraySync()));
  });

  const label = 'PyTorch reads the file (torch.frombuffer on the header offsets) and gets the same values';
  const pytorchTest = torchMissing ? it.skip : it;
  if (torchMissing) console.warn(`skipping "${label}": ${torchMissing}`);
  pytorchTest(torchMissing ? `${label} [skipped: ${torchMissing}]` : label, async () => {
    const dir = tempDir();
    tf.random.setSeed(5);
    const mlp = new tf.keras.Sequential([
      new L.Dense(7, { inputShape: [5], activation: 'relu', name: 'dense' }),
      new L.Dense(3, { dtype: 'float64', name: 'dense_1' }),
    ]);
    mlp.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = tf.random.normal([4, 5], 0, 1, { seed: 9 });
    await mlp.fit(x, tf.ones([4, 3]), { epochs: 1, verbose: 0 });
    await mlp.exportSafetensors(join(dir, 'mlp.safetensors'));
    const expected = Object.fromEntries(
      mlp.weights.map((w) => [
        w.name.replace(/:0$/, ''),
        { dtype: w.dtype, shape: w.shape, values: Array.from(w.dataSync()) },
      ]),
    );
    const extra = tf.keras.saving.encodeSafetensors(
      [
        {
          name: 'counts',
          shape: [2, 2],
          dtype: 'int32',
          data: new Int32Array([1, -2, 2147483647, -2147483648]),
        },
        { name: 'mask', shape: [3], dtype: 'bool', data: new Uint8Array([1, 0, 1]) },
        { name: 'scalar', shape: [], dtype: 'float32', data: new Float32Array([0.1]) },
      ],
      { note: 'dtypes' },
    );
    writeFileSync(join(dir, 'extra.safetensors'), extra);
    writeFileSync(
      join(dir, 'expected.json'),
      JSON.stringify({ weights: expected, x: x.arraySync(), y: mlp.predict(x).arraySync() }),
    );
    const script = `
import json, struct, sys, torch

DT = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'BOOL': torch.bool}
def read(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert (8 + n) % 8 == 0, 'data not 8-byte aligned'
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out = {}
    for name, e in header.items():
        b, end = e['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[b:end]), dtype=DT[e['dtype']]).reshape(e['shape'])
    return out, meta
d = sys.argv[1]
w, meta = read(d + '/mlp.safetensors')
exp = json.load(open(d + '/expected.json'))
checked = []
for name, e in exp['weights'].items():
    t = w[name]
    want = torch.tensor(e['values'], dtype=t.dtype).reshape(e['shape'])
    assert t.dtype == {'float32': torch.float32, 'float64': torch.float64}[e['dtype']], name
    assert torch.equal(t, want), name
    checked.append(name)
x = torch.tensor(exp['x'], dtype=torch.float32)
h = torch.relu(x @ w['dense/kernel'] + w['dense/bias'])
y = h.double() @ w['dense_1/kernel'] + w['dense_1/bias']
diff = (y - torch.tensor(exp['y'], dtype=torch.float64)).abs().max().item()
e, emeta = read(d + '/extra.safetensors')
print(json.dumps({'checked': checked, 'meta': meta, 'diff': diff,
  'counts': e['counts'].tolist(), 'mask': e['mask'].tolist(), 'scalar': e['scalar'].item(), 'extraMeta': emeta}))
`;
    const run = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.checked.sort()).toEqual(
      ['dense/bias', 'dense/kernel', 'dense_1/bias', 'dense_1/kernel'].sort(),
    );
    expect(out.meta).toMatchObject({ format: 'pt', layout: 'keras' });
    expect(out.diff).toBeLessThan(1e-6);
    expect(out.counts).toEqual([
      [1, -2],
      [2147483647, -2147483648],
    ]);
    expect(out.mask).toEqual([true, false, true]);
    expect(maxAbsDiff(out.scalar, Math.fround(0.1))).toBe(0);
    expect(out.extraMeta).toEqual({ note: 'dtypes' });
  });
});
