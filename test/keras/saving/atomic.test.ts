import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as tf from '../../../src/index.js';
import { getPlatform, type Platform, setPlatform } from '../../../src/platform/index.js';
import { removeTempDirs, tempDir, weightValues } from './helpers.js';

afterAll(removeTempDirs);

const L = tf.keras.layers;

function model(seed: number) {
  tf.random.setSeed(seed);
  const m = new tf.keras.Sequential([new L.Dense(4, { inputShape: [3] }), new L.Dense(1)]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

/** The Node platform with one method replaced. */
async function withFault(patch: Partial<Platform>): Promise<void> {
  const base = await getPlatform();
  setPlatform({ ...base, ...patch });
}

afterEach(() => setPlatform(undefined));

describe('saving is atomic', () => {
  it('a write that fails mid-save leaves the old model intact and no temporary directory', async () => {
    const dir = tempDir();
    const path = join(dir, 'model');
    const old = model(1);
    await old.save(path);
    const before = readFileSync(join(path, 'model.json'));
    const base = await getPlatform();
    const written: string[] = [];
    await withFault({
      async writeFile(p, bytes) {
        if (p.endsWith('.bin')) throw new Error('simulated failure: disk full');
        written.push(p);
        return base.writeFile!(p, bytes);
      },
    });
    await expect(model(2).save(path)).rejects.toThrow('simulated failure: disk full');
    // model.json of the new model had been written, in the temporary directory only.
    expect(written.length).toBe(1);
    expect(written[0]).toMatch(/\/\.model\.tmp-[^/]+\/model\.json$/);
    setPlatform(undefined);
    expect(readdirSync(dir)).toEqual(['model']);
    expect(readFileSync(join(path, 'model.json'))).toEqual(before);
    const loaded = await tf.keras.models.loadModel(path);
    expect(weightValues(loaded)).toEqual(weightValues(old));
  });

  it('a failure when the new model is renamed into place puts the old one back', async () => {
    const dir = tempDir();
    const path = join(dir, 'model');
    const old = model(3);
    await old.save(path);
    const base = await getPlatform();
    await withFault({
      async rename(from, to) {
        if (from.includes('.model.tmp-')) throw new Error('simulated failure: rename');
        return base.rename!(from, to);
      },
    });
    await expect(model(4).save(path)).rejects.toThrow('simulated failure: rename');
    setPlatform(undefined);
    expect(readdirSync(dir)).toEqual(['model']);
    const loaded = await tf.keras.models.loadModel(path);
    expect(weightValues(loaded)).toEqual(weightValues(old));
  });

  it('a failed first save leaves nothing at the path', async () => {
    const dir = tempDir();
    await withFault({
      async writeFile() {
        throw new Error('simulated failure: read-only');
      },
    });
    await expect(model(5).save(join(dir, 'fresh'))).rejects.toThrow('simulated failure: read-only');
    setPlatform(undefined);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never replaces a file, or a directory that is not a saved model', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    await expect(model(6).save(join(dir, 'notes.txt'))).rejects.toThrow(
      /notes\.txt: already exists and is not a directory; refusing to replace it/,
    );
    mkdirSync(join(dir, 'photos'));
    writeFileSync(join(dir, 'photos', 'cat.jpg'), 'meow');
    await expect(model(6).save(join(dir, 'photos'))).rejects.toThrow(
      /photos: is a directory that does not hold a saved model \(no model\.json or weights_manifest\.json\); refusing to replace it/,
    );
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
    expect(readdirSync(join(dir, 'photos'))).toEqual(['cat.jpg']);
    // An empty directory is fine.
    mkdirSync(join(dir, 'empty'));
    await model(6).save(join(dir, 'empty'));
    expect(readdirSync(join(dir, 'empty')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
  });

  it('every file is flushed before the rename, and the directories after it', async () => {
    const dir = tempDir();
    const base = await getPlatform();
    const events: string[] = [];
    const rel = (p: string) => p.slice(dir.length + 1).replace(/tmp-[^/]+/, 'tmp');
    await withFault({
      async writeFile(p, b) {
        events.push(`write ${rel(p)}`);
        return base.writeFile!(p, b);
      },
      async syncDir(p) {
        events.push(`sync ${p === dir ? '.' : rel(p)}`);
        return base.syncDir!(p);
      },
      async rename(from, to) {
        events.push(`rename ${rel(from)} -> ${rel(to)}`);
        return base.rename!(from, to);
      },
    });
    await model(7).save(join(dir, 'm'));
    expect(events).toEqual([
      'write .m.tmp/model.json',
      'write .m.tmp/group1-shard1of1.bin',
      'sync .m.tmp',
      'rename .m.tmp -> m',
      'sync .',
    ]);
  });

  it('saving where the platform cannot write is a clear error', async () => {
    const base = await getPlatform();
    setPlatform({ name: 'readonly-test', readFileBytes: base.readFileBytes, gunzip: base.gunzip });
    await expect(model(8).save(join(tempDir(), 'm'))).rejects.toThrow(
      /cannot write '.*': the readonly-test platform cannot write files \(it has no mkdir\)/,
    );
  });
});
