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
  async appendFileBytes(path: string, bytes: Uint8Array): Promise<void> {
    const { appendFile, mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    try {
      await mkdir(dirname(path), { recursive: true });
      await appendFile(path, bytes);
    } catch (error) {
      throw new Error(`cannot write '${path}': ${(error as Error).message}`, { cause: error });
    }
  },
  async hostname(): Promise<string> {
    const { hostname } = await import('node:os');
    return hostname();
  },
  writeFile: writeDurable,
  async writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
    const { rename, rm } = await import('node:fs/promises');
    const { basename, dirname, join } = await import('node:path');
    const { randomBytes } = await import('node:crypto');
    const dir = dirname(path);
    const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await writeDurable(tmp, bytes);
      await rename(tmp, path);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => {});
      throw writeError(path, error);
    }
    await syncDir(dir);
  },
  async mkdir(path: string): Promise<void> {
    const { mkdir } = await import('node:fs/promises');
    try {
      await mkdir(path, { recursive: true });
    } catch (error) {
      throw writeError(path, error, 'cannot create directory');
    }
  },
  async rename(from: string, to: string): Promise<void> {
    const { rename } = await import('node:fs/promises');
    try {
      await rename(from, to);
    } catch (error) {
      throw new Error(`cannot rename '${from}' to '${to}': ${(error as Error).message}`, { cause: error });
    }
  },
  async remove(path: string): Promise<void> {
    const { rm } = await import('node:fs/promises');
    try {
      await rm(path, { recursive: true, force: true });
    } catch (error) {
      throw writeError(path, error, 'cannot remove');
    }
  },
  async stat(path: string): Promise<'file' | 'directory' | 'other' | null> {
    const { lstat } = await import('node:fs/promises');
    try {
      const s = await lstat(path);
      return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : 'other';
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw new Error(`cannot inspect '${path}': ${(error as Error).message}`, { cause: error });
    }
  },
  async listDir(path: string): Promise<string[]> {
    const { readdir } = await import('node:fs/promises');
    try {
      return await readdir(path);
    } catch (error) {
      throw new Error(`cannot list '${path}': ${(error as Error).message}`, { cause: error });
    }
  },
  syncDir,
};

function writeError(path: string, error: unknown, what = 'cannot write'): Error {
  const message = (error as Error).message ?? String(error);
  return new Error(message.startsWith(what) ? message : `${what} '${path}': ${message}`, { cause: error });
}

/** Writes the bytes and fsyncs the file before closing it. */
async function writeDurable(path: string, bytes: Uint8Array): Promise<void> {
  const { open } = await import('node:fs/promises');
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'w');
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    throw writeError(path, error);
  } finally {
    await handle?.close();
  }
}

/** fsync on a directory makes renames in it durable (Linux, macOS); hosts that refuse it (Windows) skip it. */
async function syncDir(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here (EISDIR/EPERM on Windows): the rename is still atomic, only not yet flushed.
  }
}
