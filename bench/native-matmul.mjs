// The native backend beside the JS backend (and numpy when /usr/bin/python3 has it): float32 matmul at
// 128/512/1024 as GFLOP/s and as a fraction of this machine's limits (docs/ARCHITECTURE.md: ~228 GFLOP/s
// float32 FMA peak on 2 Zen 4 cores, ~187 GFLOP/s numpy+OpenBLAS sgemm at 1024), and seed 000's loop.
//
//   npm run build && node bench/native-matmul.mjs
import { spawnSync } from 'node:child_process';
import * as tf from '../dist/index.js';
import { seedLoop } from './peer-tapeflow.mjs';
import { machine, median, protocol, randomData } from './workloads.mjs';

const backends = ['js', 'native'];
try {
  tf.setBackend('native');
} catch (e) {
  console.log(`native backend not available: ${e.message}`);
  backends.pop();
}

function timeMatmul(n) {
  const a = tf.tensor(randomData(n * n, 1000 + n), [n, n]);
  const b = tf.tensor(randomData(n * n, 2000 + n), [n, n]);
  tf.matmul(a, b);
  const first = performance.now();
  tf.matmul(a, b);
  const once = performance.now() - first;
  const reps = Math.max(3, Math.min(200, Math.round(500 / Math.max(once, 0.01))));
  const samples = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    tf.matmul(a, b);
    samples.push(performance.now() - t0);
  }
  return (2 * n ** 3) / (median(samples) / 1000) / 1e9;
}

function numpyGflops(sizes) {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const code = `
import json, time, numpy as np
out = {}
for n in ${JSON.stringify(sizes)}:
    a = np.random.rand(n, n).astype(np.float32); b = np.random.rand(n, n).astype(np.float32)
    a @ b
    t = []
    for _ in range({128: 200, 512: 20, 1024: 7}.get(n, 5)):
        t0 = time.perf_counter(); a @ b; t.append(time.perf_counter() - t0)
    t.sort(); out[n] = 2 * n**3 / t[len(t) // 2] / 1e9
print(json.dumps(out))`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { env, encoding: 'utf8' });
  try {
    return JSON.parse(r.stdout);
  } catch {
    return null;
  }
}

const sizes = [128, 512, 1024];
const numpy = numpyGflops(sizes);
console.log(
  `matmul float32 GFLOP/s (and % of the ${machine.peakGflops} GFLOP/s peak / % of numpy's ${machine.numpyOpenblas1024Gflops} at 1024)`,
);
for (const n of sizes) {
  const parts = [];
  for (const name of backends) {
    tf.setBackend(name);
    const g = timeMatmul(n);
    parts.push(
      `${name} ${g.toFixed(1)} (${((100 * g) / machine.peakGflops).toFixed(0)}% / ${((100 * g) / machine.numpyOpenblas1024Gflops).toFixed(0)}%)`,
    );
  }
  if (numpy) parts.push(`numpy now ${numpy[n].toFixed(1)}`);
  console.log(`  ${String(n).padStart(5)}: ${parts.join('   ')}`);
}

console.log(`seed loop (${protocol.seed.steps} steps), median of ${protocol.seed.runs} runs, ms:`);
for (const name of backends) {
  tf.setBackend(name);
  seedLoop(protocol.seed);
  const samples = [];
  let final;
  for (let i = 0; i < protocol.seed.runs; i++) {
    const t0 = performance.now();
    final = seedLoop(protocol.seed);
    samples.push(performance.now() - t0);
  }
  console.log(`  ${name.padEnd(7)} ${median(samples).toFixed(1)}  (loss ${Number(final.loss).toFixed(4)})`);
}
