// callbacks.ts is imported first on purpose: it re-exports the TensorBoard module, which is then
// evaluated before Callback exists (the import cycle the TensorBoard class is written to survive).

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { TensorBoard as TensorBoardFromCallbacks } from '../../src/keras/callbacks.js';
import { crc32c, maskedCrc32c, ProtoWriter } from '../../src/keras/tensorboard/index.js';

/**
 * The subset of TensorFlow's event.proto (tensorflow/core/util/event.proto) and summary.proto
 * (tensorflow/core/framework/summary.proto) that scalar summaries use, with the real field numbers.
 */
const EVENT_PROTO = `
syntax = "proto3";
package tensorflow;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
  }
}

message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
    }
  }
  repeated Value value = 1;
}
`;

const root = protobuf.parse(EVENT_PROTO).root;
const EventType = root.lookupType('tensorflow.Event');

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  summary?: { value: { tag: string; simpleValue?: number }[] };
}

/** CRC-32C bit by bit (no table): an implementation independent of the one under test. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function mask(crc: number): number {
  return Number((((BigInt(crc) >> 15n) | (BigInt(crc) << 17n)) + 0xa282ead8n) & 0xffffffffn);
}

/** Splits a TFRecord file into its records' data, checking the framing and both masked CRCs. */
function readRecords(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    expect(offset + 12, 'record header truncated').toBeLessThanOrEqual(bytes.length);
    const length = Number(view.getBigUint64(offset, true));
    expect(view.getUint32(offset + 8, true), `length CRC of record ${records.length}`).toBe(
      mask(crc32cBitwise(bytes.subarray(offset, offset + 8))),
    );
    const start = offset + 12;
    expect(start + length + 4, 'record data truncated').toBeLessThanOrEqual(bytes.length);
    const data = bytes.subarray(start, start + length);
    expect(view.getUint32(start + length, true), `data CRC of record ${records.length}`).toBe(
      mask(crc32cBitwise(data)),
    );
    records.push(data);
    offset = start + length + 4;
  }
  return records;
}

function decodeEvent(data: Uint8Array): DecodedEvent {
  return EventType.toObject(EventType.decode(data), { longs: Number, defaults: true }) as DecodedEvent;
}

function readEvents(path: string): DecodedEvent[] {
  return readRecords(new Uint8Array(readFileSync(path))).map(decodeEvent);
}

/** The single event file in a directory. */
function eventFile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.includes('tfevents'));
  expect(files).toHaveLength(1);
  return join(dir, files[0]!);
}

/** The scalars of the summary events, as [step, tag, value] rows. */
function scalarRows(events: DecodedEvent[]): [number, string, number][] {
  return events
    .filter((e) => e.summary)
    .flatMap((e) => e.summary!.value.map((v) => [e.step, v.tag, v.simpleValue!] as [number, string, number]));
}

function linearModel() {
  const model = new tf.keras.Sequential([new tf.keras.layers.Dense(1, { inputShape: [2] })]);
  model.compile({
    loss: 'mse',
    optimizer: new tf.keras.optimizers.SGD({ learningRate: 0.05 }),
    metrics: ['mae'],
  });
  return model;
}

function linearData(n: number, seed: number) {
  const x = tf.random.uniform([n, 2], -1, 1, { seed });
  const y = x.matmul(tf.tensor([[2], [-1]])).add(0.5);
  return { x, y };
}

describe('CRC-32C', () => {
  it('gives the standard check value and the RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('agrees with a bitwise implementation, and masks as TFRecords do', () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919 + 13) & 0xff);
    for (const n of [1, 2, 3, 7, 8, 100, 1000]) {
      const part = bytes.subarray(0, n);
      expect(crc32c(part)).toBe(crc32cBitwise(part));
      expect(maskedCrc32c(part)).toBe(mask(crc32cBitwise(part)));
    }
  });
});

describe('protobuf encoder', () => {
  it('writes fields that protobufjs decodes from the .proto definition', () => {
    for (const step of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40 + 3, -1, -(2 ** 35)]) {
      const value = new ProtoWriter().string(1, 'loss/é').float(2, 0.1).finish();
      const summary = new ProtoWriter().bytes(1, value).finish();
      const event = new ProtoWriter().double(1, 1234.5678).int64(2, step).bytes(5, summary).finish();
      const decoded = decodeEvent(event);
      expect(decoded.wallTime).toBe(1234.5678);
      expect(decoded.step).toBe(step);
      expect(decoded.summary!.value).toEqual([
        { nodeName: '', tag: 'loss/é', simpleValue: Math.fround(0.1) },
      ]);
    }
  });
});

