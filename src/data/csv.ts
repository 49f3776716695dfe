/**
 * `tf.data.csv`: a Dataset of records with typed columns from CSV text or a file. Fields follow
 * RFC 4180: separated by the delimiter, records by CRLF or LF, a field in double quotes may hold
 * delimiters, line breaks and doubled quotes (`""`). Blank lines are skipped. The file is read and
 * parsed once, on the first iteration, into one column per field (a float32/int32 tensor or a list
 * of strings), so shuffling and batching the result work on whole columns.
 */
import { readFileBytes } from '../platform/index.js';
import { Tensor } from '../tensor/tensor.js';
import { Dataset, UNKNOWN_CARDINALITY } from './dataset.js';
import { DataFormatError } from './idx.js';
import { type Columns, rangeOrder } from './slices.js';

export type CsvColumnType = 'float32' | 'float64' | 'int32' | 'string';

export interface CsvOptions<C extends Record<string, CsvColumnType>> {
  /**
   * The columns to keep, by name, with their types (in this order). By default every column,
   * as float32.
   */
  columns?: C;
  /** Whether the first record names the columns (default true). */
  header?: boolean;
  /** Column names when there is no header (default: the keys of `columns`, else `column0`, ...). */
  columnNames?: readonly string[];
  /** Field separator, one character (default ','). */
  delimiter?: string;
  /** Name used in error messages for CSV text (a path names itself). */
  name?: string;
}

/** A record of a CSV dataset: numeric columns as scalar tensors, string columns as strings. */
export type CsvRecord<C extends Record<string, CsvColumnType>> = {
  -readonly [K in keyof C]: C[K] extends 'string' ? string : Tensor;
};

interface CsvRow {
  fields: string[];
  line: number;
}

/** Splits CSV text into records (RFC 4180), each with the line it starts on (1-based). */
export function parseCsvRows(text: string, delimiter = ',', name = '<text>'): CsvRow[] {
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(
      `csv: delimiter must be one character other than a quote or line break, got '${delimiter}'`,
    );
  }
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let quoted = false;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        quoted = true;
        const quoteLine = line;
        i++;
        for (;;) {
          if (i >= n) {
            throw new DataFormatError(`csv: '${name}' line ${quoteLine}: a quoted field is never closed`);
          }
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (c === '\n') line++;
          field += c;
          i++;
        }
        if (i < n && text[i] !== delimiter && text[i] !== '\n' && text[i] !== '\r') {
          throw new DataFormatError(
            `csv: '${name}' line ${line}: unexpected '${text[i]}' after a closing quote (a quote inside a quoted field is written "")`,
          );
        }
      } else {
        let j = i;
        while (j < n && text[j] !== delimiter && text[j] !== '\n' && text[j] !== '\r') j++;
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (i < n && text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    // End of record: CRLF, LF, CR or end of text.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = fields.length === 1 && fields[0] === '' && !quoted;
    if (!blank) rows.push({ fields, line: start });
  }
  return rows;
}

const INT = /^[+-]?\d+$/;

function parseColumn(
  type: CsvColumnType,
  rows: readonly CsvRow[],
  index: number,
  column: string,
  name: string,
): Tensor | string[] {
  if (type === 'string') return rows.map((r) => r.fields[index]!);
  const n = rows.length;
  const data =
    type === 'int32' ? new Int32Array(n) : type === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const raw = rows[k]!.fields[index]!;
    const s = raw.trim();
    let v: number;
    if (type === 'int32') {
      v = INT.test(s) ? Number(s) : Number.NaN;
      if (!(v >= -2147483648 && v <= 2147483647)) {
        throw new DataFormatError(
          `csv: '${name}' line ${rows[k]!.line}: column '${column}' is int32, but the field is '${raw}'`,
        );
      }
    } else {
      v = s === '' || /^nan$/i.test(s) ? Number.NaN : Number(s);
      if (Number.isNaN(v) && s !== '' && !/^nan$/i.test(s)) {
        throw new DataFormatError(
          `csv: '${name}' line ${rows[k]!.line}: column '${column}' is ${type}, but the field is '${raw}' (declare the column as 'string' to keep text)`,
        );
      }
    }
    data[k] = v;
  }
  return new Tensor(data, [n], type);
}

