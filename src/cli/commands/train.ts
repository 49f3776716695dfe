/** `tapeflow train`: an MLP classifier on MNIST digits (or an IDX folder / a CSV file), with the progress bar. */
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import * as tf from '../../index.js';
import {
  type Format,
  parseFormats,
  parseNumber,
  parsePositiveInt,
  progress,
  saveAll,
  UsageError,
} from './common.js';

interface Data {
  x: tf.Tensor;
  y: tf.Tensor;
  classes: number;
  name: string;
}

async function loadCsv(path: string, labelColumn: string): Promise<Data> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const rows = tf.data.parseCsvRows(text, ',', path).filter((r) => r.fields.some((f) => f.trim() !== ''));
  if (rows.length < 2) throw new UsageError(`'${path}' has no data rows under its header`);
  const header = rows[0]!.fields.map((f) => f.trim());
  const li = labelColumn === '' ? header.length - 1 : header.indexOf(labelColumn);
  if (li < 0)
    throw new UsageError(`'${path}' has no column '${labelColumn}' (columns: ${header.join(', ')})`);
  const labels: string[] = [];
  const feats: number[] = [];
  for (const r of rows.slice(1)) {
    if (r.fields.length !== header.length)
      throw new UsageError(`${path}:${r.line}: ${r.fields.length} fields, the header has ${header.length}`);
    r.fields.forEach((f, j) => {
      if (j === li) labels.push(f.trim());
      else {
        const v = Number(f);
        if (f.trim() === '' || !Number.isFinite(v))
          throw new UsageError(`${path}:${r.line}: '${f}' in column '${header[j]}' is not a number`);
        feats.push(v);
      }
    });
  }
  const names = [...new Set(labels)].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  const index = new Map(names.map((n, i) => [n, i]));
  return {
    x: tf.tensor(feats, { shape: [labels.length, header.length - 1] }),
    y: tf.tensor(
      labels.map((l) => index.get(l)!),
      { dtype: 'int32' },
    ),
    classes: names.length,
    name: path,
  };
}

async function loadData(data: string, label: string, limit: number): Promise<Data> {
  if (data === 'mnist') {
    const d = await tf.data.mnistDigits();
    const n = Math.min(limit, d.train.images.shape[0]!);
    return {
      x: d.train.images.reshape([-1, 784]).slice([0, 0], [n, 784]),
      y: d.train.labels.slice([0], [n]),
      classes: 10,
      name: 'MNIST digits (mnist package)',
    };
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(data);
  } catch (e) {
    throw new UsageError(
      `cannot read '${data}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (info.isDirectory()) {
    let d: tf.data.MnistArrays;
    try {
      d = await tf.data.loadMnistIdx(data);
    } catch (e) {
      throw new UsageError(`cannot load IDX files from '${data}': ${(e as Error).message.split('\n')[0]}`);
    }
    const n = Math.min(limit, d.train.images.shape[0]!);
    const size = d.train.images.size / d.train.images.shape[0]!;
    const y = d.train.labels.slice([0], [n]);
    return {
      x: d.train.images.reshape([-1, size]).slice([0, 0], [n, size]),
      y,
      classes: Math.max(...Array.from(y.dataSync(), Number)) + 1,
      name: data,
    };
  }
  return loadCsv(data, label);
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a classifier (MLP) with fit and its progress bar; writes the History chart')
    .option('--data <what>', "'mnist' (built in), a folder of IDX files, or a CSV file", 'mnist')
    .option('--label <column>', 'CSV: the label column (default: the last)', '')
    .option('--limit <n>', 'use at most n training examples', '6000')
    .option('--epochs <n>', 'epochs', '5')
    .option('--batch-size <n>', 'batch size', '64')
    .option('--hidden <n>', 'hidden units', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.001')
    .option('--validation-split <f>', 'fraction held out for validation', '0.1')
    .option('--out <dir>', 'output folder', 'tapeflow-output')
    .option('--format <list>', 'output formats: html,svg,png', 'html,png')
    .action(async (opts: Record<string, string>) => {
      const epochs = parsePositiveInt('--epochs', opts.epochs!);
      const batchSize = parsePositiveInt('--batch-size', opts.batchSize!);
      const hidden = parsePositiveInt('--hidden', opts.hidden!);
      const limit = parsePositiveInt('--limit', opts.limit!);
      const lr = parseNumber('--lr', opts.lr!, (v) => Number.isFinite(v) && v > 0);
      const validationSplit = parseNumber(
        '--validation-split',
        opts.validationSplit!,
        (v) => v >= 0 && v < 1,
      );
      const formats: Format[] = parseFormats(opts.format!).filter((f) => f !== 'gif');
      progress(`loading ${opts.data}...`);
      const data = await loadData(opts.data!, opts.label!, limit);
      const features = data.x.shape[1]!;
      progress(`${data.name}: ${data.x.shape[0]} examples, ${features} features, ${data.classes} classes`);
      tf.random.setSeed(1);
      const model = new tf.keras.Sequential([
        new tf.keras.layers.Dense(hidden, { inputDim: features, activation: 'relu' }),
        new tf.keras.layers.Dense(data.classes),
      ]);
      model.compile({
        optimizer: new tf.keras.optimizers.Adam({ learningRate: lr }),
        loss: new tf.keras.losses.SparseCategoricalCrossentropy({ fromLogits: true }),
        metrics: ['accuracy'],
      });
      const h = await model.fit(data.x, data.y, {
        epochs,
        batchSize,
        validationSplit,
        verbose: 1,
        shuffle: true,
      });
      const figure = await tf.viz.historyChart(h, { title: `Training on ${data.name}` });
      for (const p of await saveAll(figure, `${opts.out}/history`, formats)) console.log(p);
    });
}
