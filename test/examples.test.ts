import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../src/cli/commands/tour.js';
import { ensureBuilt, ROOT } from './viz/ensure-build.js';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'tapeflow-examples-'));

/** Numbers each example must print (the notes' numbers where tapeflow reproduces them). */
const EXPECTED: Record<string, RegExp[]> = {
  '000-quadratic-by-hand': [
    /loss at epoch 0\s+15\.3396/,
    /loss at epoch 990\s+0\.6283/,
    /1\.95, 3\.00, 4\.97\s+1\.95/,
  ],
  '000-quadratic-momentum-nag': [/Momentum 0\.9: w1, w2, b\s+\S/, /NAG \(nesterov\): final loss\s+\d/],
  '000-quadratic-adam': [/final loss\s+0\.03[0-9]/, /2\.00, 3\.00, 5\.00/],
  '001-cafe-regression': [
    /-126\.7869/,
    /-3208\.839/,
    /9\.944573, 2\.215705/,
    /-2\.7469, -71\.4595/,
    /59 \(beta = 1\.91919191919191/,
  ],
  '001-descent-animation': [
    /after 100 step\(s\)\s+-9\.04015/,
    /after 1000 step\(s\)\s+-3\.21336/,
    /after 10000 step\(s\)\s+1\.99712/,
    /seed001-descent\.gif/,
  ],
  '002-pytorch-backward': [/at a=2, b=6\s+-12/, /a\.grad\)\s+36/, /b\.grad\)\s+-12/],
  '003-custom-training-loop': [/validation accuracy \(1000 test digits\)\s+0\.[89]/, /\{"factor":0\.00001\}/],
  '004-keras-fits': [
    /RMSprop: w1, w2, b0\s+[12]\.\d\d, [23]\.\d\d, [45]\.\d\d/,
    /Adam\(0\.05\): w1, w2, b0\s+2\.00, 3\.00, 5\.0\d/,
  ],
  '004-ols-tls': [
    /OLS: y = w \* x \+ b\s+y = 0\.1\d+ \* x \+ 0\.2\d+/,
    /TLS: y = w \* x \+ b\s+y = 0\.1\d+ \* x \+ 0\.2\d+/,
  ],
};

describe('examples/: every seed example runs and prints the notes numbers', () => {
  beforeAll(async () => {
    await ensureBuilt(['dist/index.js', ...EXAMPLES.map((e) => `dist/examples/${e}.js`)]);
  }, 240_000);

  it('lists every example file', () => {
    const files = readdirSync(join(ROOT, 'examples')).filter((f) => /^\d{3}-.*\.ts$/.test(f));
    expect(files.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...EXAMPLES].sort());
  });

  for (const name of EXAMPLES) {
    it(name, async () => {
      const { stdout } = await run('node', [join(ROOT, 'dist/examples', `${name}.js`)], {
        cwd: ROOT,
        env: { ...process.env, TAPEFLOW_OUT: out },
        timeout: 120_000,
      });
      for (const re of EXPECTED[name]!) expect(stdout).toMatch(re);
    }, 120_000);
  }
});
