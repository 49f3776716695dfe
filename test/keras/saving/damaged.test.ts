import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { removeTempDirs, tempDir, weightValues } from './helpers.js';

afterAll(removeTempDirs);

const L = tf.keras.layers;

function mlp(seed = 1, hidden = 8) {
  tf.random.setSeed(seed);
  return new tf.keras.Sequential([
    new L.Dense(hidden, { inputShape: [3], activation: 'relu', name: 'hidden' }),
    new L.Dense(2, { name: 'out' }),
  ]);
}

type Json = Record<string, unknown> & {
  modelTopology: {
    class_name: string;
    config: { layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; group?: string }[];
  }[];
};

let saved: string;
let original: Json;
let shard: Buffer;

beforeAll(async () => {
  saved = join(tempDir(), 'good');
  const model = mlp();
  model.compile({ optimizer: 'adam', loss: 'mse' });
  await model.fit(tf.ones([4, 3]), tf.ones([4, 2]), { epochs: 1, verbose: 0 });
  await model.save(saved);
  original = JSON.parse(readFileSync(join(saved, 'model.json'), 'utf8')) as Json;
  shard = readFileSync(join(saved, 'group1-shard1of1.bin'));
});

/** A copy of the saved model with model.json and the shard changed. */
function damaged(change: { json?: (j: Json) => unknown; jsonText?: string; shard?: Buffer | null }): string {
  const dir = tempDir();
  const json = structuredClone(original);
  const text = change.jsonText ?? JSON.stringify(change.json ? (change.json(json) ?? json) : json);
  writeFileSync(join(dir, 'model.json'), text);
  if (change.shard !== null) writeFileSync(join(dir, 'group1-shard1of1.bin'), change.shard ?? shard);
  return dir;
}

/** loadModel rejects with a message naming `file` (relative to the model directory) and matching `pattern`. */
async function expectLoadError(dir: string, file: string, pattern: RegExp) {
  const error = await tf.keras.models.loadModel(dir).then(
    () => null,
    (e: Error) => e,
  );
  expect(error, 'loadModel should have failed').not.toBeNull();
  expect(error!.message.startsWith(`${join(dir, file)}: `), error!.message).toBe(true);
  expect(error!.message).toMatch(pattern);
  expect(error).toBeInstanceOf(tf.keras.saving.ModelFileError);
}

const kernelBytes = 3 * 8 * 4;