const TYPES: readonly CsvColumnType[] = ['float32', 'float64', 'int32', 'string'];

/** Parses CSV text into typed columns (a record of tensors and string lists) with `n` rows. */
export function csvColumns<C extends Record<string, CsvColumnType>>(
  text: string,
  options: CsvOptions<C> = {},
): Columns {
  const name = options.name ?? '<text>';
  const header = options.header ?? true;
  const rows = parseCsvRows(text, options.delimiter ?? ',', name);
  let names: readonly string[];
  if (header) {
    const first = rows.shift();
    if (!first) throw new DataFormatError(`csv: '${name}' is empty, but a header line was expected`);
    names = first.fields.map((f) => f.trim());
  } else {
    const width = rows[0]?.fields.length ?? 0;
    names =
      options.columnNames ??
      (options.columns
        ? Object.keys(options.columns)
        : Array.from({ length: width }, (_, i) => `column${i}`));
  }
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      throw new DataFormatError(
        `csv: '${name}' line ${row.line}: expected ${names.length} fields (${names.join(', ')}), got ${row.fields.length}`,
      );
    }
  }
  const wanted = options.columns ?? Object.fromEntries(names.map((c) => [c, 'float32' as const]));
  const root: Record<string, Tensor | string[]> = {};
  for (const [column, type] of Object.entries(wanted)) {
    if (!TYPES.includes(type)) {
      throw new TypeError(
        `csv: column '${column}' has unknown type '${String(type)}' (expected ${TYPES.join(', ')})`,
      );
    }
    const index = names.indexOf(column);
    if (index < 0) {
      throw new DataFormatError(
        `csv: '${name}' has no column '${column}'; its columns are ${names.join(', ')}`,
      );
    }
    root[column] = parseColumn(type, rows, index, column, name);
  }
  return { root, n: rows.length };
}

/**
 * A dataset of records from CSV: `source` is a file path (read through the platform layer), CSV
 * text (any string with a line break, or the empty string), or the file's bytes (UTF-8). Numeric columns give scalar
 * tensors (so `batch` makes float32/int32 tensors), string columns strings.
 *
 * ```ts
 * const ds = tf.data.csv('iris.csv', { columns: { sepal: 'float32', species: 'string' } });
 * ```
 */
export function csv<const C extends Record<string, CsvColumnType> = Record<string, 'float32'>>(
  source: string | Uint8Array,
  options: CsvOptions<C> = {},
): Dataset<CsvRecord<C>> {
  if (typeof source !== 'string' && !(source instanceof Uint8Array)) {
    throw new TypeError('csv: expected a path, CSV text or bytes');
  }
  const isText = typeof source === 'string' && (source === '' || /[\r\n]/.test(source));
  const name = options.name ?? (typeof source === 'string' && !isText ? source : '<text>');
  let loaded: Promise<Columns> | undefined;
  const load = (): Promise<Columns> => {
    loaded ??= (async () => {
      let text: string;
      if (typeof source === 'string' && isText) text = source;
      else {
        let bytes: Uint8Array;
        if (typeof source === 'string') {
          try {
            bytes = await readFileBytes(source);
          } catch (error) {
            throw new Error(`csv: ${(error as Error).message}`, { cause: error });
          }
        } else bytes = source;
        text = new TextDecoder('utf-8').decode(bytes);
      }
      return csvColumns(text, { ...options, name });
    })();
    // A failed load is retried on the next pass (the file may appear or be fixed).
    loaded.catch(() => {
      loaded = undefined;
    });
    return loaded;
  };
  return Dataset.fromSliceSource<CsvRecord<C>>({ load, order: rangeOrder }, UNKNOWN_CARDINALITY);
}
