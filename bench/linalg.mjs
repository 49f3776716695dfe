// The linear-algebra workloads (group "linalg"): tf.linalg inv, solve, cholesky, svd and eigh on float64
// matrices at n = 64, 256 and 512, beside numpy.linalg and torch.linalg (bench/linalg_bench.py, one
// Python process per peer). tfjs has no linalg: its column is n/a. See bench/README.md.
//
// Inputs (bit-identical in every process, from the counter-based hash below):
//   M    [n,n] uniform in (-1, 1)                     inv, svd (values and vectors, reduced), solve's A
//   b    [n,1] uniform in (-1, 1)                     solve's right-hand side (one column)
//   SPD  M M^T + n I                                  cholesky
//   SYM  (M + M^T) / 2                                eigh
// Every result is checked in float64 (relative residuals below protocol.linalg.tol, structure, and the
// singular values / eigenvalues against numpy's when numpy ran).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './peer-torch.mjs';
import { median, protocol } from './workloads.mjs';

const SCRIPT = fileURLToPath(new URL('./linalg_bench.py', import.meta.url));
const MARKER = '@@LINALG_BENCH_JSON@@ ';

// ---- inputs (must match linalg_bench.py hash_data / inputs) ---------------------------------------

/** Uniform values in (-1, 1): fmix32(i * 0x9E3779B1 + seed * 0x85EBCA77), exact in float64. */
export function hashData(size, seed) {
  const out = new Float64Array(size);
  const s = Math.imul(seed, 0x85ebca77);
  for (let i = 0; i < size; i++) {
    let h = (Math.imul(i, 0x9e3779b1) + s) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
    out[i] = (h + 0.5) / 2147483648 - 1;
  }
  return out;
}

/** C [n,m] = A [n,k] B [k,m], row-major float64. */
function mm(a, b, n, k, m) {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const co = i * m;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      const bo = p * m;
      for (let j = 0; j < m; j++) c[co + j] += aip * b[bo + j];
    }
  }
  return c;
}

function transpose(a, rows, cols) {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

function fro(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** ||A - B||_F, optionally with B + I (`minusEye` = n). */
function froDiff(a, b, minusEye = 0) {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    let d = a[i] - (b ? b[i] : 0);
    if (minusEye && i % (minusEye + 1) === 0) d -= 1;
    s += d * d;
  }
  return Math.sqrt(s);
}

export function linalgInputs(op, n) {
  const m = hashData(n * n, 1000 + n);
  if (op === 'solve') return { a: m, b: hashData(n, 2000 + n), bShape: [n, 1] };
  if (op === 'cholesky') {
    const spd = mm(m, transpose(m, n, n), n, n, n);
    for (let i = 0; i < n; i++) spd[i * n + i] += n;
    return { a: spd };
  }
  if (op === 'eigh') {
    const sym = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) sym[i * n + j] = (m[i * n + j] + m[j * n + i]) * 0.5;
    return { a: sym };
  }
  return { a: m };
}

// ---- checks (the same quantities as linalg_bench.py errors) ---------------------------------------

/**
 * Relative residuals of one result and its structural problems. `out` holds plain Float64Arrays:
 * inv/solve/cholesky { x }, svd { u, s, v } (A = U diag(s) V^T), eigh { w, v } (A V = V diag(w)).
 */
