// PyTorch (CPU) peer: spawns bench/torch_bench.py once with the protocol and the workload list.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const label = 'torch';
// TAPEFLOW_BENCH_PYTHON overrides the interpreter (e.g. a venv with pip's torch).
export const PYTHON = process.env.TAPEFLOW_BENCH_PYTHON || '/usr/bin/python3';
export const INSTALL_HINT = 'apt-get install python3-torch libopenblas0-pthread';
const SCRIPT = fileURLToPath(new URL('./torch_bench.py', import.meta.url));
const MARKER = '@@TORCH_BENCH_JSON@@ ';

/**
 * @returns {{ available: boolean, reason?: string, version?: string, threads?: number, blas?: object,
 *   results?: Record<string, object> }}
 */
export function runTorch({ threads, protocol, workloads, timeoutS = 240 }) {
  if (!existsSync(PYTHON)) return { available: false, reason: `${PYTHON} not found` };
  const res = spawnSync(PYTHON, [SCRIPT], {
    input: JSON.stringify({ threads, protocol, workloads }),
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
  });
  if (res.error) return { available: false, reason: `could not run ${PYTHON}: ${res.error.message}` };
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith(MARKER));
  if (!line) {
    const tail = (res.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    const why = res.signal ? `killed by ${res.signal}` : `exit ${res.status}`;
    return { available: false, failed: true, reason: `torch_bench.py gave no result (${why}): ${tail}` };
  }
  return JSON.parse(line.slice(MARKER.length));
}

/** One line describing torch's threads and BLAS. */
export function describeTorch(t) {
  const blas = t.blas ?? {};
  let lib = 'unknown BLAS';
  if (blas.openblas) {
    const cfg = blas.openblas_config ? ` (${blas.openblas_config.split(' ').slice(0, 2).join(' ')})` : '';
    const th = blas.openblas_threads ? `, ${blas.openblas_threads} BLAS threads` : '';
    lib = `OpenBLAS in use${cfg}${th}`;
  } else if (blas.libraries?.length) {
    lib = `BLAS: ${blas.libraries.join(', ')} (not OpenBLAS)`;
  } else {
    lib = 'no BLAS library mapped (OpenBLAS NOT in use)';
  }
  return `PyTorch ${t.version} (python ${t.python}), ${t.threads} threads, ${lib}; BLAS_INFO=${blas.blas_info}, mkldnn=${blas.mkldnn}`;
}
