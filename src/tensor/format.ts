/**
 * Text representations of tensors that match TensorFlow 2's eager `repr()`, which in turn
 * embeds NumPy's `repr()` of the tensor's value (NumPy 1.x defaults: precision 8,
 * floatmode 'maxprec', linewidth 75, threshold 1000, edgeitems 3, legacy off).
 *
 * Floating-point digits are produced by an exact big-integer shortest-digit generator
 * (Steele & White / Dragon4 style) that works for both float32 and float64, so the
 * "shortest string that round-trips in the value's own precision" rule that NumPy applies
 * is reproduced for float32 data too.
 */

export type FormatDType = 'float32' | 'float64' | 'int32' | 'bool';
export type FormatData = Float32Array | Float64Array | Int32Array | Uint8Array;

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const PRECISION = 8;
const SEPARATOR = ', ';
const PREFIX = 'array(';

// ---------------------------------------------------------------------------------------------
// Shortest / cut-off decimal digit generation
// ---------------------------------------------------------------------------------------------

/** value = 0.d1 d2 d3 ... scaled so that the first digit d1 sits at 10^exponent. */
interface Decimal {
  /** Significant digits without trailing zeros ("0" for zero). */
  digits: string;
  /** Power of ten of the first digit. */
  exponent: number;
}

/**
 * Where digit generation may stop. `max` digits is a hard cut-off (the last kept digit is then
 * rounded); below `min` digits generation continues past the point of uniqueness, printing the
 * value's exact digits (again rounded at the end). Counts are fractional digits for positional
 * output and total significant digits for scientific output.
 */
interface Cutoff {
  kind: 'fraction' | 'total';
  max?: number;
  min?: number;
}
const scratch = new DataView(new ArrayBuffer(8));

/** Splits a positive finite value into integer mantissa and binary exponent (value = m * 2^e). */
function decompose(value: number, f32: boolean): { m: bigint; e: number; unequal: boolean } {
  if (f32) {
    scratch.setFloat32(0, value);
    const bits = scratch.getUint32(0);
    const biased = (bits >>> 23) & 0xff;
    const frac = bits & 0x7fffff;
    if (biased === 0) return { m: BigInt(frac), e: -149, unequal: false };
    return { m: BigInt(frac | 0x800000), e: biased - 150, unequal: frac === 0 && biased > 1 };
  }
  scratch.setFloat64(0, value);
  const hi = scratch.getUint32(0);
  const lo = scratch.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { m: frac, e: -1074, unequal: false };
  return { m: frac | (1n << 52n), e: biased - 1075, unequal: frac === 0n && biased > 1 };
}

/**
 * Generates the decimal digits of a positive finite value: the shortest digit string that
 * still identifies the value uniquely among values of its type (reading back with
 * round-half-even), optionally cut off after a
 * number of fractional digits / total digits (the last kept digit is then rounded to nearest,
 * ties to even).
 */
