// The Fashion-MNIST training workloads (group "mnist"): one epoch of the MLP 784-128-10 (Adam, batch
// 128) and of the small CNN (Conv2D 32 3x3 relu, MaxPool 2, Dense 10; Adam, batch 64) in tapeflow,
// @tensorflow/tfjs (cpu backend) and PyTorch (CPU), each peer in its own process (bench/mnist-peer.mjs,
// bench/mnist-torch.py), reporting training samples/s, peak memory (RSS) and test accuracy.
//
// Data: Fashion-MNIST IDX files (gzip or not) in ../shared/data/fashion-mnist (the project workspace)
// or Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist); the section is skipped with a
// message when neither is there (TAPEFLOW_FASHION_MNIST=<dir> points elsewhere). Every peer trains on
// the same first N training images in file order (no shuffling), from the same initial state of its
// own framework's default initializers, and is tested on all 10,000 test images. See bench/README.md.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './peer-torch.mjs';

const PEER = fileURLToPath(new URL('./mnist-peer.mjs', import.meta.url));
const TORCH = fileURLToPath(new URL('./mnist-torch.py', import.meta.url));
const MARKER = '@@MNIST_BENCH_JSON@@ ';

/**
 * One epoch per model. The MLP trains on all 60,000 images; the CNN on the first 10,000 (a full CNN
 * epoch takes minutes on 2 cores for tapeflow's JS backend). tfjs-cpu's conv2d backward pass runs ~25
 * samples/s, so its CNN trains on the first `tfjsSamples` only (its samples/s is over those; its test
 * accuracy is then not comparable and is marked). Accuracy after one epoch on the same images is
 * comparable across peers, not with published full-training numbers.
 */
export const MNIST_PROTOCOL = {
  mlp: { samples: 60_000, batchSize: 128, lr: 1e-3 },
  cnn: { samples: 10_000, batchSize: 64, lr: 1e-3, tfjsSamples: 1_280 },
  timeoutS: 300,
  // tapeflow and PyTorch (as it comes) run this many times, alternately, and report their median run:
  // on a shared 2-core machine one epoch varies by tens of percent from run to run.
  repeats: 3,
};

const CANDIDATES = [
  process.env.TAPEFLOW_FASHION_MNIST,
  fileURLToPath(new URL('../../shared/data/fashion-mnist', import.meta.url)),
  '/usr/share/datasets/fashion-mnist',
].filter(Boolean);

/** The first directory holding the four Fashion-MNIST IDX files (gzip or not), or null. */
export function findFashionMnist() {
  const stems = [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ];
  return (
    CANDIDATES.find((d) => stems.every((s) => existsSync(`${d}/${s}.gz`) || existsSync(`${d}/${s}`))) ?? null
  );
}

function parseResult(res, what) {
  if (res.error) return { error: `${what}: ${res.error.message}` };
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith(MARKER));
  if (!line) {
    const tail = (res.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    return {
      error: `${what} gave no result (${res.signal ? `killed by ${res.signal}` : `exit ${res.status}`}): ${tail}`,
    };
  }
  return JSON.parse(line.slice(MARKER.length));
}

function runJsPeer(peer, kind, dir, p, threads) {
  const samples = peer === 'tfjs' ? (p.tfjsSamples ?? p.samples) : p.samples;
  const res = spawnSync(
    process.execPath,
    [PEER, peer, kind, dir, String(samples), String(p.batchSize), String(p.lr)],
    {
      encoding: 'utf8',
      timeout: MNIST_PROTOCOL.timeoutS * 1000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, UV_THREADPOOL_SIZE: String(threads) },
    },
  );
  return parseResult(res, `mnist-peer.mjs ${peer} ${kind}`);
}

/**
 * PyTorch in its own process. threads = null: its defaults (no torch.set_num_threads, OMP_NUM_THREADS and
 * OPENBLAS_NUM_THREADS removed from the environment); otherwise that many OpenMP threads and blasThreads
 * OpenBLAS threads.
 */
