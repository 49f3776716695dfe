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
