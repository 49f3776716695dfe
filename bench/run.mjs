// tapeflow's benchmark runner: the same workloads side by side with @tensorflow/tfjs (cpu backend) and
// PyTorch (CPU, when installed), one line per workload with each peer's number and the ratios.
//
//   npm run bench                         build, then run everything (~1-2 minutes on 2 cores)
//   node bench/run.mjs --only matmul      only some workloads (group names or id prefixes, comma list)
//   node bench/run.mjs --no-torch         skip PyTorch (also --no-tfjs)
//
// Results also go to bench/results/latest.json (git-ignored). See bench/README.md.

import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLinalg } from './linalg.mjs';
import { runMnist } from './mnist-bench.mjs';
import { checkTorchOptim, measureOptim } from './optim-step.mjs';
import { describeTorch, INSTALL_HINT, runTorch } from './peer-torch.mjs';
import {
  workloads as allWorkloads,
  checkMatmul,
  checkPerOp,
  checkSeed,
  machine,
  matmulMaxRelErr,
  median,
  protocol,
  randomData,
  selectWorkloads,
} from './workloads.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_OUT = fileURLToPath(new URL('./results/latest.json', import.meta.url));

// ---- arguments ------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { only: [], torch: true, tfjs: true, numpy: true, out: DEFAULT_OUT };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [key, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (key === '--only') opts.only.push(...value().split(',').filter(Boolean));
    else if (key === '--no-torch') opts.torch = false;
    else if (key === '--no-tfjs') opts.tfjs = false;
    else if (key === '--no-numpy') opts.numpy = false;
    else if (key === '--out') opts.out = value();
    else if (key === '--help' || key === '-h') opts.help = true;
    else if (!key.startsWith('-')) opts.only.push(...key.split(',').filter(Boolean));
    else throw new Error(`unknown option ${arg} (try --help)`);
  }
  return opts;
}

const HELP = `usage: node bench/run.mjs [--only TERMS] [--no-torch] [--no-tfjs] [--no-numpy] [--out FILE]
  --only TERMS   comma list; a term selects a group (seed, perop, matmul, linalg, mnist) or the ids it prefixes
                 ids: ${allWorkloads.map((w) => w.id).join(', ')}
  --no-torch     skip PyTorch;  --no-tfjs  skip @tensorflow/tfjs;  --no-numpy  skip numpy (linalg)
  --out FILE     JSON results (default bench/results/latest.json)`;

// ---- formatting -----------------------------------------------------------------------------------

function fmtValue(unit, v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'n/a';
  if (unit === 'ops/s') {
    if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
    return v.toFixed(0);
  }
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  if (v >= 0.1) return v.toFixed(2);
  return v.toPrecision(2);
}

function fmtRatio(r) {
  if (r >= 100) return r.toFixed(0);
  if (r >= 10) return r.toFixed(1);
  if (r >= 0.1) return r.toFixed(2);
  return r.toPrecision(2);
}

/** "tapeflow is 2.5x faster than tfjs-cpu, 0.16x torch (6.3x slower)" */
function comparison(ratios, labels) {
  const parts = [];
  for (const [peer, r] of Object.entries(ratios)) {
    if (r === null || !Number.isFinite(r)) continue;
    parts.push(
      r >= 1
        ? `${fmtRatio(r)}x faster than ${labels[peer]}`
        : `${fmtRatio(r)}x ${labels[peer]} (${fmtRatio(1 / r)}x slower)`,
    );
  }
  return parts.length ? `tapeflow is ${parts.join(', ')}` : '';
}

const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

// ---- measuring the JS peers -----------------------------------------------------------------------

