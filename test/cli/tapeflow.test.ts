import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from '../viz/ensure-build.js';

const BIN = join(ROOT, 'dist/cli/tapeflow.js');
const out = mkdtempSync(join(tmpdir(), 'tapeflow-cli-'));

function tapeflow(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [BIN, ...args], { cwd: out, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the tapeflow command', () => {
  beforeAll(async () => {
    await ensureBuilt(['dist/index.js', 'dist/cli/tapeflow.js', 'dist/examples/004-ols-tls.js']);
  }, 240_000);

  it('is the package bin', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.bin.tapeflow).toBe('./dist/cli/tapeflow.js');
  });

  for (const args of [
    ['--help'],
    ...['tour', 'race', 'descend', 'train', 'graph'].map((c) => [c, '--help']),
  ]) {
    it(`${args.join(' ')} prints usage`, async () => {
      const r = await tapeflow(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: tapeflow/);
    });
  }

  it.each([
    [['race', '--optimizers', 'sgd,frobnicate'], /unknown optimizer 'frobnicate'/],
    [['race', '--fn', 'himmelblau'], /unknown function 'himmelblau'/],
    [['train', '--data', '/no/such/file.csv'], /cannot read '\/no\/such\/file\.csv'/],
    [['descend', '--lr', 'fast'], /--lr: 'fast'/],
    [['graph', '--expr', '3*a^3 - q'], /unknown variable 'q'/],
    [['sing'], /unknown command 'sing'/],
  ])('%j fails with one line and status 2', async (args, message) => {
    const r = await tapeflow(...args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toMatch(message);
    expect(lines.filter((l) => /error/i.test(l))).toHaveLength(1);
  });

  it('race writes the animated comparison and prints the paths', async () => {
    const r = await tapeflow(
      'race',
      '--fn',
      'quadratic',
      '--optimizers',
      'sgd,momentum,nag,adam',
      '--steps',
      '40',
      '--format',
      'html,svg,png,gif',
      '--out',
      'race',
    );
    expect(r.code).toBe(0);
    const paths = r.stdout.trim().split('\n');
    expect(paths).toEqual([
      'race/race-quadratic.html',
      'race/race-quadratic.svg',
      'race/race-quadratic.png',
      'race/race-quadratic.gif',
    ]);
    for (const p of paths) expect(existsSync(join(out, p))).toBe(true);
    expect(readFileSync(join(out, paths[3]!)).subarray(0, 6).toString()).toBe('GIF89a');
    expect(r.stderr).toMatch(/\[4\/4\] adam done/);
  });

  it("descend reproduces seed 001's learning-rate animation", async () => {
    const r = await tapeflow('descend', '--lr', '0.01/6,0.1,1.0', '--steps', '100', '--out', 'descend');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['descend/descend.html', 'descend/descend.gif']);
    expect(r.stderr).toMatch(/lr 0\.01\/6: β -10 → -9\.040152 after 100 steps/);
  });

  it("graph draws an expression's graph and prints its gradients", async () => {
    const r = await tapeflow('graph', '--out', 'graph');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/= -12\nd\/da = 36\nd\/db = -12/);
    const svg = readFileSync(join(out, 'graph/graph.svg'), 'utf8');
    expect(svg).toMatch(/<rect class="tf-node tf-op"/);
    expect(svg).toMatch(/\[1\] float32/);
  });

  it('train fits a CSV dataset with the progress bar and writes the History chart', async () => {
    const lines = ['x1,x2,label'];
    for (let i = 0; i < 200; i++) {
      const a = Math.sin(i * 1.7);
      const b = Math.cos(i * 2.3);
      lines.push(`${a},${b},${a + b > 0 ? 'up' : 'down'}`);
    }
    writeFileSync(join(out, 'points.csv'), `${lines.join('\n')}\n`);
    const r = await tapeflow(
      'train',
      '--data',
      'points.csv',
      '--epochs',
      '3',
      '--lr',
      '0.05',
      '--out',
      'train',
      '--format',
      'html,svg',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Epoch 3\/3/);
    expect(r.stdout).toMatch(/val_accuracy/);
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual(['train/history.html', 'train/history.svg']);
  });

  it('tour writes one HTML report with every seed example', async () => {
    const r = await tapeflow('tour', '--out', 'tour');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('tour/tour.html');
    const html = readFileSync(join(out, 'tour/tour.html'), 'utf8');
    for (const seed of ['000', '001', '002', '003', '004']) expect(html).toContain(`Seed ${seed}`);
    expect(html).toContain('15.3396');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  }, 180_000);
});
