/**
 * What every seed example returns, and how it prints when run directly: each number tapeflow computes
 * beside the number the lecture notes print. `tapeflow tour` runs the examples in order and puts the
 * same rows and the examples' pictures into one HTML report.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from 'tapeflow';

export interface Row {
  /** What was computed. */
  what: string;
  /** tapeflow's number. */
  got: string;
  /** The notes' number ('' when the notes print none, e.g. random data). */
  notes: string;
}

export interface ExampleResult {
  seed: string;
  title: string;
  rows: Row[];
  figures: tf.viz.Figure[];
}

/** Fixed decimals, like Python's '%.4f'. */
export const fmt = (v: number, digits: number): string => v.toFixed(digits);

/** Whether the module at `metaUrl` is the program being run (node file.js, vite-node file.ts). */
export function isMain(metaUrl: string): boolean {
  const self = fileURLToPath(metaUrl);
  return process.argv.slice(1, 3).some((arg) => {
    try {
      return realpathSync(resolve(arg)) === realpathSync(self);
    } catch {
      return false;
    }
  });
}

/** Prints the rows as a table and saves the figures (HTML) under $TAPEFLOW_OUT (default tapeflow-output/). */
export async function report(result: ExampleResult): Promise<void> {
  const width = Math.max(8, ...result.rows.map((r) => r.what.length));
  const gotWidth = Math.min(40, Math.max(8, ...result.rows.map((r) => r.got.length)));
  console.log(`seed ${result.seed}: ${result.title}`);
  console.log(`${'example'.padEnd(width)}  ${'tapeflow'.padEnd(gotWidth)}  notes`);
  console.log('-'.repeat(width + gotWidth + 16));
  for (const r of result.rows) console.log(`${r.what.padEnd(width)}  ${r.got.padEnd(gotWidth)}  ${r.notes}`);
  const dir = process.env.TAPEFLOW_OUT ?? 'tapeflow-output';
  for (const [i, figure] of result.figures.entries()) {
    const stem = `${dir}/seed${result.seed}-${result.title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${i + 1}`;
    console.log(`wrote ${await figure.save(`${stem}.html`)}`);
  }
}
