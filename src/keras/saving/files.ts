/**
 * Files of a saved model, through the platform interface (so that the library still bundles for
 * browsers). A model directory is written atomically: every file goes to a temporary sibling directory,
 * each file is fsynced, and the directory is renamed into place only when complete. An existing model
 * at the path is moved aside first and removed after the rename, so `path` always holds either the old
 * model or the whole new one (a crash between the two renames leaves the old one at `.<name>.old-*`).
 */
import {
  listDirectory,
  makeDirectory,
  readFileBytes,
  removePath,
  renamePath,
  statPath,
  syncDirectory,
  writeFileAtomic,
  writeFileBytes,
} from '../../platform/index.js';
import { ModelFileError, messageOf } from './errors.js';

/** `file://a/b` -> `a/b`; trailing slashes removed (not from '/'). */
export function normalizePath(path: string): string {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`expected a path (a non-empty string), got ${JSON.stringify(path)}`);
  }
  let p = path.startsWith('file://') ? path.slice('file://'.length) : path;
  while (p.length > 1 && /[\\/]$/.test(p)) p = p.slice(0, -1);
  return p;
}

export function joinPath(dir: string, name: string): string {
  return /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}

/** The directory part of a path ('.' when there is none). */
export function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (i < 0) return '.';
  if (i === 0) return path.slice(0, 1);
  return path.slice(0, i);
}

export function basenameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? path : path.slice(i + 1);
}

function randomSuffix(): string {
  return `${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
}

/** Reads a file; a missing or unreadable file is an error naming it and saying what it should hold. */
export async function readFile(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFileBytes(path);
  } catch (error) {
    throw new ModelFileError(path, `cannot read the ${what}: ${messageOf(error)}`, { cause: error });
  }
}

/** Parses a JSON file's bytes; bad JSON is an error naming the file. */
export function parseJson(bytes: Uint8Array, path: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new ModelFileError(path, 'is not UTF-8 text (expected JSON)', { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(
      path,
      `is not valid JSON (${messageOf(error)})${bytes.length === 0 ? '; the file is empty' : ''}`,
      { cause: error },
    );
  }
}

export interface DirectoryWriteOptions {
  /** Replace an existing saved model at the path (default true). */
  overwrite?: boolean;
  /** Names whose presence marks an existing directory as a saved model that may be replaced. */
  markers: readonly string[];
}

/**
 * Writes `files` as the directory `path`, atomically (see the module comment). An existing directory is
 * replaced only when it is empty or holds one of `markers` (a saved model), never another directory.
 */
export async function writeDirectoryAtomically(
  path: string,
  files: readonly { name: string; bytes: Uint8Array }[],
  options: DirectoryWriteOptions,
): Promise<void> {
  const target = normalizePath(path);
  const parent = dirnameOf(target);
  const base = basenameOf(target);
  await makeDirectory(parent);
  const existing = await statPath(target);
  if (existing !== null) {
    if (options.overwrite === false) {
      throw new ModelFileError(target, 'already exists (pass overwrite: true to replace it)');
    }
    if (existing !== 'directory') {
      throw new ModelFileError(
        target,
        `already exists and is not a directory; refusing to replace it with a saved model`,
      );
    }
    const entries = await listDirectory(target);
    if (entries.length > 0 && !options.markers.some((m) => entries.includes(m))) {
      throw new ModelFileError(
        target,
        `is a directory that does not hold a saved model (no ${options.markers.join(' or ')}); refusing to replace it`,
      );
    }
  }
  const tmp = joinPath(parent, `.${base}.tmp-${randomSuffix()}`);
  try {
    await makeDirectory(tmp);
    for (const file of files) await writeFileBytes(joinPath(tmp, file.name), file.bytes);
    await syncDirectory(tmp);
  } catch (error) {
    await removePath(tmp).catch(() => {});
    throw error;
  }
  if (existing === null) {
    try {
      await renamePath(tmp, target);
    } catch (error) {
      await removePath(tmp).catch(() => {});
      throw error;
    }
  } else {
    const old = joinPath(parent, `.${base}.old-${randomSuffix()}`);
    try {
      await renamePath(target, old);
    } catch (error) {
      await removePath(tmp).catch(() => {});
      throw error;
    }
    try {
      await renamePath(tmp, target);
    } catch (error) {
      // Put the old model back; the new one is discarded.
      await renamePath(old, target).catch(() => {});
      await removePath(tmp).catch(() => {});
      throw error;
    }
    await removePath(old).catch(() => {});
  }
  await syncDirectory(parent);
}

/** Writes one file atomically, creating its directory. */
export async function writeSingleFile(path: string, bytes: Uint8Array): Promise<void> {
  const target = normalizePath(path);
  await makeDirectory(dirnameOf(target));
  await writeFileAtomic(target, bytes);
}

/** What is at a path (null when nothing, or when the platform cannot tell, e.g. on the web). */
export async function kindOfPath(path: string): Promise<'file' | 'directory' | 'other' | null> {
  try {
    return await statPath(path);
  } catch {
    return null;
  }
}
