/**
 * An event file writer: `events.out.tfevents.<seconds>.<host>.<pid>.<n>.v2` in a directory (created
 * when missing), starting with the file-version event, then one record per added summary. Records are
 * buffered and appended on `flush` (and `close`); flushes run one after another, in order.
 */
import { appendFileBytes, hostname } from '../../platform/index.js';
import { fileVersionEvent, type Scalar, scalarsEvent } from './events.js';
import { encodeRecord } from './records.js';

/** Distinguishes the files one process opens in the same second (TensorFlow's file names do too). */
let fileCounter = 0;

function processId(): number {
  const proc = (globalThis as { process?: { pid?: number } }).process;
  return proc?.pid ?? 0;
}

/** Joins a directory and a name with '/', without doubling a trailing separator. */
export function joinPath(dir: string, name: string): string {
  return dir === '' ? name : /[\\/]$/.test(dir) ? `${dir}${name}` : `${dir}/${name}`;
}

export class EventFileWriter {
  private pending: Uint8Array[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    /** The event file's path. */
    readonly path: string,
    private readonly now: () => number,
  ) {}

  /**
   * Opens a new event file in `dir` and writes its first event. `now` gives the wall time in seconds
   * (default: the system clock).
   */
  static async create(dir: string, now: () => number = () => Date.now() / 1000): Promise<EventFileWriter> {
    const start = now();
    const seconds = String(Math.floor(start)).padStart(10, '0');
    const name = `events.out.tfevents.${seconds}.${await hostname()}.${processId()}.${fileCounter++}.v2`;
    const writer = new EventFileWriter(joinPath(dir, name), now);
    writer.pending.push(encodeRecord(fileVersionEvent(start)));
    await writer.flush();
    return writer;
  }

  /** Adds an event with scalar summaries (`simple_value`) at a step; written at the next flush. */
  addScalars(step: number, scalars: readonly Scalar[]): void {
    if (this.closed) throw new Error(`EventFileWriter: '${this.path}' is closed`);
    if (scalars.length === 0) return;
    this.pending.push(encodeRecord(scalarsEvent(this.now(), step, scalars)));
  }

  /** Appends the buffered records to the file. */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.chain;
    const records = this.pending;
    this.pending = [];
    const total = records.reduce((n, r) => n + r.length, 0);
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const r of records) {
      bytes.set(r, offset);
      offset += r.length;
    }
    this.chain = this.chain.then(() => appendFileBytes(this.path, bytes));
    return this.chain;
  }

  /** Flushes and refuses further summaries. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}
