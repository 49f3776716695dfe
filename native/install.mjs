// `npm install` hook: builds the native backend with node-gyp against the headers of the running Node
// (<prefix>/include/node, shipped with Node), never downloading anything. Any failure (no compiler, no
// headers, no node-gyp) prints one warning line and exits 0: tapeflow then runs on its JS backend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const warn = (why) => {
  console.warn(`tapeflow: native backend not built (${why}); using the JS backend`);
  process.exit(0);
};

if (process.env.TAPEFLOW_SKIP_NATIVE) warn('TAPEFLOW_SKIP_NATIVE is set');
const prefixes = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))].filter(Boolean);
const nodedir = prefixes.find((p) => existsSync(join(p, 'include', 'node', 'node_api.h')));
if (!nodedir) warn(`no Node headers under ${prefixes.join(' or ')}/include/node`);

let gyp = process.env.npm_config_node_gyp;
if (!gyp || !existsSync(gyp)) {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.unshift(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {}
  gyp = candidates.find((c) => existsSync(c));
}
if (!gyp) warn('node-gyp not found');

const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, `--jobs=max`], {
  cwd: here,
  stdio: process.env.TAPEFLOW_NATIVE_VERBOSE ? 'inherit' : 'pipe',
  encoding: 'utf8',
});
if (r.status !== 0) {
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const line = log.split('\n').find((l) => /error/i.test(l) && !/^gyp (info|http)/.test(l));
  warn(`node-gyp failed${line ? `: ${line.trim().slice(0, 160)}` : ''}; TAPEFLOW_NATIVE_VERBOSE=1 shows the log`);
}