function timeMs(fn) {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function measure(peer, w) {
  if (w.group === 'seed') {
    const p = protocol.seed;
    for (let i = 0; i < p.warmup; i++) peer.seedLoop(p);
    const samplesMs = [];
    let final;
    for (let i = 0; i < p.runs; i++) samplesMs.push(timeMs(() => (final = peer.seedLoop(p))));
    return { value: median(samplesMs), samplesMs, final, check: checkSeed(final) };
  }
  if (w.group === 'perop') {
    const p = protocol.perop;
    const h = peer.perOp(w.op, p.inputs);
    try {
      for (let i = 0; i < p.warmup; i++) h.run(p.calls);
      const samplesMs = [];
      for (let i = 0; i < p.runs; i++) samplesMs.push(timeMs(() => h.run(p.calls)));
      const sample = h.sample();
      const check = checkPerOp(w.op, sample.values);
      if (check.ok && sample.dtype !== 'float32')
        Object.assign(check, { ok: false, note: `dtype ${sample.dtype}` });
      return { value: p.calls / (median(samplesMs) / 1000), samplesMs, sample: sample.values, check };
    } finally {
      h.dispose?.();
    }
  }
  if (w.group === 'matmul') {
    const p = protocol.matmul;
    const n = w.n;
    const a = randomData(n * n, 1000 + n);
    const b = randomData(n * n, 2000 + n);
    const h = peer.matmul(n, a, b);
    try {
      // Warm-up calls for ~warmupS first: a JS peer's first calls run its JavaScript unoptimized, which
      // for a 128x128 product costs as much as the multiply-adds. The rep count comes from the last one.
      let last = timeMs(() => h.run()) / 1000;
      let reps = p.slowReps;
      if (last <= p.slowS) {
        for (let warm = last; warm < p.warmupS; warm += last) last = timeMs(() => h.run()) / 1000;
        reps = Math.min(p.maxReps, Math.max(p.minReps, Math.round(p.targetS / last)));
      }
      const samplesMs = [];
      for (let i = 0; i < reps; i++) samplesMs.push(timeMs(() => h.run()));
      const med = median(samplesMs);
      const maxRelErr = matmulMaxRelErr(n, a, b, h.result(), p.checkSamples);
      return {
        value: (2 * n ** 3) / (med / 1000) / 1e9,
        medianMs: med,
        reps,
        samplesMs: reps <= 50 ? samplesMs : undefined,
        maxRelErr,
        check: checkMatmul(maxRelErr),
      };
    } finally {
      h.dispose?.();
    }
  }
  if (w.group === 'optim') return measureOptim(peer.name);
  throw new Error(`unknown workload group ${w.group}`);
}

function checkTorch(w, r) {
  if (!r || r.error) return undefined;
  if (w.group === 'optim') return checkTorchOptim(r);
  if (w.group === 'seed') return checkSeed(r.final);
  if (w.group === 'perop') return checkPerOp(w.op, r.sample);
  return checkMatmul(r.maxRelErr);
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

// ---- main -----------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  const chosen = selectWorkloads(opts.only);
  // The linalg group has its own section (bench/linalg.mjs: numpy column, tfjs n/a).
  const selected = chosen.filter((w) => w.group !== 'linalg' && w.group !== 'mnist');
  const linalgSelected = chosen.filter((w) => w.group === 'linalg');
  // Fashion-MNIST training too (bench/mnist-bench.mjs: one process per peer, samples/s, RSS, accuracy).
  const mnistSelected = chosen.filter((w) => w.group === 'mnist');
  if (chosen.length === 0) {
    console.error(
      `no workload matches --only ${opts.only.join(',')} (ids: ${allWorkloads.map((w) => w.id).join(', ')})`,
    );
    return 2;
  }
  const started = Date.now();
  const threads = os.availableParallelism?.() ?? os.cpus().length;
  const problems = [];

  // Peers. tapeflow is required; the others are reported as n/a when they cannot run.
  const peers = {};
  const peerInfo = {};
  try {
    peers.tapeflow = await import('./peer-tapeflow.mjs');
    peerInfo.tapeflow = await peers.tapeflow.init();
  } catch (e) {
    console.error(`tapeflow: cannot load dist/index.js (run \`npm run build\` first): ${e.message}`);
    return 1;
  }
  if (opts.tfjs) {
    try {
      peers.tfjs = await import('./peer-tfjs.mjs');
      peerInfo.tfjs = await peers.tfjs.init();
    } catch (e) {
      delete peers.tfjs;
      peerInfo.tfjs = { available: false, reason: e.message };
    }
  } else peerInfo.tfjs = { available: false, reason: 'skipped with --no-tfjs' };

  const labels = { tapeflow: 'tapeflow', tfjs: 'tfjs-cpu', torch: 'torch' };
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  console.log(
    `tapeflow bench  ${new Date().toISOString()}  node ${process.version}  ${cpu}, ${threads} cores`,
  );
  const loadStart = os.loadavg()[0];
  if (loadStart > 0.5) {
    console.log(
      `note: load average ${loadStart.toFixed(1)} on ${threads} cores before starting: other processes use the CPU, numbers will be noisy`,
    );
  }
  console.log(`tapeflow ${peerInfo.tapeflow.version} (${peerInfo.tapeflow.backend} backend)`);
  console.log(
    peers.tfjs
      ? `@tensorflow/tfjs ${peerInfo.tfjs.version} (${peerInfo.tfjs.backend} backend)`
      : `@tensorflow/tfjs: n/a (${peerInfo.tfjs.reason})`,
  );

  // PyTorch first, in its own process, so it never shares the 2 cores with the JS peers.
  let torch = { available: false, reason: 'skipped with --no-torch' };
  if (opts.torch && selected.length) {
    progress(`running PyTorch workloads (${selected.length})...`);
    torch = runTorch({ threads, protocol, workloads: selected });
    progress('');
  }
  if (torch.available) console.log(describeTorch(torch));
  else if (torch.failed) {
    console.log(`PyTorch: failed (${torch.reason})`);
    problems.push(`torch: ${torch.reason}`);
  } else if (opts.torch && !selected.length) console.log('PyTorch: in the sections below');
  else if (opts.torch) console.log(`PyTorch: not installed (${INSTALL_HINT})  [${torch.reason}]`);
  else console.log('PyTorch: skipped (--no-torch)');

  const head = `${pad('workload', 28)}${pad('unit', 9)}${lpad('tapeflow', 10)}${lpad('tfjs-cpu', 10)}${lpad('torch', 10)}  comparison`;
  if (selected.length) {
    console.log();
    console.log(head);
    console.log('-'.repeat(head.length + 56));
  }

  const rows = [];
  for (const w of selected) {
    const results = {};
    for (const [key, peer] of Object.entries(peers)) {
      progress(`${w.id}: ${labels[key]}...`);
      try {
        results[key] = measure(peer, w);
      } catch (e) {
        results[key] = { value: null, error: `${e?.name ?? 'Error'}: ${e?.message ?? e}` };
      }
    }
    progress('');
    if (torch.available) {
      const r = torch.results?.[w.id];
      results.torch = r ? { ...r, check: checkTorch(w, r) } : { value: null, error: 'no result' };
    }
    for (const [key, r] of Object.entries(results)) {
      if (r.error) problems.push(`${labels[key]} ${w.id}: ${r.error}`);
      else if (r.check && !r.check.ok) problems.push(`${labels[key]} ${w.id}: wrong result: ${r.check.note}`);
      else if (!Number.isFinite(r.value)) problems.push(`${labels[key]} ${w.id}: no timing`);
    }
    const tfv = results.tapeflow?.value;
    const ratios = {};
    for (const key of ['tfjs', 'torch']) {
      const pv = results[key]?.value;
      ratios[key] =
        Number.isFinite(tfv) && Number.isFinite(pv) && tfv > 0 && pv > 0
          ? w.higherIsBetter
            ? tfv / pv
            : pv / tfv
          : null;
    }
    const cell = (key) => {
      const r = results[key];
      if (!r) return 'n/a';
      if (r.error) return 'ERR';
      return fmtValue(w.unit, r.value) + (r.check && !r.check.ok ? '!' : '');
    };
    const cmp = results.tapeflow?.error ? 'tapeflow failed' : comparison(ratios, labels);
    console.log(
      `${pad(w.title, 28)}${pad(w.unit, 9)}${lpad(cell('tapeflow'), 10)}${lpad(cell('tfjs'), 10)}${lpad(cell('torch'), 10)}  ${cmp}`,
    );
    rows.push({ ...w, results, ratios });
  }

  // Matmul against the machine's limits (docs/ARCHITECTURE.md).
  const mm = rows.filter((r) => r.group === 'matmul');
  if (mm.length) {
    console.log();
    console.log(
      `matmul as % of the machine's float32 peak (${machine.peakGflops} GFLOP/s) / of numpy+OpenBLAS sgemm at 1024 (${machine.numpyOpenblas1024Gflops} GFLOP/s):`,
    );
    for (const r of mm) {
      const parts = ['tapeflow', 'tfjs', 'torch']
        .filter((k) => Number.isFinite(r.results[k]?.value))
        .map((k) => {
          const v = r.results[k].value;
          const a = ((100 * v) / machine.peakGflops).toFixed(1);
          const b = ((100 * v) / machine.numpyOpenblas1024Gflops).toFixed(1);
          return `${labels[k]} ${a}% / ${b}%`;
        });
      console.log(`  ${pad(r.title, 20)}${parts.join('   ')}`);
    }
  }

  let linalg;
  if (linalgSelected.length) {
    linalg = await runLinalg({
      workloads: linalgSelected,
      threads,
      numpy: opts.numpy,
      torch: opts.torch,
      problems,
      fmt: { fmtValue, comparison, pad, lpad },
    });
    rows.push(...linalg.rows);
  }

  let mnist;
  if (mnistSelected.length) {
    mnist = runMnist({
      workloads: mnistSelected,
      threads,
      torch: opts.torch,
      tfjs: opts.tfjs,
      problems,
      fmt: { fmtRatio, pad, lpad },
      progress,
    });
    rows.push(...mnist.rows);
  }

  // Correctness.
  const seed = rows.find((r) => r.id === 'seed-loop');
  console.log();
  if (seed) {
    console.log('seed loop end state (expected loss ~0.6283, w1/w2/b ~1.95/3.00/4.97):');
    for (const [key, r] of Object.entries(seed.results)) {
      const state = r.error ? `ERROR ${r.error}` : `${r.check?.ok ? 'ok ' : 'BAD'} ${r.check?.note ?? ''}`;
      console.log(`  ${pad(labels[key], 10)}${state}`);
    }
  }
  if (problems.length) {
    console.log(`PROBLEMS (${problems.length}):`);
    for (const p of problems) console.log(`  - ${p}`);
  } else
    console.log(
      'checks: every result is correct (seed loop end state, tiny-op values, sampled matmul entries, linalg residuals)',
    );

  const elapsedS = (Date.now() - started) / 1000;
  const report = {
    schema: 1,
    date: new Date(started).toISOString(),
    elapsedS,
    machine: {
      cpu,
      cores: threads,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverage1m: { start: loadStart, end: os.loadavg()[0] },
    },
    git: gitCommit(),
    protocol,
    machineLimits: machine,
    peers: {
      tapeflow: peerInfo.tapeflow,
      tfjs: peerInfo.tfjs,
      torch: torch.available
        ? {
            available: true,
            version: torch.version,
            python: torch.python,
            threads: torch.threads,
            blas: torch.blas,
          }
        : { available: false, reason: torch.reason },
      ...(linalg ? { linalg: linalg.info } : {}),
      ...(mnist ? { mnist: mnist.info } : {}),
    },
    ratioMeaning: 'speed of tapeflow / speed of peer (>1: tapeflow faster)',
    workloads: rows,
    problems,
  };
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${relative(process.cwd(), opts.out) || opts.out}  (${elapsedS.toFixed(0)} s)`);
  return 0;
}

function gitCommit() {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? { commit: r.stdout.trim() } : {};
}

process.exitCode = await main();
