/** `tapeflow race`: optimizers side by side on a 2-D loss surface (contour plot, animated). */
import type { Command } from 'commander';
import { OPTIMIZER_NAMES, optimizerRace, SURFACE_NAMES } from '../../viz/surface.js';
import {
  type Format,
  parseFormats,
  parseNumber,
  parsePositiveInt,
  progress,
  saveAll,
  UsageError,
} from './common.js';

export function registerRace(program: Command): void {
  program
    .command('race')
    .description('race optimizers on a 2-D loss surface: contour plot with their paths animated together')
    .option('--fn <name>', `the surface: ${SURFACE_NAMES.join(' | ')}`, 'rosenbrock')
    .option('--optimizers <list>', 'comma-separated optimizers', OPTIMIZER_NAMES.join(','))
    .option('--steps <n>', "steps per optimizer (default: the surface's)")
    .option('--lr <list>', 'learning rates overriding the defaults, e.g. adam=0.1,sgd=0.002')
    .option('--out <dir>', 'output folder', 'tapeflow-output')
    .option('--format <list>', 'output formats: html,svg,png,gif', 'html,png,gif')
    .action(
      async (opts: {
        fn: string;
        optimizers: string;
        steps?: string;
        lr?: string;
        out: string;
        format: string;
      }) => {
        if (!(SURFACE_NAMES as readonly string[]).includes(opts.fn))
          throw new UsageError(`unknown function '${opts.fn}' (known: ${SURFACE_NAMES.join(', ')})`);
        const names = opts.optimizers
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean);
        for (const n of names) {
          if (!(OPTIMIZER_NAMES as readonly string[]).includes(n))
            throw new UsageError(`unknown optimizer '${n}' (known: ${OPTIMIZER_NAMES.join(', ')})`);
        }
        if (names.length === 0) throw new UsageError('give at least one optimizer');
        const learningRates: Record<string, number> = {};
        for (const pair of (opts.lr ?? '').split(',').filter(Boolean)) {
          const [name, value] = pair.split('=');
          if (!name || value === undefined || !(OPTIMIZER_NAMES as readonly string[]).includes(name.trim()))
            throw new UsageError(`--lr: expected optimizer=rate pairs, got '${pair}'`);
          learningRates[name.trim()] = parseNumber('--lr', value, (v) => Number.isFinite(v) && v > 0);
        }
        const formats: Format[] = parseFormats(opts.format);
        const steps = opts.steps === undefined ? undefined : parsePositiveInt('--steps', opts.steps);
        progress(`racing ${names.length} optimizer(s) on ${opts.fn}...`);
        const figure = await optimizerRace({
          surface: opts.fn as (typeof SURFACE_NAMES)[number],
          optimizers: names,
          learningRates,
          ...(steps === undefined ? {} : { steps }),
          onProgress: (done, total, name) => progress(`  [${done}/${total}] ${name} done`),
        });
        progress('rendering...');
        for (const p of await saveAll(figure, `${opts.out}/race-${opts.fn}`, formats)) console.log(p);
      },
    );
}
