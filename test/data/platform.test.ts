import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { getPlatform, isGzip, type Platform, setPlatform } from '../../src/platform/index.js';
import { platform as web } from '../../src/platform/web.js';

afterEach(() => setPlatform(undefined));

describe('platform layer', () => {
  it('picks Node under Node', async () => {
    expect((await getPlatform()).name).toBe('node');
  });

  it('routes file access through an installed platform', async () => {
    const files: Record<string, Uint8Array> = {
      'mem://labels': gzipSync(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 2, 7, 9])),
      'mem://table.csv': new TextEncoder().encode('a\n5\n'),
    };
    const calls: string[] = [];
    const memory: Platform = {
      name: 'memory',
      async readFileBytes(path) {
        calls.push(`read ${path}`);
        const f = files[path];
        if (!f) throw new Error(`cannot read '${path}': not in memory`);
        return f;
      },
      async gunzip(bytes) {
        calls.push('gunzip');
        return web.gunzip(bytes);
      },
    };
    setPlatform(memory);
    expect((await tf.data.loadIdx('mem://labels')).numpy()).toEqual([7, 9]);
    expect((await tf.data.csv('mem://table.csv').toArray())[0]!.a!.numpy()).toBe(5);
    expect(calls).toEqual(['read mem://labels', 'gunzip', 'read mem://table.csv']);
    await expect(tf.data.loadIdx('mem://none')).rejects.toThrow(
      /loadIdx: cannot read 'mem:\/\/none': not in memory/,
    );
  });

  it('gunzips with DecompressionStream on the web platform, rejecting corrupt streams', async () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    expect(Array.from(await web.gunzip(gzipSync(data)))).toEqual(Array.from(data));
    await expect(web.gunzip(gzipSync(data).subarray(0, 30))).rejects.toThrow();
    expect(isGzip(gzipSync(data))).toBe(true);
    expect(isGzip(data)).toBe(false);
  });

  it('keeps Node modules out of the static import graph of data and platform', () => {
    for (const folder of ['src/data', 'src/platform']) {
      for (const file of readdirSync(folder)) {
        const source = readFileSync(join(folder, file), 'utf8');
        expect(source, `${folder}/${file}`).not.toMatch(/^import[^;]*from\s+'node:/m);
        expect(source, `${folder}/${file}`).not.toMatch(/require\(/);
      }
    }
  });
});
