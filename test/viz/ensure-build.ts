/**
 * The CLI and example tests run the built files (dist/cli, dist/examples) as a user would. This rebuilds
 * them when a source is newer than the build, once, under a lock shared by parallel test files.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) t = Math.max(t, newest(p));
    else if (entry.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function stale(outputs: string[]): boolean {
  const source = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'examples')));
  return outputs.some((o) => !existsSync(join(ROOT, o)) || statSync(join(ROOT, o)).mtimeMs < source);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ensureBuilt(outputs: string[]): Promise<void> {
  const lock = join(ROOT, 'dist-check', '.tapeflow-build-lock');
  mkdirSync(join(ROOT, 'dist-check'), { recursive: true });
  for (;;) {
    if (!stale(outputs)) return;
    try {
      mkdirSync(lock);
    } catch {
      // Another test file is building; a lock older than 5 minutes is left over from a killed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 300_000)
        rmSync(lock, { recursive: true, force: true });
      await sleep(500);
      continue;
    }
    try {
      if (stale(outputs)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
    return;
  }
}
