import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type * as tf from '../../../src/index.js';

const created: string[] = [];

/** A fresh temporary directory for one test (removed by `removeTempDirs`). */
export function tempDir(prefix = 'tapeflow-saving-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes the directories `tempDir` made; each test file calls it in afterAll. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The values of a tensor (or of each tensor of a list) as plain arrays. */
export function values(t: tf.Tensor | tf.Tensor[]): unknown {
  return Array.isArray(t) ? t.map((x) => x.arraySync()) : t.arraySync();
}

/** Bit-for-bit equal predictions. */
export function expectSame(a: tf.Tensor | tf.Tensor[], b: tf.Tensor | tf.Tensor[]): void {
  expect(values(a)).toEqual(values(b));
}

/** The weights of a model as plain arrays. */
export function weightValues(model: tf.keras.Model): unknown[] {
  return model.getWeights().map((w) => w.arraySync());
}

/** Largest absolute difference between two nested arrays of numbers. */
export function maxAbsDiff(a: unknown, b: unknown): number {
  const fa = [a].flat(Number.POSITIVE_INFINITY) as number[];
  const fb = [b].flat(Number.POSITIVE_INFINITY) as number[];
  expect(fa.length).toBe(fb.length);
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i]! - fb[i]!));
  return m;
}
