/**
 * The few things tapeflow needs from its host: reading a file's bytes and gunzipping. The core never
 * imports a Node module; the Node implementation (platform/node.ts) is loaded lazily, on the first
 * call, and only when running under Node. Elsewhere (browsers, workers, Deno) the web platform reads
 * with `fetch` and gunzips with `DecompressionStream`. `setPlatform` installs another implementation.
 */

export interface Platform {
  /** Human-readable name, used in error messages ("node", "web", ...). */
  readonly name: string;
  /** The whole file (or URL, on the web) as bytes; rejects with an error naming the path. */
  readFileBytes(path: string): Promise<Uint8Array>;
  /** Decompresses a complete gzip stream; rejects when it is truncated or corrupt. */
  gunzip(bytes: Uint8Array): Promise<Uint8Array>;
  /** Appends bytes to a file, creating the file and its parent directories when missing (hosts that can write). */
  appendFileBytes?(path: string, bytes: Uint8Array): Promise<void>;
  /** The host's name (TensorBoard event file names carry it); hosts without one leave it out. */
  hostname?(): Promise<string>;
  // File writing for model saving (keras/saving); hosts that cannot write leave these out.
  /** Writes a whole file and flushes it to disk (fsync); no rename, the caller makes it visible. */
  writeFile?(path: string, bytes: Uint8Array): Promise<void>;
  /** Writes a whole file atomically: to a temporary sibling, fsync, rename over `path`, fsync the directory. */
  writeFileAtomic?(path: string, bytes: Uint8Array): Promise<void>;
  /** Creates a directory and any missing parents (no error when it exists). */
  mkdir?(path: string): Promise<void>;
  /** Renames a file or directory (atomic within one file system); fails when `to` is a non-empty directory. */
  rename?(from: string, to: string): Promise<void>;
  /** Removes a file or a whole directory tree; no error when nothing is there. */
  remove?(path: string): Promise<void>;
  /** What is at `path`: 'file', 'directory', 'other', or null when nothing is. */
  stat?(path: string): Promise<'file' | 'directory' | 'other' | null>;
  /** The names of a directory's entries. */
  listDir?(path: string): Promise<string[]>;
  /** Flushes a directory's entries (after renames) to disk, where the host can; otherwise does nothing. */
  syncDir?(path: string): Promise<void>;
}

let current: Platform | undefined;
let loading: Promise<Platform> | undefined;

function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}

/** The platform in use, chosen on first use: Node's when running under Node, the web's otherwise. */
export function getPlatform(): Promise<Platform> {
  if (current) return Promise.resolve(current);
  loading ??= (isNode() ? import('./node.js') : import('./web.js')).then((m) => {
    current ??= m.platform;
    return current;
  });
  return loading;
}

/** Replaces the platform (for tests, or a host with its own file access); `undefined` restores the default. */
export function setPlatform(platform: Platform | undefined): void {
  current = platform;
  loading = undefined;
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  return (await getPlatform()).readFileBytes(path);
}

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return (await getPlatform()).gunzip(bytes);
}

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Appends bytes to a file (creating it and its directories); rejects on hosts that cannot write files. */
export async function appendFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  const platform = await getPlatform();
  if (!platform.appendFileBytes) {
    throw new Error(`cannot write '${path}': the ${platform.name} platform cannot write files`);
  }
  return platform.appendFileBytes(path, bytes);
}

/** The host's name, or 'localhost' where the platform does not know it. */
export async function hostname(): Promise<string> {
  return (await (await getPlatform()).hostname?.()) ?? 'localhost';
}

type FileMethod =
  | 'writeFile'
  | 'writeFileAtomic'
  | 'mkdir'
  | 'rename'
  | 'remove'
  | 'stat'
  | 'listDir'
  | 'syncDir';

/** The platform's implementation of a file-writing method, or an error naming the path and the platform. */
async function fileMethod<K extends FileMethod>(method: K, path: string): Promise<NonNullable<Platform[K]>> {
  const platform = await getPlatform();
  const fn = platform[method];
  if (typeof fn !== 'function') {
    throw new Error(
      `cannot write '${path}': the ${platform.name} platform cannot write files (it has no ${method}); save under Node, or install a platform that can with setPlatform`,
    );
  }
  return fn.bind(platform) as NonNullable<Platform[K]>;
}

/** Writes a file and flushes it to disk (see Platform.writeFile). */
export async function writeFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  return (await fileMethod('writeFile', path))(path, bytes);
}

/** Writes a file atomically: a reader sees the old file or the whole new one (see Platform.writeFileAtomic). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  return (await fileMethod('writeFileAtomic', path))(path, bytes);
}

/** Creates a directory and its missing parents. */
export async function makeDirectory(path: string): Promise<void> {
  return (await fileMethod('mkdir', path))(path);
}

/** Renames a file or directory. */
export async function renamePath(from: string, to: string): Promise<void> {
  return (await fileMethod('rename', to))(from, to);
}

/** Removes a file or directory tree (nothing there is not an error). */
export async function removePath(path: string): Promise<void> {
  return (await fileMethod('remove', path))(path);
}

/** 'file', 'directory', 'other' or null (nothing there). */
export async function statPath(path: string): Promise<'file' | 'directory' | 'other' | null> {
  return (await fileMethod('stat', path))(path);
}

/** The names in a directory. */
export async function listDirectory(path: string): Promise<string[]> {
  return (await fileMethod('listDir', path))(path);
}

/** Flushes a directory's entries to disk where the host can (a no-op where the platform has no syncDir). */
export async function syncDirectory(path: string): Promise<void> {
  const platform = await getPlatform();
  await platform.syncDir?.(path);
}
