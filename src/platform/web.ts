/** The platform for browsers, workers and other hosts with `fetch` and `DecompressionStream`. */
import type { Platform } from './index.js';

export const platform: Platform = {
  name: 'web',
  async readFileBytes(path: string): Promise<Uint8Array> {
    if (typeof fetch !== 'function') throw new Error(`cannot read '${path}': this host has no fetch`);
    const response = await fetch(path);
    if (!response.ok)
      throw new Error(`cannot read '${path}': HTTP ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  },
  async gunzip(bytes: Uint8Array): Promise<Uint8Array> {
    if (typeof DecompressionStream !== 'function') {
      throw new Error('gunzip: this host has no DecompressionStream');
    }
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  },
};
