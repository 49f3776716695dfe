/**
 * Keras's text progress bar:
 * ```
 * Epoch 3/10
 *  7/10 [====================>.........] - ETA: 0s - loss: 0.5123
 * 10/10 [==============================] - 0s 2ms/step - loss: 0.4987 - val_loss: 0.5210
 * ```
 * On a terminal the line is rewritten in place (at most every `interval` seconds); elsewhere (a file, a
 * pipe, a CI log) only the finished line is written, so a log gets one line per epoch.
 */

export interface ProgbarOptions {
  /** Width of the bar in characters (default 30). */
  width?: number;
  /** 1: the bar; 2: only the finished line without a bar (Keras's verbose=2). */
  verbose?: 1 | 2;
  /** Minimum seconds between redraws on a terminal (default 0.05). */
  interval?: number;
  /** Unit of the time per step (default 'step'). */
  unitName?: string;
  /** Where the text goes (default process.stdout). */
  write?: (text: string) => void;
  /** Whether the output is a terminal that supports rewriting a line (default: process.stdout.isTTY). */
  isTTY?: boolean;
  /** The clock in seconds (tests pass a fake one). */
  now?: () => number;
}

/** A value shown after the bar: a number, or a preformatted string. */
export type ProgbarValue = number | string;

export class Progbar {
  private readonly width: number;
  private readonly verbose: 1 | 2;
  private readonly interval: number;
  private readonly unitName: string;
  private readonly write: (text: string) => void;
  private readonly dynamic: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private lastUpdate = 0;
  private shownWidth = 0;
  private finished = false;

  constructor(
    /** Number of steps, or null when not known (the first epoch over a dataset of unknown length). */
    readonly target: number | null,
    options: ProgbarOptions = {},
  ) {
    this.width = options.width ?? 30;
    this.verbose = options.verbose ?? 1;
    this.interval = options.interval ?? 0.05;
    this.unitName = options.unitName ?? 'step';
    this.write = options.write ?? ((text) => process.stdout.write(text));
    this.dynamic = options.isTTY ?? Boolean(process.stdout.isTTY);
    this.now = options.now ?? (() => performance.now() / 1000);
    this.start = this.now();
  }

  /**
   * Shows progress after `current` steps with these values. `finalize` marks the last update of the
   * bar (it is implied when `current` reaches the target).
   */
  update(current: number, values: Readonly<Record<string, ProgbarValue>> = {}, finalize?: boolean): void {
    if (this.finished) return;
    const done = finalize ?? (this.target !== null && current >= this.target);
    const now = this.now();
    if (this.verbose === 2) {
      if (!done) return;
      this.finished = true;
      const count = this.target === null ? String(current) : `${pad(current, this.target)}/${this.target}`;
      this.write(`${count} - ${formatSeconds(now - this.start)}${formatValues(values)}\n`);
      return;
    }
    if (!done && (!this.dynamic || now - this.lastUpdate < this.interval)) return;
    this.lastUpdate = now;
    const bar = this.bar(current);
    let info: string;
    const perStep = current > 0 ? (now - this.start) / current : 0;
    if (!done && this.target !== null) info = ` - ETA: ${formatEta(perStep * (this.target - current))}`;
    else info = ` - ${formatSeconds(now - this.start)} ${formatPerStep(perStep)}/${this.unitName}`;
    info += formatValues(values);
    let line = bar + info;
    if (this.dynamic) {
      const previous = this.shownWidth;
      this.shownWidth = line.length;
      if (previous > line.length) line += ' '.repeat(previous - line.length);
      line = `\r${line}`;
    }
    if (done) {
      this.finished = true;
      line += '\n';
    }
    this.write(line);
  }

  private bar(current: number): string {
    if (this.target === null) return `${String(current).padStart(7)}/Unknown`;
    const progress = this.target > 0 ? Math.min(current / this.target, 1) : 1;
    const filled = Math.floor(this.width * progress);
    let bar = `${pad(current, this.target)}/${this.target} [`;
    if (filled > 0) bar += '='.repeat(filled - 1) + (current < this.target ? '>' : '=');
    bar += '.'.repeat(this.width - filled);
    return `${bar}]`;
  }
}

/** The step count right-aligned to the width of the target, as Keras (` 7/10`). */
function pad(current: number, target: number): string {
  return String(current).padStart(String(Math.max(target, 1)).length);
}

function formatSeconds(s: number): string {
  return `${Math.round(s)}s`;
}

function formatPerStep(s: number): string {
  if (s >= 1 || s === 0) return `${Math.round(s)}s`;
  if (s >= 1e-3) return `${Math.round(s * 1e3)}ms`;
  return `${Math.round(s * 1e6)}us`;
}

function formatEta(eta: number): string {
  const two = (v: number) => String(Math.floor(v)).padStart(2, '0');
  if (eta > 3600) return `${Math.floor(eta / 3600)}:${two((eta % 3600) / 60)}:${two(eta % 60)}`;
  if (eta > 60) return `${Math.floor(eta / 60)}:${two(eta % 60)}`;
  return `${Math.floor(eta)}s`;
}

/** ` - loss: 0.1234 - acc: 0.9000`; values under 1e-3 in magnitude in exponent form, as Keras. */
export function formatValues(values: Readonly<Record<string, ProgbarValue>>): string {
  let out = '';
  for (const [key, value] of Object.entries(values)) out += ` - ${key}: ${formatValue(value)}`;
  return out;
}

function formatValue(value: ProgbarValue): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Math.abs(value) > 1e-3) return value.toFixed(4);
  return pythonExponent(value);
}

/** Python's '%.4e': 1.2346e-05 (at least two exponent digits). */
function pythonExponent(value: number): string {
  const [mantissa, exponent] = value.toExponential(4).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}