function runTorchPeer(kind, dir, p, threads, blasThreads = threads) {
  if (!existsSync(PYTHON)) return { error: `${PYTHON} not found` };
  const env = { ...process.env };
  delete env.OMP_NUM_THREADS;
  delete env.OPENBLAS_NUM_THREADS;
  if (threads !== null) {
    env.OMP_NUM_THREADS = String(threads);
    env.OPENBLAS_NUM_THREADS = String(blasThreads);
  }
  const res = spawnSync(
    PYTHON,
    [TORCH, kind, dir, String(p.samples), String(p.batchSize), String(p.lr), String(threads ?? 0)],
    {
      encoding: 'utf8',
      timeout: MNIST_PROTOCOL.timeoutS * 1000,
      maxBuffer: 16 * 1024 * 1024,
      env,
    },
  );
  const r = parseResult(res, `mnist-torch.py ${kind}`);
  return r.error || threads === null ? r : { ...r, torchThreads: threads, blasThreads };
}

/**
 * PyTorch at its best setting here: on 2 cores its OpenMP threads (torch.set_num_threads) and
 * OpenBLAS's threads compete, and which split wins depends on the model (the MLP is fastest on one torch
 * thread with OpenBLAS on two, which is also Debian's default; the CNN on two torch threads with OpenBLAS
 * on one). Every split is run and the fastest of them and the default run is reported, with its setting.
 */
function runTorchBest(kind, dir, p, threads, asItComes) {
  // The default run counts too: it is one of the splits (1/2 here), and runs vary by tens of percent.
  let best =
    asItComes && !asItComes.error ? { ...asItComes, torchThreads: 'default', blasThreads: 'default' } : null;
  for (const [t, b] of [
    [1, 1],
    [1, threads],
    [threads, 1],
    [threads, threads],
  ]) {
    const r = runTorchPeer(kind, dir, p, t, b);
    if (r.error) return r;
    if (!best || r.samplesPerS > best.samplesPerS) best = r;
  }
  return best;
}

/**
 * The run of median samples/s among `runs` (an error if any failed), with the largest peak RSS of them
 * (memory is compared at its worst) and every run's samples/s.
 */
function medianRun(runs) {
  const failed = runs.find((r) => r.error);
  if (failed) return failed;
  const sorted = [...runs].sort((a, b) => a.samplesPerS - b.samplesPerS);
  return {
    ...sorted[(sorted.length - 1) >> 1],
    peakRssMB: Math.max(...runs.map((r) => r.peakRssMB)),
    runsSamplesPerS: runs.map((r) => r.samplesPerS),
  };
}

/** The fastest of runs that all succeeded, or null. */
function fastestRun(runs) {
  if (runs.some((r) => r.error)) return null;
  return runs.reduce((a, b) => (b.samplesPerS > a.samplesPerS ? b : a));
}

/**
 * Runs the selected mnist workloads and prints their table. `problems` collects failures; returns
 * `{ rows, info }` for the JSON report (rows: one per workload with every peer's result and ratios).
 */
