import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { addonError, nativeBackend } from './native/index.js';

export type * from './backend.js';
export * from './dtype.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);
if (nativeBackend) backends.set('native', nativeBackend);

const NATIVE_BY_DEFAULT = true;

/**
 * The starting backend: TAPEFLOW_BACKEND ('js' | 'native') when set, else 'native' on Node when its addon
 * loaded (it implements the conformance-checked kernels of test/backend/conformance.test.ts natively and
 * delegates the rest to 'js'), else 'js'.
 */
function initialBackend(): Backend {
  const wanted = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    'TAPEFLOW_BACKEND'
  ];
  if (wanted) {
    const found = backends.get(wanted);
    if (found) return found;
    console.warn(
      `tapeflow: TAPEFLOW_BACKEND=${wanted} is not available (${wanted === 'native' ? addonError : `available: ${[...backends.keys()].join(', ')}`}); using 'js'`,
    );
  }
  return NATIVE_BY_DEFAULT && nativeBackend ? nativeBackend : jsBackend;
}

let current: Backend = initialBackend();

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
    const why = name === 'native' && addonError ? `: ${addonError}` : '';
    throw new Error(
      `setBackend: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})${why}`,
    );
  }
  current = found;
}

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}