function generateDigits(value: number, f32: boolean, cutoff: Cutoff): Decimal {
  if (value === 0) return { digits: '0', exponent: 0 };
  const { m, e, unequal } = decompose(value, f32);
  // Work in units of 2^(e-2): the value is 4m units, the upper half-gap to the next value is 2
  // units, and the lower half-gap is 2 units (1 unit at a power-of-two boundary).
  const even = (m & 1n) === 0n;
  let r = m * 4n;
  let marginHigh = 2n;
  let marginLow = unequal ? 1n : 2n;
  let s = 1n;
  const shift = e - 2;
  if (shift >= 0) {
    const f = 1n << BigInt(shift);
    r *= f;
    marginHigh *= f;
    marginLow *= f;
  } else {
    s = 1n << BigInt(-shift);
  }
  // Scale so that r / s lies in [1, 10); k is the power of ten of the first digit.
  let k = Math.floor(Math.log10(value));
  if (k >= 0) {
    s *= 10n ** BigInt(k);
  } else {
    const f = 10n ** BigInt(-k);
    r *= f;
    marginHigh *= f;
    marginLow *= f;
  }
  while (r >= s * 10n) {
    s *= 10n;
    k++;
  }
  while (r < s) {
    r *= 10n;
    marginHigh *= 10n;
    marginLow *= 10n;
    k--;
  }

  // Powers of ten of the last digit allowed / the last digit required.
  const placeOf = (n: number): number => (cutoff.kind === 'fraction' ? -n : k - n + 1);
  const lastPlace = cutoff.max === undefined ? Number.NEGATIVE_INFINITY : placeOf(cutoff.max);
  const minPlace = cutoff.min === undefined ? Number.POSITIVE_INFINITY : placeOf(cutoff.min);

  const out: number[] = [];
  let place = k;
  let digit = 0;
  let low = false;
  let high = false;
  for (;;) {
    digit = Number(r / s);
    r %= s;
    // Round-half-even parsing makes the interval ends reachable when the mantissa is even.
    low = even ? r <= marginLow : r < marginLow;
    high = even ? r + marginHigh >= s : r + marginHigh > s;
    if (((low || high) && place <= minPlace) || place <= lastPlace) break;
    out.push(digit);
    r *= 10n;
    marginHigh *= 10n;
    marginLow *= 10n;
    place--;
  }
  let roundDown = low;
  if (low === high) {
    const twice = r * 2n;
    roundDown = twice < s || (twice === s && digit % 2 === 0);
  }
  let exponent = k;
  if (roundDown) {
    out.push(digit);
  } else if (digit < 9) {
    out.push(digit + 1);
  } else {
    let i = out.length - 1;
    while (i >= 0 && out[i] === 9) i--;
    if (i < 0) {
      out.length = 0;
      out.push(1);
      exponent++;
    } else {
      out.length = i + 1;
      out[i]!++;
    }
  }
  let end = out.length;
  while (end > 1 && out[end - 1] === 0) end--;
  return { digits: out.slice(0, end).join(''), exponent };
}

/**
 * Trim modes, as in NumPy's `format_float_positional`:
 * 'k' keeps what was generated, '.' keeps a bare trailing point ("1."),
 * '0' leaves one zero after the point ("1.0"), '-' drops the bare point ("1").
 */
type Trim = 'k' | '.' | '0' | '-';

interface PositionalOptions {
  precision?: number;
  minDigits?: number;
  trim: Trim;
  padLeft?: number;
  padRight?: number;
}