export function linalgErrors(op, n, d, out) {
  const errors = {};
  const bad = [];
  const { a } = d;
  if (op === 'inv') {
    errors.residual = froDiff(mm(a, out.x, n, n, n), null, n) / (fro(a) * fro(out.x));
  } else if (op === 'solve') {
    errors.residual = froDiff(mm(a, out.x, n, n, 1), d.b) / (fro(a) * fro(out.x) + fro(d.b));
  } else if (op === 'cholesky') {
    const l = out.x;
    errors.reconstruction = froDiff(mm(l, transpose(l, n, n), n, n, n), a) / fro(a);
    let upper = false;
    let diag = true;
    for (let i = 0; i < n; i++) {
      if (!(l[i * n + i] > 0)) diag = false;
      for (let j = i + 1; j < n; j++) if (l[i * n + j] !== 0) upper = true;
    }
    if (upper) bad.push('not lower-triangular');
    if (!diag) bad.push('diagonal not positive');
  } else if (op === 'svd') {
    const { u, s, v } = out;
    const us = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) us[i * n + j] = u[i * n + j] * s[j];
    errors.reconstruction = froDiff(mm(us, transpose(v, n, n), n, n, n), a) / fro(a);
    const uu = mm(transpose(u, n, n), u, n, n, n);
    const vv = mm(transpose(v, n, n), v, n, n, n);
    errors.orthogonality = Math.max(froDiff(uu, null, n), froDiff(vv, null, n)) / Math.sqrt(n);
    for (let i = 0; i < n; i++) {
      if (!(s[i] >= 0) || (i > 0 && s[i] > s[i - 1])) {
        bad.push('singular values not descending and non-negative');
        break;
      }
    }
  } else if (op === 'eigh') {
    const { w, v } = out;
    const av = mm(a, v, n, n, n);
    const vw = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vw[i * n + j] = v[i * n + j] * w[j];
    errors.reconstruction = froDiff(av, vw) / fro(a);
    errors.orthogonality = froDiff(mm(transpose(v, n, n), v, n, n, n), null, n) / Math.sqrt(n);
    for (let i = 1; i < n; i++) {
      if (!(w[i] >= w[i - 1])) {
        bad.push('eigenvalues not ascending');
        break;
      }
    }
  }
  return { errors, bad };
}

