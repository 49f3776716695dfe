/**
 * Node's implementation of the platform interface. Node modules are imported inside the functions,
 * so merely loading this file (or bundling it) pulls in nothing Node-specific.
 */
import type { Platform } from './index.js';

export const platform: Platform = {
  name: 'node',
  async readFileBytes(path: string): Promise<Uint8Array> {
    const { readFile } = await import('node:fs/promises');
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : undefined;
      throw new Error(`cannot read '${path}': ${reason ?? (error as Error).message}`, { cause: error });
    }
  },
  async gunzip(bytes: Uint8Array): Promise<Uint8Array> {
    const zlib = await import('node:zlib');
    const { promisify } = await import('node:util');
    const buffer = await promisify(zlib.gunzip)(bytes);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  },
};
