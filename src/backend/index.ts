import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

export type * from './backend.js';
export * from './dtype.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);
let current: Backend = jsBackend;

/** The backend that runs kernels now. */
export function backend(): Backend {
  return current;
}

export function getBackend(): string {
  return current.name;
}

export function setBackend(name: string): void {
  const found = backends.get(name);
  if (!found) {
    throw new Error(`setBackend: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})`);
  }
  current = found;
}

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}
