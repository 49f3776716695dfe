import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const { csv, parseCsvRows } = tf.data;

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tapeflow-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fields = (text: string, delimiter?: string) => parseCsvRows(text, delimiter).map((r) => r.fields);

describe('parseCsvRows (RFC 4180)', () => {
  it('splits fields and records, with CRLF, LF, a BOM and no final newline', () => {
    expect(fields('a,b,c\n1,2,3\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
    expect(fields('\uFEFFa,b\r\n1,2\r\n3,4')).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(fields('a,,c,\n')).toEqual([['a', '', 'c', '']]);
    expect(fields('a;b\t c\n', ';')).toEqual([['a', 'b\t c']]);
  });

  it('handles quoted fields with delimiters, line breaks and doubled quotes', () => {
    const rows = parseCsvRows('name,note\n"Smith, J","said ""hi""\nthen left"\n"",x\n');
    expect(rows.map((r) => r.fields)).toEqual([
      ['name', 'note'],
      ['Smith, J', 'said "hi"\nthen left'],
      ['', 'x'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('skips blank lines but keeps a quoted empty field', () => {
    expect(fields('a\n\n1\n\r\n2\n\n')).toEqual([['a'], ['1'], ['2']]);
    expect(fields('a\n""\n')).toEqual([['a'], ['']]);
  });

  it('reports an unclosed quote and text after a closing quote with their line', () => {
    expect(() => parseCsvRows('a,b\n1,"open\n\n', ',', 'f.csv')).toThrow(
      /csv: 'f.csv' line 2: a quoted field is never closed/,
    );
    expect(() => parseCsvRows('a,b\n1,"x"y\n')).toThrow(/line 2: unexpected 'y' after a closing quote/);
    expect(() => parseCsvRows('a', '"')).toThrow(/delimiter/);
    expect(() => parseCsvRows('a', ',,')).toThrow(/delimiter/);
  });
});

describe('csv datasets', () => {
  const text = 'x,label,name\n1.5,0,"a, b"\n-2,1,c\n3e2,2,"d"\n';

  it('gives records with typed columns', async () => {
    const ds = csv(text, { columns: { x: 'float32', label: 'int32', name: 'string' } });
    const rows = await ds.toArray();
    expect(rows).toHaveLength(3);
    const first = rows[0]!;
    expect(first.x.dtype).toBe('float32');
    expect(first.x.shape).toEqual([]);
    expect(first.x.numpy()).toBe(1.5);
    expect(first.label.dtype).toBe('int32');
    expect(first.name).toBe('a, b');
    expect(rows.map((r) => r.x.numpy())).toEqual([1.5, -2, 300]);
  });

  it('batches columns into tensors of their dtype and string lists', async () => {
    const ds = csv(text, { columns: { label: 'int32', x: 'float64', name: 'string' } }).batch(2);
    const [b0, b1] = await ds.toArray();
    expect(b0!.label.dtype).toBe('int32');
    expect(b0!.label.numpy()).toEqual([0, 1]);
    expect(b0!.x.dtype).toBe('float64');
    expect(b0!.name).toEqual(['a, b', 'c']);
    expect(b1!.label.numpy()).toEqual([2]);
    const shuffled = await csv(text, { columns: { label: 'int32', name: 'string' } })
      .shuffle(3, 1)
      .batch(3)
      .toArray();
    const { label, name } = shuffled[0]!;
    const pairs = (label.numpy() as number[]).map((l, i) => `${l}:${name[i]}`).sort();
    expect(pairs).toEqual(['0:a, b', '1:c', '2:d']);
  });

  it('defaults to every column as float32, and selects a subset in the given order', async () => {
    const all = await csv('a,b\n1,2\n3,4\n').toArray();
    expect(Object.keys(all[0]!)).toEqual(['a', 'b']);
    expect(all.map((r) => [r.a!.numpy(), r.b!.numpy()])).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const some = await csv('a,b,c\n1,2,3\n', { columns: { c: 'int32', a: 'int32' } }).toArray();
    expect(Object.keys(some[0]!)).toEqual(['c', 'a']);
  });

  it('reads files without a header, naming columns by the columns option or by position', async () => {
    const byColumns = await csv('1;x\n2;y\n', {
      header: false,
      delimiter: ';',
      columns: { n: 'int32', s: 'string' },
    }).toArray();
    expect(byColumns.map((r) => [r.n.numpy(), r.s])).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
    const positional = await csv('1,2\n3,4\n', { header: false }).toArray();
    expect(Object.keys(positional[0]!)).toEqual(['column0', 'column1']);
    const named = await csv('1,2\n', {
      header: false,
      columnNames: ['p', 'q'],
      columns: { q: 'float32' },
    }).toArray();
    expect(named[0]!.q.numpy()).toBe(2);
  });

  it('treats empty and NaN floats as NaN', async () => {
    const rows = await csv('a,b\n,NaN\n nan ,1\n').toArray();
    expect(Number.isNaN(rows[0]!.a!.numpy())).toBe(true);
    expect(Number.isNaN(rows[0]!.b!.numpy())).toBe(true);
    expect(Number.isNaN(rows[1]!.a!.numpy())).toBe(true);
  });

  it('names the line of a row with the wrong number of fields', async () => {
    const bad = 'a,b\n1,2\n"multi\nline",3\n4,5,6\n';
    await expect(csv(bad, { name: 'data.csv' }).toArray()).rejects.toThrow(
      /csv: 'data.csv' line 5: expected 2 fields \(a, b\), got 3/,
    );
    await expect(csv('a,b\n1\n').toArray()).rejects.toThrow(
      /'<text>' line 2: expected 2 fields \(a, b\), got 1/,
    );
  });

  it('names the line and column of a value that does not parse', async () => {
    await expect(csv('a,b\n1,2\n3,x\n').toArray()).rejects.toThrow(
      /line 3: column 'b' is float32, but the field is 'x' \(declare the column as 'string'/,
    );
    await expect(csv('n\n1\n2.5\n', { columns: { n: 'int32' } }).toArray()).rejects.toThrow(
      /line 3: column 'n' is int32, but the field is '2.5'/,
    );
    await expect(csv('n\n3000000000\n', { columns: { n: 'int32' } }).toArray()).rejects.toThrow(/int32/);
    await expect(csv('a,b\n1,2\n', { columns: { c: 'float32' } }).toArray()).rejects.toThrow(
      /has no column 'c'; its columns are a, b/,
    );
    await expect(csv('a\n1\n', { columns: { a: 'uint8' as never } }).toArray()).rejects.toThrow(
      /unknown type 'uint8'/,
    );
    await expect(csv('', { name: 'empty.csv' }).toArray()).rejects.toThrow(
      /'empty.csv' is empty, but a header line was expected/,
    );
  });

  it('reads a file by path (and bytes), lazily, once', async () => {
    const path = join(dir, 'iris.csv');
    await writeFile(path, 'sepal,species\n5.1,setosa\n7.0,versicolor\n');
    const ds = csv(path, { columns: { sepal: 'float32', species: 'string' } });
    expect(ds.cardinality()).toBe(tf.data.UNKNOWN_CARDINALITY);
    const rows = await ds.toArray();
    expect(rows.map((r) => r.species)).toEqual(['setosa', 'versicolor']);
    await writeFile(path, 'sepal,species\n');
    expect(await ds.toArray()).toHaveLength(2); // parsed once, on the first pass
    const fromBytes = await csv(new TextEncoder().encode('a\n1\n')).toArray();
    expect(fromBytes[0]!.a!.numpy()).toBe(1);
    const missing = join(dir, 'missing.csv');
    await expect(csv(missing).toArray()).rejects.toThrow(
      new RegExp(`csv: cannot read '${missing}': no such file`),
    );
    await writeFile(missing, 'a\n2\n');
    expect((await csv(missing).toArray())[0]!.a!.numpy()).toBe(2);
  });

  it('gives an empty dataset for a header-only file', async () => {
    expect(await csv('a,b\n').toArray()).toEqual([]);
    expect(
      await csv('a,b\n', { columns: { a: 'int32' } })
        .batch(4)
        .toArray(),
    ).toEqual([]);
  });
});
