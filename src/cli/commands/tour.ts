/**
 * `tapeflow tour`: runs every seed example (examples/, compiled to dist/examples) in the notes' order and
 * writes one HTML report: each example's numbers beside the notes' numbers, and its plots.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { Figure } from '../../viz/figure.js';
import { type PageSection, pageHtml, tableHtml } from '../../viz/html.js';
import { optimizerRace } from '../../viz/surface.js';
import { progress, UsageError } from './common.js';

/** The seed examples, in the notes' order (files in examples/). */
export const EXAMPLES = [
  '000-quadratic-by-hand',
  '000-quadratic-momentum-nag',
  '000-quadratic-adam',
  '001-cafe-regression',
  '001-descent-animation',
  '002-pytorch-backward',
  '003-custom-training-loop',
  '004-keras-fits',
  '004-ols-tls',
] as const;

interface Row {
  what: string;
  got: string;
  notes: string;
}
interface ExampleResult {
  seed: string;
  title: string;
  rows: Row[];
  figures: Figure[];
}

/** Where an example's module is: dist/examples/NAME.js beside dist/cli, or examples/NAME.ts from src/cli. */
export function exampleUrl(name: string): URL {
  const built = new URL(`../../examples/${name}.js`, import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  const source = new URL(`../../../examples/${name}.ts`, import.meta.url);
  if (existsSync(fileURLToPath(source))) return source;
  throw new UsageError(`example '${name}' not found (build the examples with npm run build)`);
}

/** Whether tapeflow's number agrees with the notes' (every number in the notes, to the notes' decimals). */
export function agrees(got: string, notes: string): boolean | null {
  if (/random data|their data|true values|later step|no number/.test(notes)) return null;
  const num = /-?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
  const want = notes.match(num);
  const have = got.match(num);
  if (!want || !have) return notes.trim() === '' ? null : got.trim() === notes.trim();
  if (want.length !== have.length) return false;
  return want.every((w, i) => {
    const h = Number(have[i]);
    const decimals = /e/i.test(w) ? null : (w.split('.')[1]?.length ?? 0);
    if (decimals === null) return Math.sign(h) === Math.sign(Number(w)) || Math.abs(h) < 1e-9;
    return (
      Math.abs(h - Number(w)) <= 0.5 * 10 ** -decimals * 1.01 + 1e-12 ||
      Number(h.toFixed(decimals)) === Number(w)
    );
  });
}

export async function runTour(options: {
  out: string;
  onProgress?: (text: string) => void;
}): Promise<string> {
  const sections: PageSection[] = [];
  let agreed = 0;
  let compared = 0;
  for (const [k, name] of EXAMPLES.entries()) {
    options.onProgress?.(`[${k + 1}/${EXAMPLES.length}] ${name}`);
    const mod = (await import(exampleUrl(name).href)) as { run: () => Promise<ExampleResult> };
    const result = await mod.run();
    const rows = result.rows.map((r) => [r.what, r.got, r.notes]);
    for (const r of result.rows) {
      const v = agrees(r.got, r.notes);
      if (v !== null) {
        compared++;
        if (v) agreed++;
      }
    }
    sections.push({
      heading: `Seed ${result.seed}: ${result.title}`,
      html: `<p><code>examples/${name}.ts</code></p>${tableHtml(['example', 'tapeflow', 'notes'], rows, (row) => agrees(row[1]!, row[2]!))}`,
      figures: result.figures,
    });
  }
  options.onProgress?.('[+] optimizer race on the Beale surface (seeds 000 and 002)');
  sections.push({
    heading: 'Seeds 000 and 002: the optimizers side by side',
    figures: [await optimizerRace({ surface: 'beale' })],
  });
  const html = await pageHtml({
    title: 'tapeflow tour of the lecture notes',
    intro: `<p>Every seed example run with tapeflow, its numbers beside the numbers the notes print (green: they agree to the notes' decimals; red: they differ; plain: nothing to compare). ${agreed} of ${compared} compared numbers agree.</p>`,
    sections,
  });
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(options.out, { recursive: true });
  const path = `${options.out}/tour.html`;
  await writeFile(path, html);
  return path;
}

export function registerTour(program: Command): void {
  program
    .command('tour')
    .description(
      "run every seed example in order; one HTML report with their numbers beside the notes' and their plots",
    )
    .option('--out <dir>', 'output folder', 'tapeflow-output')
    .action(async (opts: { out: string }) => {
      console.log(await runTour({ out: opts.out, onProgress: progress }));
    });
}
