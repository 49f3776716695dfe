import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main, parseMnistArgs, UsageError } from '../../src/cli/mnist.js';
import * as tf from '../../src/index.js';

// `npm start` (src/cli/start.ts -> mnist.ts): trains the digit classifier with the progress bar,
// evaluates it on the held-out digits and saves it. Here in a reduced mode: 1 epoch on 1,000 digits.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITE_NODE = join(ROOT, 'node_modules', 'vite-node', 'vite-node.mjs');
const START = join(ROOT, 'src', 'cli', 'start.ts');
const work = mkdtempSync(join(tmpdir(), 'tapeflow-cli-'));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('npm start: the MNIST classifier', () => {
  it('trains with the progress bar, prints the test accuracy and saves a model that reloads to the same accuracy', async () => {
    const out = join(work, 'model');
    const run = spawnSync(
      process.execPath,
      [VITE_NODE, START, '--epochs', '1', '--limit', '1000', '--out', out],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
    );
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.status).toBe(0);
    const stdout = run.stdout;
    expect(stdout).toContain('Training a small CNN on 1,000 handwritten digits');
    expect(stdout).toContain('Total params: 54,410');
    // Keras's progress bar: 1000 / 64 = 16 steps (one line, since stdout is not a terminal).
    expect(stdout).toMatch(/16\/16 \[=+\] - \d+s \d+m?s\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}/);
    const m = /Test accuracy: (\d+\.\d\d)% \(([\d,]+) of 2,004 digits right\)/.exec(stdout);
    expect(m).not.toBeNull();
    const accuracy = Number(m![1]) / 100;
    expect(accuracy).toBeGreaterThan(0.5); // one epoch on 1,000 digits: well above chance (10%)
    expect(stdout).toMatch(/Per digit: +0 \d+\.\d%/);
    expect(stdout).toContain(`Saved the model to ${out}`);

    // The model went where it says, in the TensorFlow.js layers format ...
    expect(readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const json = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as Record<string, unknown>;
    expect(json['format']).toBe('layers-model');
    // ... and reloads to a model with the accuracy printed.
    const model = await tf.keras.models.loadModel(out);
    const { test } = await tf.data.mnistDigits();
    const logs = (await model.evaluate(test.images.reshape([-1, 28, 28, 1]), test.labels, {
      batchSize: 256,
      verbose: 0,
      returnDict: true,
    })) as Record<string, number>;
    expect(logs['accuracy']!).toBeCloseTo(accuracy, 4);
  }, 300_000);

  it('--no-save trains without writing, --model mlp builds the MLP', () => {
    const run = spawnSync(
      process.execPath,
      [VITE_NODE, START, '--model', 'mlp', '--epochs', '1', '--limit', '500', '--no-save'],
      { cwd: work, encoding: 'utf8', timeout: 240_000 },
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Training an MLP 784-128-10 on 500 handwritten digits');
    expect(run.stdout).toContain('Total params: 101,770');
    expect(run.stdout).toMatch(/Test accuracy: \d+\.\d\d%/);
    expect(run.stdout).not.toContain('Saved the model');
    expect(existsSync(join(work, 'mnist-model'))).toBe(false);
  }, 300_000);
});

describe('npm start: the command line', () => {
  it('has defaults for everything', () => {
    expect(parseMnistArgs([])).toEqual({
      model: 'cnn',
      epochs: 8,
      batchSize: 64,
      limit: null,
      seed: 0,
      out: 'mnist-model',
    });
    expect(parseMnistArgs(['--model', 'mlp'])).toMatchObject({ model: 'mlp', epochs: 15 });
    expect(
      parseMnistArgs(['--epochs=2', '--batch-size', '32', '--limit', '100', '--seed', '0', '--out', 'x']),
    ).toEqual({ model: 'cnn', epochs: 2, batchSize: 32, limit: 100, seed: 0, out: 'x' });
    expect(parseMnistArgs(['--no-save'])!.out).toBeNull();
    expect(parseMnistArgs(['--help'])).toBeNull();
    expect(parseMnistArgs(['-h'])).toBeNull();
  });

  it.each([
    [['--epochs', '0'], "--epochs must be an integer >= 1, got '0'"],
    [['--epochs', '2.5'], '--epochs must be an integer'],
    [['--limit', 'many'], "--limit must be an integer >= 1, got 'many'"],
    [['--model', 'rnn'], "--model must be cnn or mlp, got 'rnn'"],
    [['--out', 'x', '--no-save'], '--out and --no-save exclude each other'],
    [['--epoch', '3'], "Unknown option '--epoch'"],
    [['extra'], 'extra'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseMnistArgs(argv)).toThrow(UsageError);
    expect(() => parseMnistArgs(argv)).toThrow(message);
  });

  it('main: exit status 2 and the usage for a bad argument, 0 and the usage for --help', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['--epochs', '-1'])).toBe(2);
      expect(String(err.mock.calls[0]![0])).toMatch(/^error: .*\n\nusage: npm start/s);
      expect(await main(['--help'])).toBe(0);
      expect(String(log.mock.calls[0]![0])).toMatch(/^usage: npm start/);
    } finally {
      err.mockRestore();
      log.mockRestore();
    }
  });
});
