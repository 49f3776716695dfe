/** `tapeflow descend`: seed 001's learning-rate animation (a point sliding down (beta/2 - 1)^2). */
import type { Command } from 'commander';
import { descentAnimation } from '../../viz/descent.js';
import {
  type Format,
  parseFormats,
  parseFraction,
  parseNumber,
  parsePositiveInt,
  progress,
  saveAll,
  UsageError,
} from './common.js';

export function registerDescend(program: Command): void {
  program
    .command('descend')
    .description(
      "seed 001's animation: gradient descent on (beta/2 - 1)^2 from -10, one panel per learning rate",
    )
    .option('--lr <list>', 'learning rates, fractions allowed', '0.01/6,0.1,1.0')
    .option('--steps <n>', 'steps per learning rate', '100')
    .option('--from <x>', 'starting point', '-10')
    .option('--out <dir>', 'output folder', 'tapeflow-output')
    .option('--format <list>', 'output formats: html,svg,png,gif', 'html,gif')
    .action(async (opts: { lr: string; steps: string; from: string; out: string; format: string }) => {
      const labels = opts.lr
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (labels.length === 0) throw new UsageError('--lr: give at least one learning rate');
      const rates = labels.map((l) => {
        const v = parseFraction(l);
        if (v === null || v <= 0) throw new UsageError(`--lr: '${l}' is not a positive number or fraction`);
        return v;
      });
      const steps = parsePositiveInt('--steps', opts.steps);
      const from = parseNumber('--from', opts.from);
      const formats: Format[] = parseFormats(opts.format);
      progress(`descending with ${labels.length} learning rate(s), ${steps} steps...`);
      const figure = await descentAnimation({ learningRates: rates, labels, steps, from });
      progress(figure.caption);
      for (const p of await saveAll(figure, `${opts.out}/descend`, formats)) console.log(p);
    });
}
