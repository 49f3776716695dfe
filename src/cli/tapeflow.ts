#!/usr/bin/env node
/**
 * The `tapeflow` command: pictures of the lecture notes' examples.
 *
 *   tapeflow tour | race | descend | train | graph   (each with --help)
 *
 * Results and written paths go to stdout, progress to stderr; an error is one line and exit status 2.
 */
import { Command, CommanderError } from 'commander';
import { registerDescend } from './commands/descend.js';
import { registerGraph } from './commands/graph.js';
import { registerRace } from './commands/race.js';
import { registerTour } from './commands/tour.js';
import { registerTrain } from './commands/train.js';

export function makeProgram(): Command {
  const program = new Command();
  program
    .name('tapeflow')
    .description(
      'tapeflow: plots and animations of training and optimizers, computation graphs, the seed examples',
    )
    .version('0.1.0')
    .exitOverride();
  registerTour(program);
  registerRace(program);
  registerDescend(program);
  registerTrain(program);
  registerGraph(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await makeProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; commander has already printed its one-line error otherwise.
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version'
        ? 0
        : 2;
    }
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    process.stderr.write(`tapeflow: error: ${message}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
