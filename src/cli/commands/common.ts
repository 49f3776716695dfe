/** Shared pieces of the `tapeflow` command: one-line errors (exit status 2), output paths, parsing. */
import type { Figure } from '../../viz/figure.js';

/** An error the command reports as one line and exit status 2. */
export class UsageError extends Error {}

export const FORMATS = ['html', 'svg', 'png', 'gif'] as const;
export type Format = (typeof FORMATS)[number];

export function parseFormats(text: string): Format[] {
  const list = text
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f))
      throw new UsageError(`unknown format '${f}' (known: ${FORMATS.join(', ')})`);
  }
  if (list.length === 0) throw new UsageError('give at least one format');
  return list as Format[];
}

export function parseNumber(
  name: string,
  text: string,
  check: (v: number) => boolean = Number.isFinite,
): number {
  const v = parseFraction(text);
  if (v === null || !check(v)) throw new UsageError(`${name}: '${text}' is not a valid number here`);
  return v;
}

export function parsePositiveInt(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) throw new UsageError(`${name}: '${text}' is not a positive integer`);
  return v;
}

/** A number, or a fraction like '0.01/6' as the notes write learning rates. */
export function parseFraction(text: string): number | null {
  const parts = text.trim().split('/');
  if (parts.length > 2 || parts.some((p) => p.trim() === '')) return null;
  const nums = parts.map(Number);
  if (nums.some((n) => !Number.isFinite(n))) return null;
  const v = nums.length === 2 ? nums[0]! / nums[1]! : nums[0]!;
  return Number.isFinite(v) ? v : null;
}

/** Writes a figure in each format as `${stem}.${format}`; returns the paths. */
export async function saveAll(
  figure: Figure,
  stem: string,
  formats: readonly Format[],
  scale = 1.5,
): Promise<string[]> {
  const paths: string[] = [];
  for (const f of formats) {
    if (f === 'gif' && !figure.animated) continue;
    paths.push(
      await figure.save(`${stem}.${f}`, f === 'png' || f === 'gif' ? { scale: f === 'gif' ? 1 : scale } : {}),
    );
  }
  return paths;
}

/** Progress lines go to stderr, so that stdout keeps only the results and the paths. */
export function progress(text: string): void {
  process.stderr.write(`${text}\n`);
}
