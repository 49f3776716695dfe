/**
 * TensorBoard's Event protocol buffer (tensorflow/core/util/event.proto), the scalar subset of
 * Summary (tensorflow/core/framework/summary.proto). Field numbers:
 *   Event   { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
 *   Summary { repeated Value value = 1; }
 *   Summary.Value { string tag = 1; oneof value { float simple_value = 2; } }
 * Scalars use the legacy `simple_value` form, which TensorBoard's scalar dashboard reads directly.
 */
import { ProtoWriter } from './protobuf.js';

/** The version string of the first event in each file ("brain.Event:2", as TensorFlow 2 writes). */
export const FILE_VERSION = 'brain.Event:2';

const EVENT_WALL_TIME = 1;
const EVENT_STEP = 2;
const EVENT_FILE_VERSION = 3;
const EVENT_SUMMARY = 5;
const SUMMARY_VALUE = 1;
const VALUE_TAG = 1;
const VALUE_SIMPLE_VALUE = 2;

/** One scalar of a summary. */
export interface Scalar {
  tag: string;
  value: number;
}

/** The first event of a file: its version and the time it was started (seconds since the epoch). */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter()
    .double(EVENT_WALL_TIME, wallTime)
    .string(EVENT_FILE_VERSION, FILE_VERSION)
    .finish();
}

/** An event holding a summary of scalars (`simple_value`, stored as float32) at a step. */
export function scalarsEvent(wallTime: number, step: number, scalars: readonly Scalar[]): Uint8Array {
  const summary = new ProtoWriter();
  for (const { tag, value } of scalars) {
    summary.message(SUMMARY_VALUE, new ProtoWriter().string(VALUE_TAG, tag).float(VALUE_SIMPLE_VALUE, value));
  }
  const event = new ProtoWriter().double(EVENT_WALL_TIME, wallTime);
  if (step !== 0) event.int64(EVENT_STEP, step); // proto3: a zero scalar is the default and is not written
  return event.message(EVENT_SUMMARY, summary).finish();
}