describe('TensorBoard callback', () => {
  it('is exported as tf.keras.callbacks.TensorBoard, a Callback, also when callbacks.ts is imported first', () => {
    expect(tf.keras.callbacks.TensorBoard).toBe(TensorBoardFromCallbacks);
    const tb = new tf.keras.callbacks.TensorBoard();
    expect(tb).toBeInstanceOf(tf.keras.callbacks.Callback);
    expect(tb.logDir).toBe('logs');
    expect(tb.updateFreq).toBe('epoch');
    expect(new tf.keras.callbacks.TensorBoard({ updateFreq: 'batch' }).updateFreq).toBe(1);
    for (const bad of [0, -2, 1.5, 'step'] as const) {
      expect(() => new tf.keras.callbacks.TensorBoard({ updateFreq: bad as 'epoch' })).toThrow(
        /updateFreq must be 'epoch', 'batch' or a positive integer/,
      );
    }
  });

  it('writes TFRecord event files whose Event protobufs hold the History of fit', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tapeflow-tb-'));
    const { x, y } = linearData(32, 3);
    const val = linearData(12, 4);
    const model = linearModel();
    const before = Date.now() / 1000;
    const tb = new tf.keras.callbacks.TensorBoard({ logDir });
    const history = await model.fit(x, y, {
      epochs: 4,
      batchSize: 8,
      validationData: [val.x, val.y],
      callbacks: [tb],
      verbose: 0,
    });
    const after = Date.now() / 1000;
    expect(readdirSync(logDir).sort()).toEqual(['train', 'validation']);

    const trainPath = eventFile(join(logDir, 'train'));
    const name = trainPath.split(/[\\/]/).at(-1)!;
    expect(name).toMatch(/^events\.out\.tfevents\.\d{10}\..+\.\d+\.\d+\.v2$/);
    expect(name).toContain(`.${process.pid}.`);

    for (const [dir, prefix] of [
      ['train', ''],
      ['validation', 'val_'],
    ] as const) {
      const events = readEvents(eventFile(join(logDir, dir)));
      expect(events[0]!.fileVersion).toBe('brain.Event:2');
      expect(events[0]!.summary).toBeUndefined();
      for (const e of events) {
        expect(e.wallTime).toBeGreaterThanOrEqual(Math.floor(before));
        expect(e.wallTime).toBeLessThanOrEqual(after + 1);
      }
      const wallTimes = events.map((e) => e.wallTime);
      expect(wallTimes).toEqual([...wallTimes].sort((a, b) => a - b));
      expect(events).toHaveLength(1 + 4); // the version, then one event per epoch
      const expected = history.epoch.flatMap((epoch, i) =>
        ['loss', 'mae'].map(
          (m) => [epoch, `epoch_${m}`, Math.fround(history.history[`${prefix}${m}`]![i]!)] as const,
        ),
      );
      expect(scalarRows(events)).toEqual(expected);
    }
  });

  it('writes batch_ scalars every updateFreq batches and starts a new file for each fit', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tapeflow-tb-'));
    const { x, y } = linearData(40, 5);
    const model = linearModel();
    const batchLosses: number[] = [];
    const recorder = new tf.keras.callbacks.LambdaCallback({
      onTrainBatchEnd: (_b, logs) => {
        batchLosses.push(logs!['loss']!);
      },
    });
    const tb = new tf.keras.callbacks.TensorBoard({ logDir: `${logDir}/`, updateFreq: 3 });
    const history = await model.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      shuffle: false,
      callbacks: [recorder, tb],
      verbose: 0,
    });
    expect(batchLosses).toHaveLength(10); // 5 batches per epoch
    const rows = scalarRows(readEvents(eventFile(join(logDir, 'train'))));
    const batchRows = rows.filter(([, tag]) => tag === 'batch_loss');
    expect(batchRows).toEqual(
      [3, 6, 9].map((step) => [step, 'batch_loss', Math.fround(batchLosses[step - 1]!)]),
    );
    expect(rows.filter(([, tag]) => tag === 'batch_mae').map(([step]) => step)).toEqual([3, 6, 9]);
    expect(rows.filter(([, tag]) => tag === 'epoch_loss')).toEqual(
      [0, 1].map((e) => [e, 'epoch_loss', Math.fround(history.history['loss']![e]!)]),
    );
    expect(readdirSync(logDir)).toEqual(['train']); // no validation data, no validation directory

    // A second fit (with validation) writes new files, as Keras does.
    expect(tb.trainEventFile).toBeNull(); // closed at the end of training
    await model.fit(x, y, { epochs: 1, batchSize: 20, validationData: [x, y], callbacks: [tb], verbose: 0 });
    const trainFiles = readdirSync(join(logDir, 'train'));
    expect(trainFiles).toHaveLength(2);
    const second = trainFiles
      .map((f) => readEvents(join(logDir, 'train', f)))
      .find((events) => events.length === 2)!;
    expect(second[0]!.fileVersion).toBe('brain.Event:2');
    expect(scalarRows(second).map(([step, tag]) => `${step} ${tag}`)).toEqual([
      '0 epoch_loss',
      '0 epoch_mae',
    ]);
    const valRows = scalarRows(readEvents(eventFile(join(logDir, 'validation'))));
    expect(valRows.map(([step, tag]) => `${step} ${tag}`)).toEqual([
      '0 epoch_loss',
      '0 epoch_mae',
      '2 evaluation_loss_vs_iterations', // at the step of the training batches (2 of 20)
      '2 evaluation_mae_vs_iterations',
    ]);
  });

  it('with updateFreq "epoch" writes no batch scalars, and tags learning_rate when a scheduler logs it', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'tapeflow-tb-'));
    const { x, y } = linearData(16, 6);
    const model = linearModel();
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      callbacks: [
        new tf.keras.callbacks.LearningRateScheduler((e) => 0.1 / (e + 1)),
        new tf.keras.callbacks.TensorBoard({ logDir }),
      ],
      verbose: 0,
    });
    const rows = scalarRows(readEvents(eventFile(join(logDir, 'train'))));
    expect(rows.map(([step, tag]) => `${step} ${tag}`)).toEqual([
      '0 epoch_loss',
      '0 epoch_mae',
      '0 epoch_learning_rate',
      '1 epoch_loss',
      '1 epoch_mae',
      '1 epoch_learning_rate',
    ]);
    expect(rows.filter(([, tag]) => tag === 'epoch_learning_rate').map(([, , v]) => v)).toEqual([
      Math.fround(0.1),
      Math.fround(0.05),
    ]);
  });
});