function isNegative(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

function joinMantissa(intPart: string, frac: string, trim: Trim): string {
  if (frac.length > 0) return `${intPart}.${frac}`;
  if (trim === '-') return intPart;
  if (trim === '0') return `${intPart}.0`;
  return `${intPart}.`;
}

function formatPositional(x: number, f32: boolean, opts: PositionalOptions): string {
  const neg = isNegative(x);
  const { digits, exponent } = generateDigits(Math.abs(x), f32, {
    kind: 'fraction',
    max: opts.precision,
    min: opts.minDigits,
  });
  let intPart: string;
  let frac: string;
  if (digits === '0') {
    intPart = '0';
    frac = '';
  } else if (exponent >= 0) {
    intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    frac = digits.slice(exponent + 1);
  } else {
    intPart = '0';
    frac = '0'.repeat(-exponent - 1) + digits;
  }
  const minDigits = opts.minDigits ?? 0;
  if (frac.length < minDigits) frac = frac.padEnd(minDigits, '0');
  let text = joinMantissa((neg ? '-' : '') + intPart, frac, opts.trim);
  const padLeft = opts.padLeft ?? 0;
  const signedIntLen = intPart.length + (neg ? 1 : 0);
  if (signedIntLen < padLeft) text = ' '.repeat(padLeft - signedIntLen) + text;
  const padRight = opts.padRight ?? 0;
  const point = text.indexOf('.');
  const fracLen = point < 0 ? 0 : text.length - point - 1;
  if (fracLen < padRight) text += ' '.repeat(padRight - fracLen);
  return text;
}

interface ScientificOptions {
  precision?: number;
  minDigits?: number;
  trim: Trim;
  padLeft?: number;
  expDigits?: number;
}

function formatScientific(x: number, f32: boolean, opts: ScientificOptions): string {
  const neg = isNegative(x);
  const { digits, exponent } = generateDigits(Math.abs(x), f32, {
    kind: 'total',
    max: opts.precision === undefined ? undefined : opts.precision + 1,
    min: opts.minDigits === undefined ? undefined : opts.minDigits + 1,
  });
  const intPart = (neg ? '-' : '') + digits[0];
  let frac = digits.slice(1);
  const minDigits = opts.minDigits ?? 0;
  if (frac.length < minDigits) frac = frac.padEnd(minDigits, '0');
  let text = joinMantissa(intPart, frac, opts.trim);
  const padLeft = opts.padLeft ?? 0;
  if (intPart.length < padLeft) text = ' '.repeat(padLeft - intPart.length) + text;
  const expDigits = Math.max(2, opts.expDigits ?? 2);
  const expText = String(Math.abs(exponent)).padStart(expDigits, '0');
  return `${text}e${exponent < 0 ? '-' : '+'}${expText}`;
}

// ---------------------------------------------------------------------------------------------
// Scalars (NumPy 1.x scalar repr, which is what TF shows for rank-0 tensors)
// ---------------------------------------------------------------------------------------------

function formatFloatScalar(x: number, f32: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  const a = Math.abs(x);
  if (a === 0 || (a < 1e16 && a >= 1e-4)) return formatPositional(x, f32, { trim: '0' });
  return formatScientific(x, f32, { trim: '-' });
}

function formatScalar(value: number, dtype: FormatDType): string {
  switch (dtype) {
    case 'bool':
      return value ? 'True' : 'False';
    case 'int32':
      return String(value);
    case 'float32':
      return formatFloatScalar(value, true);
    case 'float64':
      return formatFloatScalar(value, false);
  }
}

// ---------------------------------------------------------------------------------------------
// Element formatters for arrays
// ---------------------------------------------------------------------------------------------

type ElementFormatter = (x: number) => string;

function boolFormatter(): ElementFormatter {
  return (x) => (x ? ' True' : 'False');
}

function intFormatter(values: number[]): ElementFormatter {
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  for (const v of values) {
    if (v > max) max = v;
    if (v < min) min = v;
  }
  const width = values.length > 0 ? Math.max(String(max).length, String(min).length) : 0;
  return (x) => String(x).padStart(width);
}

function floatFormatter(values: number[], f32: boolean): ElementFormatter {
  const finite = values.filter((v) => Number.isFinite(v));
  let expFormat = false;
  let maxAbs = 0;
  let minAbs = Number.POSITIVE_INFINITY;
  for (const v of finite) {
    const a = Math.abs(v);
    if (a === 0) continue;
    if (a > maxAbs) maxAbs = a;
    if (a < minAbs) minAbs = a;
  }
  if (maxAbs > 0) {
    // NumPy evaluates these comparisons in the array's own dtype.
    const ratio = f32 ? Math.fround(maxAbs / minAbs) : maxAbs / minAbs;
    const smallLimit = f32 ? Math.fround(1e-4) : 1e-4;
    expFormat = maxAbs >= 1e8 || minAbs < smallLimit || ratio > 1000;
  }

  let padLeft = 0;
  let padRight = 0;
  let precision = PRECISION;
  let expSize = -1;
  if (finite.length > 0) {
    if (expFormat) {
      let maxFrac = 0;
      let maxInt = 0;
      let maxExp = 0;
      for (const v of finite) {
        const text = formatScientific(v, f32, { precision: PRECISION, trim: '.' });
        const e = text.indexOf('e');
        const point = text.indexOf('.');
        maxInt = Math.max(maxInt, point);
        maxFrac = Math.max(maxFrac, e - point - 1);
        maxExp = Math.max(maxExp, text.length - e - 1);
      }
      expSize = maxExp - 1;
      precision = maxFrac;
      padLeft = maxInt;
      padRight = expSize + 2 + precision;
    } else {
      for (const v of finite) {
        const text = formatPositional(v, f32, { precision: PRECISION, trim: '.' });
        const point = text.indexOf('.');
        padLeft = Math.max(padLeft, point);
        padRight = Math.max(padRight, text.length - point - 1);
      }
    }
  }
  if (finite.length !== values.length) {
    const negInf = values.some((v) => v === Number.NEGATIVE_INFINITY);
    const offset = padRight + 1;
    padLeft = Math.max(padLeft, 3 - offset, 3 + (negInf ? 1 : 0) - offset);
  }
  const width = padLeft + padRight + 1;

  return (x) => {
    if (Number.isNaN(x)) return 'nan'.padStart(width);
    if (!Number.isFinite(x)) return (x < 0 ? '-inf' : 'inf').padStart(width);
    if (expFormat) {
      return formatScientific(x, f32, {
        precision,
        minDigits: precision,
        trim: 'k',
        padLeft,
        expDigits: expSize,
      });
    }
    return formatPositional(x, f32, { precision: PRECISION, minDigits: 0, trim: '.', padLeft, padRight });
  };
}

// ---------------------------------------------------------------------------------------------
// Nested layout
// ---------------------------------------------------------------------------------------------

/** Indices shown along an axis of the given length. */
function shownIndices(length: number, summarize: boolean): number[] {
  if (summarize && length > 2 * EDGE_ITEMS) {
    const idx: number[] = [];
    for (let i = 0; i < EDGE_ITEMS; i++) idx.push(i);
    for (let i = length - EDGE_ITEMS; i < length; i++) idx.push(i);
    return idx;
  }
  return Array.from({ length }, (_, i) => i);
}

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i]!;
  }
  return strides;
}