describe('a damaged or mismatched file gives a clear error naming the file', () => {
  it('the good copy loads (the baseline of the cases below)', async () => {
    const model = await tf.keras.models.loadModel(damaged({}));
    expect(model.weights.length).toBe(4);
  });

  it('model.json: missing, empty, not JSON, not an object, not a layers model, no topology', async () => {
    const missing = damaged({});
    rmSync(join(missing, 'model.json'));
    await expectLoadError(
      missing,
      'model.json',
      /cannot read the model description \(model\.json\): .*no such file/,
    );
    await expectLoadError(damaged({ jsonText: '' }), 'model.json', /is not valid JSON .*; the file is empty/);
    const text = JSON.stringify(original);
    await expectLoadError(
      damaged({ jsonText: text.slice(0, text.length / 2) }),
      'model.json',
      /is not valid JSON/,
    );
    await expectLoadError(damaged({ jsonText: '[1, 2]' }), 'model.json', /must hold a JSON object/);
    await expectLoadError(
      damaged({ json: (j) => ({ ...j, format: 'graph-model' }) }),
      'model.json',
      /has format "graph-model"; tapeflow loads TensorFlow.js layers models \('layers-model'\), not graph models/,
    );
    await expectLoadError(
      damaged({ json: (j) => ({ ...j, modelTopology: undefined }) }),
      'model.json',
      /has no modelTopology/,
    );
  });

  it('shards: truncated, too long, missing, or a path leaving the directory', async () => {
    const total = shard.byteLength;
    await expectLoadError(
      damaged({ shard: shard.subarray(0, total - 10) }),
      'group1-shard1of1.bin',
      new RegExp(
        `the weight shards hold ${total - 10} bytes but the manifest's \\d+ weights need ${total} bytes \\(truncated file\\?\\)`,
      ),
    );
    await expectLoadError(
      damaged({ shard: Buffer.concat([shard, Buffer.alloc(4)]) }),
      'group1-shard1of1.bin',
      new RegExp(`hold ${total + 4} bytes but .* need ${total} bytes`),
    );
    await expectLoadError(
      damaged({ shard: null }),
      'group1-shard1of1.bin',
      /cannot read the weight shard listed in model\.json: .*no such file/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.paths = ['../good/group1-shard1of1.bin'];
        },
      }),
      'model.json',
      /weightsManifest\[0\]\.paths\[0\] = "\.\.\/good\/group1-shard1of1\.bin": shard paths must be relative to the model's directory and stay inside it/,
    );
  });

  it('manifest entries: wrong shape, wrong dtype, unknown dtype, a weight missing, a weight too many', async () => {
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights[0]!.shape = [8, 3];
        },
      }),
      'model.json',
      /the saved weights do not fit model "sequential(_\d+)?": 'hidden\/kernel' has shape \[8,3\] in the file but \[3,8\] in the model/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights[1]!.dtype = 'int32';
        },
      }),
      'model.json',
      /'hidden\/bias' has dtype int32 in the file but float32 in the model/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights[1]!.dtype = 'float17';
        },
      }),
      'model.json',
      /weightsManifest\[0\]\.weights\[1\] \('hidden\/bias'\): dtype must be one of float32, int32, bool, float64, got "float17"/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights[2]!.shape = [-1, 2];
        },
      }),
      'model.json',
      /\('out\/kernel'\): shape must be an array of non-negative integers, got \[-1,2\]/,
    );
    // Drop the first weight (and its bytes): the model's hidden/kernel is missing.
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights.shift();
        },
        shard: shard.subarray(kernelBytes),
      }),
      'model.json',
      /holds 3 weight\(s\) but model "sequential(_\d+)?" has 4; missing: hidden\/kernel\. The model expects: hidden\/kernel \[3,8\] float32, hidden\/bias \[8\] float32/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights.splice(4, 0, { name: 'stray/w', shape: [1], dtype: 'float32' });
        },
        shard: Buffer.concat([
          shard.subarray(0, (24 + 8 + 16 + 2) * 4),
          Buffer.alloc(4),
          shard.subarray((24 + 8 + 16 + 2) * 4),
        ]),
      }),
      'model.json',
      /holds 5 weight\(s\) but model .* has 4; not in the model: stray\/w/,
    );
  });

  it('the architecture: an unknown class, a class name that is not an identifier, an unsupported option', async () => {
    await expectLoadError(
      damaged({
        json: (j) => {
          j.modelTopology.config.layers[1]!.class_name = 'Densee';
        },
      }),
      'model.json',
      /cannot rebuild the model from modelTopology: .*unknown layer 'Densee'/,
    );
    for (const bad of ['constructor', '__proto__', 'toString', 'a b', '']) {
      await expectLoadError(
        damaged({
          json: (j) => {
            j.modelTopology.config.layers[1]!.class_name = bad;
          },
        }),
        'model.json',
        /modelTopology\.config\.layers\[1\]\.class_name must be a class name \(letters, digits, _\)/,
      );
    }
    await expectLoadError(
      damaged({
        json: (j) => {
          j.modelTopology.config.layers[1]!.config['kernel_constraint'] = {
            class_name: 'MaxNorm',
            config: { max_value: 2 },
          };
        },
      }),
      'model.json',
      /modelTopology\.config\.layers\[1\]\.config\.kernel_constraint: weight constraints are not supported by tapeflow/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          j.modelTopology.config.layers[1]!.config['units'] = 9;
        },
      }),
      'model.json',
      /'hidden\/kernel' has shape \[3,8\] in the file but \[3,9\] in the model/,
    );
    await expectLoadError(
      damaged({ json: (j) => ({ ...j, modelTopology: { class_name: 'Dense', config: { units: 2 } } }) }),
      'model.json',
      /modelTopology describes a Dense layer, not a model/,
    );
  });

  it('the optimizer state: a slot of the wrong shape, a slot of no weight, a bad optimizer config', async () => {
    await expectLoadError(
      damaged({
        json: (j) => {
          j.weightsManifest[0]!.weights.find((w) => w.name === 'out/bias/m')!.shape = [1, 2];
        },
      }),
      'model.json',
      /the optimizer weight 'out\/bias\/m' has shape \[1,2\] but weight 'out\/bias' has shape \[2\]/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          const slot = j.weightsManifest[0]!.weights.find((w) => w.name === 'hidden/kernel/m')!;
          slot.name = 'elsewhere/kernel/m';
        },
      }),
      'model.json',
      /the optimizer weight 'elsewhere\/kernel\/m' belongs to none of the model's weights/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          const t = j['tapeflow'] as { optimizer: { config: Record<string, unknown> } };
          t.optimizer.config['betaOne'] = 0.5;
        },
      }),
      'model.json',
      /cannot restore the training configuration: .*betaOne/,
    );
    await expectLoadError(
      damaged({
        json: (j) => {
          const t = j['tapeflow'] as { optimizer: { className: string } };
          t.optimizer.className = 'Adamm';
        },
      }),
      'model.json',
      /cannot restore the training configuration: unknown optimizer 'Adamm'/,
    );
    // compile: false skips the training configuration, so the same file loads.
    const dir = damaged({
      json: (j) => {
        (j['tapeflow'] as { optimizer: { className: string } }).optimizer.className = 'Adamm';
      },
    });
    expect((await tf.keras.models.loadModel(dir, { compile: false })).isCompiled).toBe(false);
  });

  it('loading never runs code from the file: names resolve only through registered classes', async () => {
    let called = false;
    (globalThis as Record<string, unknown>)['pwned'] = () => {
      called = true;
    };
    for (const cls of ['Function', 'eval', 'pwned', 'Object']) {
      await expectLoadError(
        damaged({
          json: (j) => {
            j.modelTopology.config.layers[1]!.class_name = cls;
            j.modelTopology.config.layers[1]!.config['units'] = 'return globalThis.pwned()';
          },
        }),
        'model.json',
        new RegExp(`unknown layer '${cls}'`),
      );
    }
    await expectLoadError(
      damaged({
        json: (j) => {
          j.modelTopology.config.layers[1]!.config['activation'] = 'pwned';
        },
      }),
      'model.json',
      /unknown activation 'pwned'|activation/,
    );
    await expectLoadError(
      damaged({
        jsonText: JSON.stringify(original).replace('"units":8', '"units":8,"__proto__":{"polluted":true}'),
      }),
      'model.json',
      /__proto__: this key is not allowed in a model file/,
    );
    expect(called).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('loadWeights checks every weight before assigning any', () => {
  it('a mismatched file leaves the model untouched', async () => {
    const dir = tempDir();
    const other = mlp(2, 5);
    await other.saveWeights(join(dir, 'other'));
    await other.saveWeights(join(dir, 'other.safetensors'));
    const target = mlp(3);
    const before = weightValues(target);
    await expect(target.loadWeights(join(dir, 'other'))).rejects.toThrow(
      /other\/weights_manifest\.json: the saved weights do not fit model "sequential(_\d+)?": 'hidden\/kernel' has shape \[3,5\] in the file but \[3,8\] in the model; 'hidden\/bias' has shape \[5\] in the file but \[8\] in the model; 'out\/kernel' has shape \[5,2\] in the file but \[8,2\] in the model/,
    );
    await expect(target.loadWeights(join(dir, 'other.safetensors'))).rejects.toThrow(
      /other\.safetensors: the saved weights do not fit/,
    );
    expect(weightValues(target)).toEqual(before);
    // Only the last weight differs: still nothing is assigned.
    const almost = mlp(4);
    await almost.saveWeights(join(dir, 'almost'));
    const manifestPath = join(dir, 'almost', 'weights_manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest[0].weights[3].dtype = 'int32';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    await expect(target.loadWeights(join(dir, 'almost'))).rejects.toThrow(
      /'out\/bias' has dtype int32 in the file/,
    );
    expect(weightValues(target)).toEqual(before);
    await expect(target.loadWeights(join(dir, 'nothing-here'))).rejects.toThrow(
      /nothing-here: holds no saved weights: neither weights_manifest\.json nor model\.json can be read/,
    );
  });

  it('damaged safetensors files', async () => {
    const dir = tempDir();
    const model = mlp(5);
    const path = join(dir, 'w.safetensors');
    await model.saveWeights(path);
    const good = readFileSync(path);
    const headerLength = good.readUInt32LE(0);
    const check = async (bytes: Buffer, pattern: RegExp) => {
      const p = join(dir, 'bad.safetensors');
      writeFileSync(p, bytes);
      await expect(mlp(5).loadWeights(p)).rejects.toThrow(pattern);
    };
    await check(good.subarray(0, 5), /bad\.safetensors: is not a safetensors file: 5 bytes/);
    await check(
      good.subarray(0, 8 + headerLength - 3),
      /the header length is \d+ bytes but the file has \d+ bytes after the length \(truncated file\?\)/,
    );
    await check(
      good.subarray(0, good.byteLength - 4),
      /tensor 'out\/bias' ends at byte 8 of the data but the file holds 4 bytes of data|ends at byte .* \(truncated file\?\)/,
    );
    await check(
      Buffer.concat([good, Buffer.alloc(8)]),
      /the safetensors data holds \d+ bytes but its tensors cover \d+/,
    );
    const header = JSON.parse(good.subarray(8, 8 + headerLength).toString('utf8'));
    const rewrite = (h: unknown) => {
      let json = Buffer.from(JSON.stringify(h));
      json = Buffer.concat([json, Buffer.alloc((8 - (json.byteLength % 8)) % 8, 0x20)]);
      const len = Buffer.alloc(8);
      len.writeUInt32LE(json.byteLength, 0);
      return Buffer.concat([len, json, good.subarray(8 + headerLength)]);
    };
    await check(
      rewrite({ ...header, 'out/bias': { ...header['out/bias'], dtype: 'F16' } }),
      /tensor 'out\/bias': dtype "F16" is not supported/,
    );
    await check(
      rewrite({ ...header, 'out/bias': { ...header['out/bias'], data_offsets: [0, 8] } }),
      /overlapping tensors|a gap/,
    );
    await check(
      rewrite({ ...header, 'out/bias': { ...header['out/bias'], shape: [3] } }),
      /tensor 'out\/bias': data_offsets \[\d+, \d+\] cover 8 bytes but float32 shape \[3\] needs 12/,
    );
    const text = Buffer.concat([Buffer.from([16, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a": [1, 2,    ')]);
    await check(text, /the safetensors header is not valid JSON/);
  });
});