/** max |x - ref| / max |ref| (the singular values or eigenvalues against numpy's). */
function spectrumErr(x, ref) {
  if (!x || !ref || x.length !== ref.length) return Number.NaN;
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    worst = Math.max(worst, Math.abs(x[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return worst / (scale || 1);
}

/** Turns a peer's residuals into { ok, note, maxErr }; `ref` is numpy's spectrum (svd, eigh) or null. */
function checkLinalg(r, ref) {
  const tol = protocol.linalg.tol;
  const errors = { ...r.errors };
  if (ref && r.spectrum) errors.vsNumpy = spectrumErr(r.spectrum, ref);
  const problems = [...(r.bad ?? [])];
  if (r.dtype !== 'float64') problems.push(`dtype ${r.dtype}`);
  let maxErr = 0;
  for (const [k, e] of Object.entries(errors)) {
    if (!(e <= tol)) problems.push(`${k} ${e} > ${tol}`);
    maxErr = Math.max(maxErr, Number.isFinite(e) ? e : Number.POSITIVE_INFINITY);
  }
  const note = Object.entries(errors)
    .map(([k, e]) => `${k} ${Number.isFinite(e) ? e.toExponential(1) : e}`)
    .join(', ');
  return { ok: problems.length === 0, note: problems.length ? problems.join('; ') : note, maxErr, errors };
}

// ---- timing -----------------------------------------------------------------------------------------

/**
 * Same protocol as linalg_bench.py time_calls: warm-up calls for ~warmupS (at least 1; the first JS
 * call runs cold code, so the rep count comes from the last warm-up call); then as many timed calls as
 * fit in ~targetS (at least minReps). When the first call alone takes over slowS, it counts as a sample
 * and only slowReps more calls are made.
 */
function timeCalls(call) {
  const p = protocol.linalg;
  const samples = [];
  let t0 = performance.now();
  let r = call();
  let last = performance.now() - t0;
  let reps;
  if (last > p.slowS * 1000) {
    samples.push(last);
    reps = p.slowReps;
  } else {
    let warm = last;
    while (warm < p.warmupS * 1000) {
      t0 = performance.now();
      r = call();
      last = performance.now() - t0;
      warm += last;
    }
    reps = Math.min(p.maxReps, Math.max(p.minReps, Math.round((p.targetS * 1000) / Math.max(last, 1e-6))));
  }
  for (let i = 0; i < reps; i++) {
    t0 = performance.now();
    r = call();
    samples.push(performance.now() - t0);
  }
  return { r, samples };
}

// ---- peers ------------------------------------------------------------------------------------------

/** tapeflow: one workload, timed and checked. */
function measureTapeflow(tf, w) {
  const { op, n } = w;
  const d = linalgInputs(op, n);
  const a = tf.tensor(d.a, { shape: [n, n], dtype: 'float64' });
  const L = tf.linalg;
  const b = op === 'solve' ? tf.tensor(d.b, { shape: d.bShape, dtype: 'float64' }) : null;
  const call = {
    inv: () => L.inv(a),
    solve: () => L.solve(a, b),
    cholesky: () => L.cholesky(a),
    svd: () => L.svd(a),
    eigh: () => L.eigh(a),
  }[op];
  const { r, samples } = timeCalls(call);
  const data = (t) => Float64Array.from(t.dataSync());
  let out;
  let dtype;
  let spectrum;
  if (op === 'svd') {
    out = { u: data(r.u), s: data(r.s), v: data(r.v) };
    dtype = r.u.dtype === r.s.dtype && r.s.dtype === r.v.dtype ? r.s.dtype : `${r.u.dtype}/${r.s.dtype}`;
    spectrum = Array.from(out.s);
  } else if (op === 'eigh') {
    out = { w: data(r.eigenvalues), v: data(r.eigenvectors) };
    dtype = r.eigenvectors.dtype;
    spectrum = Array.from(out.w);
  } else {
    out = { x: data(r) };
    dtype = r.dtype;
  }
  const sizes = Object.values(out).map((x) => x.length);
  const want = { svd: [n * n, n, n * n], eigh: [n, n * n], solve: [n] }[op] ?? [n * n];
  const { errors, bad } = linalgErrors(op, n, d, out);
  if (sizes.join() !== want.join()) bad.push(`sizes ${sizes} (expected ${want})`);
  return {
    value: median(samples),
    reps: samples.length,
    samplesMs: samples.length <= 50 ? samples : undefined,
    errors,
    bad,
    dtype,
    spectrum,
  };
}

/** numpy or torch in their own process. */
function runPython(peer, { threads, workloads, timeoutS = 180 }) {
  if (!existsSync(PYTHON)) return { available: false, reason: `${PYTHON} not found` };
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) };
  if (peer === 'numpy') {
    // As the issue asks: numpy runs with OpenBLAS's own core detection and cache sizes.
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
  }
  const res = spawnSync(PYTHON, [SCRIPT, peer], {
    input: JSON.stringify({ threads, protocol: protocol.linalg, workloads }),
    encoding: 'utf8',
    timeout: timeoutS * 1000,
    maxBuffer: 64 * 1024 * 1024,
    env,
  });
  if (res.error) return { available: false, reason: `could not run ${PYTHON}: ${res.error.message}` };
  const line = (res.stdout ?? '').split('\n').find((l) => l.startsWith(MARKER));
  if (!line) {
    const tail = (res.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    const why = res.signal ? `killed by ${res.signal}` : `exit ${res.status}`;
    return {
      available: false,
      failed: true,
      reason: `linalg_bench.py ${peer} gave no result (${why}): ${tail}`,
    };
  }
  return JSON.parse(line.slice(MARKER.length));
}

function describeBlas(info) {
  const b = info.blas ?? {};
  if (!b.openblas_config) return b.libraries?.length ? b.libraries.join(', ') : 'BLAS unknown';
  return `${b.openblas_config.split(' ').slice(0, 2).join(' ')} core ${b.openblas_core}, ${b.openblas_threads} BLAS threads`;
}

// ---- the section ------------------------------------------------------------------------------------

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

/**
 * Runs the selected linalg workloads in numpy, torch (each its own process) and tapeflow, prints the
 * table and the checks, adds failures to `problems`, and returns { rows, info } for the JSON report.
 * `fmt` holds run.mjs's formatting helpers { fmtValue, comparison, pad, lpad }.
 */
export async function runLinalg({ workloads, threads, numpy = true, torch = true, problems, fmt }) {
  const { fmtValue, comparison, pad, lpad } = fmt;
  const tf = await import('../dist/index.js');
  const labels = { tapeflow: 'tapeflow', tfjs: 'tfjs-cpu', numpy: 'numpy', torch: 'torch' };
  const py = {};
  for (const [peer, on] of [
    ['numpy', numpy],
    ['torch', torch],
  ]) {
    if (!on) {
      py[peer] = { available: false, reason: `skipped with --no-${peer}` };
      continue;
    }
    progress(`linalg: ${peer} (${workloads.length} workloads)...`);
    py[peer] = runPython(peer, { threads, workloads });
    progress('');
  }

  console.log();
  console.log(
    `linear algebra, float64, ms per call (median; ~${protocol.linalg.targetS} s of calls, 2 calls when one takes over ${protocol.linalg.slowS} s), lower is better`,
  );
  console.log('  solve: A [n,n], B [n,1]; cholesky of M M^T + n I; svd with U and V; eigh of (M + M^T)/2');
  const np = py.numpy;
  console.log(
    np.available
      ? `  numpy ${np.version} (python ${np.python}, own process, OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset): ${describeBlas(np)}`
      : `  numpy: n/a (${np.reason})`,
  );
  const th = py.torch;
  console.log(
    th.available
      ? `  torch.linalg ${th.version}: ${th.threads} threads, ${describeBlas(th)}`
      : `  torch.linalg: n/a (${th.reason})`,
  );
  console.log(
    `  tapeflow ${tf.version} (${tf.getBackend()} backend; the linalg kernels are JS, one thread); tfjs-cpu: n/a (tfjs has no linalg)`,
  );
  for (const peer of ['numpy', 'torch'])
    if (py[peer].failed) problems.push(`${peer} linalg: ${py[peer].reason}`);
  console.log();

  const head = `${pad('workload', 28)}${pad('unit', 9)}${lpad('tapeflow', 10)}${lpad('tfjs-cpu', 10)}${lpad('numpy', 10)}${lpad('torch', 10)}  comparison`;
  console.log(head);
  console.log('-'.repeat(head.length + 56));

  const rows = [];
  for (const w of workloads) {
    const results = {};
    progress(`${w.id}: tapeflow...`);
    try {
      results.tapeflow = measureTapeflow(tf, w);
    } catch (e) {
      results.tapeflow = { value: null, error: `${e?.name ?? 'Error'}: ${e?.message ?? e}` };
    }
    progress('');
    for (const peer of ['numpy', 'torch']) {
      if (!py[peer].available) continue;
      const r = py[peer].results?.[w.id];
      results[peer] = r ?? { value: null, error: 'no result' };
    }
    const ref = results.numpy && !results.numpy.error ? results.numpy.spectrum : null;
    for (const [key, r] of Object.entries(results)) {
      if (r.error) problems.push(`${labels[key]} ${w.id}: ${r.error}`);
      else {
        r.check = checkLinalg(r, key === 'numpy' ? null : ref);
        if (!r.check.ok) problems.push(`${labels[key]} ${w.id}: wrong result: ${r.check.note}`);
        else if (!Number.isFinite(r.value)) problems.push(`${labels[key]} ${w.id}: no timing`);
      }
    }
    const tfv = results.tapeflow?.value;
    const ratios = {};
    for (const key of ['numpy', 'torch']) {
      const pv = results[key]?.value;
      ratios[key] = Number.isFinite(tfv) && Number.isFinite(pv) && tfv > 0 && pv > 0 ? pv / tfv : null;
    }
    const cell = (key) => {
      const r = results[key];
      if (!r) return 'n/a';
      if (r.error) return 'ERR';
      return fmtValue(w.unit, r.value) + (r.check && !r.check.ok ? '!' : '');
    };
    const cmp = results.tapeflow?.error ? 'tapeflow failed' : comparison(ratios, labels);
    console.log(
      `${pad(w.title, 28)}${pad(w.unit, 9)}${lpad(cell('tapeflow'), 10)}${lpad('n/a', 10)}${lpad(cell('numpy'), 10)}${lpad(cell('torch'), 10)}  ${cmp}`,
    );
    // Keep the JSON small: the spectra only served the check.
    for (const r of Object.values(results)) delete r.spectrum;
    rows.push({ ...w, results, ratios });
  }

  console.log();
  console.log(
    `linalg checks: largest relative residual / orthogonality error / spectrum vs numpy per peer (tolerance ${protocol.linalg.tol}):`,
  );
  for (const r of rows) {
    const parts = Object.entries(r.results).map(([k, x]) => {
      if (x.error) return `${labels[k]} ERROR`;
      return `${labels[k]} ${x.check.ok ? '' : 'BAD '}${Number.isFinite(x.check.maxErr) ? x.check.maxErr.toExponential(1) : x.check.maxErr}`;
    });
    console.log(`  ${pad(r.title, 26)}${parts.join('   ')}`);
  }

  const info = {};
  for (const peer of ['numpy', 'torch']) {
    const { results: _r, ...rest } = py[peer];
    info[peer] = rest;
  }
  return { rows, info };
}