/** Values of the elements that will actually be printed (all of them unless summarised). */
function shownValues(data: FormatData, shape: readonly number[], summarize: boolean): number[] {
  const strides = rowMajorStrides(shape);
  const out: number[] = [];
  const visit = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      out.push(data[offset]!);
      return;
    }
    for (const i of shownIndices(shape[axis]!, summarize)) visit(axis + 1, offset + i * strides[axis]!);
  };
  visit(0, 0);
  return out;
}

/** Appends `word` to the current line, first wrapping if that would overflow `width`. */
function extendLine(
  state: { text: string; line: string },
  word: string,
  width: number,
  indent: string,
): void {
  if (state.line.length + word.length > width && state.line.length > indent.length) {
    state.text += `${state.line.trimEnd()}\n`;
    state.line = indent;
  }
  state.line += word;
}

function layout(
  data: FormatData,
  shape: readonly number[],
  format: ElementFormatter,
  lineWidth: number,
  summarize: boolean,
): string {
  const strides = rowMajorStrides(shape);
  const ndim = shape.length;
  const sepTrimmed = SEPARATOR.trimEnd();

  const render = (axis: number, offset: number, indent: string, width: number): string => {
    if (axis === ndim) return format(data[offset]!);
    const length = shape[axis]!;
    const stride = strides[axis]!;
    const summary = summarize && length > 2 * EDGE_ITEMS;
    const leading = summary ? EDGE_ITEMS : length;
    const trailingStart = summary ? length - EDGE_ITEMS : length;
    const childIndent = `${indent} `;
    const childWidth = width - 1; // room for the closing ']'
    let text: string;
    if (axis === ndim - 1) {
      const elemWidth = width - Math.max(sepTrimmed.length, 1);
      const state = { text: '', line: indent };
      const items: (number | null)[] = [];
      for (let i = 0; i < leading; i++) items.push(i);
      if (summary) {
        items.push(null);
        for (let i = trailingStart; i < length; i++) items.push(i);
      }
      items.forEach((i, n) => {
        const word = i === null ? '...' : render(axis + 1, offset + i * stride, childIndent, childWidth);
        extendLine(state, word, elemWidth, indent);
        if (n < items.length - 1) state.line += SEPARATOR;
      });
      text = state.text + state.line;
    } else {
      const lineSep = sepTrimmed + '\n'.repeat(ndim - axis - 1);
      const parts: string[] = [];
      for (let i = 0; i < leading; i++) {
        parts.push(indent + render(axis + 1, offset + i * stride, childIndent, childWidth));
      }
      if (summary) {
        parts.push(`${indent}...`);
        for (let i = trailingStart; i < length; i++) {
          parts.push(indent + render(axis + 1, offset + i * stride, childIndent, childWidth));
        }
      }
      text = parts.join(lineSep);
    }
    return `[${text.slice(indent.length)}]`;
  };

  return render(0, 0, ' '.repeat(1 + PREFIX.length), lineWidth);
}

function pyTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * NumPy's `repr()` of the array (as NumPy 1.x prints it with default print options), e.g.
 * `array([[1., 2.],\n       [3., 4.]], dtype=float32)`. A rank-0 array is printed the way
 * NumPy prints the corresponding scalar (`2`, `-126.78691`, `True`).
 */
export function formatArray(data: FormatData, shape: readonly number[], dtype: FormatDType): string {
  if (shape.length === 0) return formatScalar(data[0]!, dtype);
  const size = shape.reduce((a, b) => a * b, 1);
  // float64 (and int64, which tapeflow does not have) and bool are NumPy's implied dtypes.
  const implied = (dtype === 'float64' || dtype === 'bool') && size > 0;

  let body: string;
  if (size === 0) {
    body = shape.length === 1 ? '[]' : `[], shape=${pyTuple(shape)}`;
  } else {
    const summarize = size > THRESHOLD;
    const values = shownValues(data, shape, summarize);
    let format: ElementFormatter;
    if (dtype === 'bool') format = boolFormatter();
    else if (dtype === 'int32') format = intFormatter(values);
    else format = floatFormatter(values, dtype === 'float32');
    // The line width loses one column to the closing suffix (")" or ",").
    body = layout(data, shape, format, LINE_WIDTH - 1, summarize);
  }
  if (implied) return `${PREFIX}${body})`;

  const head = `${PREFIX}${body},`;
  const dtypeText = `dtype=${dtype})`;
  const lastLineLen = head.length - (head.lastIndexOf('\n') + 1);
  const spacer = lastLineLen + dtypeText.length + 1 > LINE_WIDTH ? `\n${' '.repeat(PREFIX.length)}` : ' ';
  return head + spacer + dtypeText;
}

/**
 * TensorFlow 2's eager `repr()`: `<tf.Tensor: shape=(2,), dtype=float32, numpy=array([1., 2.], dtype=float32)>`
 * or `<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=-9.99>`. As in TF, a newline is
 * inserted after `numpy=` only when NumPy's text spans several lines.
 */
export function formatTensor(
  data: FormatData,
  shape: readonly number[],
  dtype: FormatDType,
  kind: 'Tensor' | 'Variable' = 'Tensor',
  name = 'Variable:0',
): string {
  let text = formatArray(data, shape, dtype);
  if (text.includes('\n')) text = `\n${text}`;
  const shapeText = pyTuple(shape);
  if (kind === 'Variable') return `<tf.Variable '${name}' shape=${shapeText} dtype=${dtype}, numpy=${text}>`;
  return `<tf.Tensor: shape=${shapeText}, dtype=${dtype}, numpy=${text}>`;
}