export function runMnist({
  workloads,
  threads,
  torch = true,
  tfjs = true,
  problems,
  fmt,
  progress = () => {},
}) {
  const { fmtRatio, pad, lpad } = fmt;
  console.log();
  const dir = findFashionMnist();
  if (!dir) {
    console.log(
      `Fashion-MNIST training: skipped, no Fashion-MNIST files in ${CANDIDATES.join(' or ')} (apt-get install dataset-fashion-mnist, or set TAPEFLOW_FASHION_MNIST=<dir>)`,
    );
    return { rows: [], info: { skipped: true, searched: CANDIDATES } };
  }
  const peers = [
    ['tapeflow', 'tapeflow'],
    ...(tfjs ? [['tfjs', 'tfjs-cpu']] : []),
    // PyTorch twice: as it comes (its default threads) and at its best split of the cores.
    ...(torch
      ? [
          ['torch', 'torch'],
          ['torchBest', 'torch best'],
        ]
      : []),
  ];
  console.log(
    `Fashion-MNIST training, one epoch (${dir}): MLP on all ${MNIST_PROTOCOL.mlp.samples.toLocaleString('en-US')} training images, CNN on the first ${MNIST_PROTOCOL.cnn.samples.toLocaleString('en-US')} (a fixed subset, to keep the run short); test accuracy on all 10,000 test images`,
  );
  const head = `${pad('workload', 28)}${pad('peer', 10)}${lpad('samples/s', 11)}${lpad('peak RSS', 10)}${lpad('test acc', 10)}${lpad('train s', 9)}  speed / memory ratio (tapeflow vs peer)`;
  console.log(head);
  console.log('-'.repeat(head.length + 4));
  const rows = [];
  const footnotes = [];
  for (const w of workloads) {
    const kind = w.kind;
    const p = MNIST_PROTOCOL[kind];
    const results = {};
    // One process at a time: PyTorch as it comes and tapeflow alternately, then PyTorch's other thread
    // splits, then tfjs.
    const torchRuns = [];
    const tapeflowRuns = [];
    for (let i = 0; i < MNIST_PROTOCOL.repeats; i++) {
      if (torch) {
        progress(`${w.id}: torch (${i + 1}/${MNIST_PROTOCOL.repeats})...`);
        torchRuns.push(runTorchPeer(kind, dir, p, null));
      }
      progress(`${w.id}: tapeflow (${i + 1}/${MNIST_PROTOCOL.repeats})...`);
      tapeflowRuns.push(runJsPeer('tapeflow', kind, dir, p, threads));
    }
    results.tapeflow = medianRun(tapeflowRuns);
    if (torch) {
      results.torch = medianRun(torchRuns);
      progress(`${w.id}: torch best...`);
      results.torchBest = runTorchBest(kind, dir, p, threads, fastestRun(torchRuns));
    }
    if (tfjs) {
      progress(`${w.id}: tfjs...`);
      results.tfjs = runJsPeer('tfjs', kind, dir, p, threads);
    }
    progress('');
    const tf = results.tapeflow;
    const ratios = {};
    for (const [key, label] of peers) {
      const r = results[key];
      if (r.error) {
        problems.push(`${label} ${w.id}: ${r.error}`);
        console.log(`${pad(w.title, 28)}${pad(label, 10)}${lpad('ERR', 11)}  ${r.error.slice(0, 100)}`);
        continue;
      }
      const partial = r.samples < p.samples;
      if (partial)
        footnotes.push(
          `* ${label} ${w.id}: trained on the first ${r.samples.toLocaleString('en-US')} images only (a ${p.samples.toLocaleString('en-US')}-image epoch would take ~${Math.round(p.samples / r.samplesPerS)} s); samples/s is over those, its test accuracy is not comparable`,
        );
      else if (!(r.testAccuracy > 0.5))
        problems.push(`${label} ${w.id}: test accuracy ${r.testAccuracy} after one epoch`);
      let cmp = '';
      if (key !== 'tapeflow' && tf && !tf.error) {
        const speed = tf.samplesPerS / r.samplesPerS;
        const memory = tf.peakRssMB / r.peakRssMB;
        ratios[key] = { speed, memory };
        cmp = `${speed >= 1 ? `${fmtRatio(speed)}x faster` : `${fmtRatio(speed)}x (${fmtRatio(1 / speed)}x slower)`}, ${fmtRatio(memory)}x the memory`;
      }
      console.log(
        `${pad(w.title, 28)}${pad(label, 10)}${lpad(r.samplesPerS.toFixed(0), 11)}${lpad(`${r.peakRssMB.toFixed(0)} MB`, 10)}${lpad(`${(100 * r.testAccuracy).toFixed(2)}%${partial ? '*' : ''}`, 10)}${lpad(r.trainS.toFixed(1), 9)}  ${cmp}`,
      );
    }
    rows.push({ ...w, protocol: p, results, ratios });
  }
  for (const f of footnotes) console.log(f);
  const backend = results0(rows)?.backend;
  console.log(
    `tapeflow on its ${backend ?? '?'} backend; tfjs on its pure-JS cpu backend (one thread); torch with its default threads (nothing set); torch best: the fastest split of the ${threads} cores between its OpenMP and OpenBLAS threads (torch/OpenBLAS: ${bestSplits(rows)}), the default runs included. tapeflow and torch: the median of ${MNIST_PROTOCOL.repeats} alternating runs, with the largest peak RSS of them. Peak RSS is the process's maximum resident set (ru_maxrss), data included: each peer holds the float32 images (~190 MB for 60,000).`,
  );
  return { rows, info: { dir, protocol: MNIST_PROTOCOL } };
}

function bestSplits(rows) {
  return rows
    .map((r) => r.results.torchBest)
    .filter((r) => r && !r.error)
    .map((r) =>
      r.torchThreads === 'default' ? `${r.kind} default` : `${r.kind} ${r.torchThreads}/${r.blasThreads}`,
    )
    .join(', ');
}

function results0(rows) {
  return rows.find((r) => r.results.tapeflow && !r.results.tapeflow.error)?.results.tapeflow;
}
