import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const { Dataset } = tf.data;

/** The elements of one pass, with tensors as nested arrays. */
async function values<T>(ds: AsyncIterable<T>): Promise<unknown[]> {
  const out: unknown[] = [];
  const plain = (v: unknown): unknown => {
    if (v instanceof tf.Tensor) return v.numpy();
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v;
  };
  for await (const x of ds) out.push(plain(x));
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('fromTensorSlices', () => {
  it('slices a tensor along axis 0', async () => {
    const x = tf.tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const ds = Dataset.fromTensorSlices(x);
    expect(ds.cardinality()).toBe(3);
    const rows = await ds.toArray();
    expect(rows.map((r) => r.shape)).toEqual([[2], [2], [2]]);
    expect(rows.map((r) => r.numpy())).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(rows[0]!.dtype).toBe('float32');
  });

  it('slices a tuple of tensors into pairs (the API example)', async () => {
    const images = tf.reshape(tf.range(0, 24), [6, 2, 2]);
    const labels = tf.tensor([0, 1, 2, 3, 4, 5], { dtype: 'int32' });
    const ds = Dataset.fromTensorSlices([images, labels]);
    const seen: number[] = [];
    for await (const [x, y] of ds) {
      expect(x.shape).toEqual([2, 2]);
      expect(y.shape).toEqual([]);
      expect(y.dtype).toBe('int32');
      seen.push(y.numpy() as number);
      expect((x.numpy() as number[][])[0]![0]).toBe(4 * (y.numpy() as number));
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('slices records, nested structures, JS arrays, typed arrays and string lists', async () => {
    const ds = Dataset.fromTensorSlices({ x: [[1], [2]], y: new Int32Array([7, 8]), name: ['a', 'b'] });
    expect(await values(ds)).toEqual([
      { x: [1], y: 7, name: 'a' },
      { x: [2], y: 8, name: 'b' },
    ]);
    const nested = Dataset.fromTensorSlices([
      tf.tensor([1, 2]),
      {
        a: tf.tensor([
          [1, 1],
          [2, 2],
        ]),
      },
    ]);
    expect(await values(nested)).toEqual([
      [1, { a: [1, 1] }],
      [2, { a: [2, 2] }],
    ]);
    expect(await values(Dataset.fromTensorSlices([3, 4, 5]))).toEqual([3, 4, 5]);
  });

  it('rejects components of different lengths, naming the shapes', () => {
    expect(() => Dataset.fromTensorSlices([tf.zeros([10, 2]), tf.zeros([9])])).toThrow(
      /fromTensorSlices: all components must have the same size along axis 0, got \[0\]: \[10,2\], \[1\]: \[9\]/,
    );
    expect(() => Dataset.fromTensorSlices({ x: tf.zeros([3]), y: tf.zeros([4, 1]) })).toThrow(
      /\.x: \[3\], \.y: \[4,1\]/,
    );
    expect(() => Dataset.fromTensorSlices(tf.tensor(3))).toThrow(/scalar/);
    expect(() => Dataset.fromTensorSlices([tf.zeros([2]), 5] as unknown as tf.Tensor[])).toThrow(
      /\[1\] is a scalar/,
    );
    expect(() => Dataset.fromTensorSlices(null)).toThrow(TypeError);
  });

  it('gives an empty dataset for zero rows', async () => {
    const ds = Dataset.fromTensorSlices(tf.zeros([0, 3]));
    expect(ds.cardinality()).toBe(0);
    expect(await ds.toArray()).toEqual([]);
    expect(await ds.batch(4).toArray()).toEqual([]);
    expect(await ds.shuffle(10, 1).repeat().take(5).toArray()).toEqual([]);
  });

  it('snapshots variables and detaches rows from autograd', async () => {
    const v = tf.variable(tf.tensor([1, 2, 3]));
    const ds = Dataset.fromTensorSlices(v);
    v.assign(tf.tensor([9, 9, 9]));
    expect(await values(ds)).toEqual([1, 2, 3]);
    const w = tf.tensor([1, 2], { requiresGrad: true });
    const [first] = await Dataset.fromTensorSlices(w).toArray();
    expect(first!.gradFn).toBeNull();
    expect(first!.requiresGrad).toBe(false);
  });
});

describe('fromGenerator, range, zip', () => {
  it('calls a sync or async generator function afresh for every pass', async () => {
    let calls = 0;
    const ds = Dataset.fromGenerator(function* () {
      calls++;
      yield* [1, 2, 3];
    });
    expect(await ds.toArray()).toEqual([1, 2, 3]);
    expect(await ds.toArray()).toEqual([1, 2, 3]);
    expect(calls).toBe(2);
    expect(ds.cardinality()).toBe(tf.data.UNKNOWN_CARDINALITY);
    const slow = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 1));
        yield { i };
      }
    });
    expect(await slow.toArray()).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    const fromIterator = Dataset.fromGenerator(() => {
      let i = 0;
      return { next: async () => (i < 2 ? { done: false, value: i++ } : { done: true, value: undefined }) };
    });
    expect(await fromIterator.toArray()).toEqual([0, 1]);
  });

  it('rejects a generator object and functions that return no iterator', async () => {
    const g = (function* () {
      yield 1;
    })();
    expect(() => Dataset.fromGenerator(g as never)).toThrow(/re|afresh/);
    await expect(Dataset.fromGenerator(() => 5 as never).toArray()).rejects.toThrow(/not an iterator/);
  });

  it('counts like Python range', async () => {
    expect(await Dataset.range(5).toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(await Dataset.range(2, 10, 3).toArray()).toEqual([2, 5, 8]);
    expect(await Dataset.range(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(await Dataset.range(3, 3).toArray()).toEqual([]);
    expect(Dataset.range(2, 10, 3).cardinality()).toBe(3);
    expect(Dataset.range(5, 0).cardinality()).toBe(0);
    expect(() => Dataset.range(0, 5, 0)).toThrow(/step must not be zero/);
    expect(() => Dataset.range(Number.NaN)).toThrow(/finite/);
  });

  it('zips tuples and records, ending with the shortest', async () => {
    const a = Dataset.range(5);
    const b = Dataset.fromTensorSlices(tf.tensor([10, 20, 30]));
    const z = Dataset.zip([a, b]);
    expect(z.cardinality()).toBe(3);
    expect(await values(z)).toEqual([
      [0, 10],
      [1, 20],
      [2, 30],
    ]);
    const r = Dataset.zip({ n: a, s: Dataset.fromGenerator(() => ['x', 'y']) });
    expect(r.cardinality()).toBe(tf.data.UNKNOWN_CARDINALITY);
    expect(await r.toArray()).toEqual([
      { n: 0, s: 'x' },
      { n: 1, s: 'y' },
    ]);
    expect(Dataset.zip([a.repeat(), Dataset.range(2).repeat()]).cardinality()).toBe(
      tf.data.INFINITE_CARDINALITY,
    );
    expect(Dataset.zip([a.repeat(), b]).cardinality()).toBe(3);
    expect(() => Dataset.zip([a, [1, 2] as never])).toThrow(/entry 1 is not a Dataset/);
    expect(() => Dataset.zip([])).toThrow(/at least one dataset/);
    const [first] = await z.take(1).toArray();
    const typed: [number, tf.Tensor] = first!;
    expect(typed[0]).toBe(0);
  });
});

describe('map, filter, enumerate, concatenate', () => {
  it('maps sync and async functions in order', async () => {
    const ds = Dataset.range(6);
    expect(await ds.map((x) => x * 2).toArray()).toEqual([0, 2, 4, 6, 8, 10]);
    const delays = [30, 5, 20, 1, 10, 0];
    const mapped = ds.map(async (x) => {
      await new Promise((r) => setTimeout(r, delays[x]));
      return `#${x}`;
    });
    expect(await mapped.toArray()).toEqual(['#0', '#1', '#2', '#3', '#4', '#5']);
    expect(mapped.cardinality()).toBe(6);
  });

  it('runs up to numParallelCalls calls at once and keeps the order', async () => {
    let running = 0;
    let peak = 0;
    const delays = [20, 1, 15, 1, 10, 1, 5, 1];
    const ds = Dataset.range(8).map(
      async (x) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, delays[x]));
        running--;
        return x * x;
      },
      { numParallelCalls: 3 },
    );
    expect(await ds.toArray()).toEqual([0, 1, 4, 9, 16, 25, 36, 49]);
    expect(peak).toBe(3);
    expect(() => Dataset.range(2).map((x) => x, { numParallelCalls: 0 })).toThrow(/numParallelCalls/);
    expect(
      await Dataset.range(3)
        .map((x) => x, { numParallelCalls: tf.data.AUTOTUNE })
        .toArray(),
    ).toEqual([0, 1, 2]);
  });

  it('surfaces an error of the map function at its element', async () => {
    const seen: number[] = [];
    const ds = Dataset.range(5).map((x) => {
      if (x === 3) throw new Error('bad element 3');
      return x;
    });
    await expect(ds.forEachAsync((x) => void seen.push(x))).rejects.toThrow('bad element 3');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('filters with booleans, scalar tensors and async predicates', async () => {
    expect(
      await Dataset.range(10)
        .filter((x) => x % 3 === 0)
        .toArray(),
    ).toEqual([0, 3, 6, 9]);
    const t = Dataset.fromTensorSlices(tf.tensor([1, -2, 3, -4]));
    expect(await values(t.filter((x) => tf.greater(x, 0)))).toEqual([1, 3]);
    expect(
      await Dataset.range(4)
        .filter(async (x) => x > 1)
        .toArray(),
    ).toEqual([2, 3]);
    expect(
      Dataset.range(4)
        .filter(() => true)
        .cardinality(),
    ).toBe(tf.data.UNKNOWN_CARDINALITY);
    await expect(
      Dataset.range(2)
        .filter(() => tf.tensor([1, 1]))
        .toArray(),
    ).rejects.toThrow(/scalar tensor/);
    await expect(
      Dataset.range(2)
        .filter(() => 1 as never)
        .toArray(),
    ).rejects.toThrow(/expected a boolean/);
  });

  it('enumerates from a start and concatenates', async () => {
    expect(
      await Dataset.fromGenerator(() => ['a', 'b'])
        .enumerate(5)
        .toArray(),
    ).toEqual([
      [5, 'a'],
      [6, 'b'],
    ]);
    const both = Dataset.range(2).concatenate(Dataset.range(10, 12));
    expect(await both.toArray()).toEqual([0, 1, 10, 11]);
    expect(both.cardinality()).toBe(4);
  });
});

describe('shuffle', () => {
  it('is a deterministic permutation for a seed', async () => {
    const a = await Dataset.range(100).shuffle(20, 42).toArray();
    const b = await Dataset.range(100).shuffle(20, 42).toArray();
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(range(100));
    expect(a).not.toEqual(range(100));
    const c = await Dataset.range(100).shuffle(20, 43).toArray();
    expect(c).not.toEqual(a);
  });

  it('reshuffles each pass reproducibly, or replays the same order', async () => {
    const ds = Dataset.range(50).shuffle(50, 7);
    const p1 = await ds.toArray();
    const p2 = await ds.toArray();
    expect(p2).not.toEqual(p1);
    const again = Dataset.range(50).shuffle(50, 7);
    expect(await again.toArray()).toEqual(p1);
    expect(await again.toArray()).toEqual(p2);
    const fixed = Dataset.range(50).shuffle(50, 7, false);
    const f1 = await fixed.toArray();
    expect(await fixed.toArray()).toEqual(f1);
    expect(f1).toEqual(p1);
  });

  it('follows the buffer semantics: an element moves at most bufferSize - 1 places earlier', async () => {
    for (const buffer of [1, 2, 5]) {
      for (let seed = 0; seed < 20; seed++) {
        const out = await Dataset.range(30).shuffle(buffer, seed).toArray();
        for (const [position, x] of out.entries()) expect(x).toBeLessThanOrEqual(position + buffer - 1);
        if (buffer === 1) expect(out).toEqual(range(30));
      }
    }
  });

  it('reaches every permutation when the buffer holds the whole dataset', async () => {
    const seen = new Map<string, number>();
    const trials = 2400;
    for (let seed = 0; seed < trials; seed++) {
      const key = (await Dataset.range(4).shuffle(4, seed).toArray()).join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect(seen.size).toBe(24);
    // Uniform: 100 expected per permutation; allow generous sampling noise.
    for (const count of seen.values()) expect(count).toBeGreaterThan(55);
    for (const count of seen.values()) expect(count).toBeLessThan(150);
  });

  it('gives the same order on in-memory columns as on a generic stream', async () => {
    const x = tf.range(0, 40);
    const fast = await values(Dataset.fromTensorSlices(x).shuffle(8, 3));
    const generic = await Dataset.range(40).shuffle(8, 3).toArray();
    expect(fast).toEqual(generic);
  });

  it('draws an absent seed from the global generator (tf.random.setSeed)', async () => {
    tf.random.setSeed(1234);
    const a = await Dataset.range(30).shuffle(30).toArray();
    tf.random.setSeed(1234);
    const b = await Dataset.range(30).shuffle(30).toArray();
    expect(a).toEqual(b);
    const c = await Dataset.range(30).shuffle(30).toArray();
    expect(c).not.toEqual(a);
  });

  it('validates its arguments', () => {
    expect(() => Dataset.range(3).shuffle(0)).toThrow(/bufferSize must be an integer >= 1/);
    expect(() => Dataset.range(3).shuffle(2.5)).toThrow(/bufferSize/);
    expect(() => Dataset.range(3).shuffle(2, Number.NaN)).toThrow(/seed/);
  });
});

describe('batch and unbatch', () => {
  it('batches with and without the remainder', async () => {
    const ds = Dataset.fromTensorSlices(tf.range(0, 10));
    const sizes = async (d: tf.data.Dataset<tf.Tensor>) => (await d.toArray()).map((b) => b.shape[0]);
    expect(await sizes(ds.batch(4))).toEqual([4, 4, 2]);
    expect(await sizes(ds.batch(4, true))).toEqual([4, 4]);
    expect(await sizes(ds.batch(5, true))).toEqual([5, 5]);
    expect(await sizes(ds.batch(20))).toEqual([10]);
    expect(await sizes(ds.batch(20, true))).toEqual([]);
    expect(ds.batch(4).cardinality()).toBe(3);
    expect(ds.batch(4, true).cardinality()).toBe(2);
    expect(() => ds.batch(0)).toThrow(/batchSize must be an integer >= 1/);
  });

  it('stacks tensors, numbers, booleans and strings through tuples and records', async () => {
    const ds = Dataset.fromGenerator(function* () {
      for (let i = 0; i < 3; i++) {
        yield { x: tf.tensor([i, i]), y: [i, i % 2 === 0], tag: `t${i}` } as const;
      }
    }).batch(2);
    const batches = await ds.toArray();
    expect(batches).toHaveLength(2);
    const first = batches[0]!;
    expect(first.x.shape).toEqual([2, 2]);
    expect(first.y[0].dtype).toBe('float32');
    expect(first.y[0].numpy()).toEqual([0, 1]);
    expect(first.y[1].dtype).toBe('bool');
    expect(first.y[1].numpy()).toEqual([true, false]);
    expect(first.tag).toEqual(['t0', 't1']);
    expect(batches[1]!.x.numpy()).toEqual([[2, 2]]);
  });

  it('names the element and shapes when elements cannot be stacked', async () => {
    const ragged = Dataset.fromGenerator(() => [tf.zeros([2]), tf.zeros([3])]).batch(2);
    await expect(ragged.toArray()).rejects.toThrow(
      /batch: cannot stack the element: element 1 is a float32 tensor of shape \[3\]/,
    );
    const mixed = Dataset.fromGenerator(() => [{ a: 1 }, { a: 'x' }]).batch(2);
    await expect(mixed.toArray()).rejects.toThrow(/component \.a: element 1 is string x/);
    const dtypes = Dataset.fromGenerator(() => [tf.zeros([2]), tf.zeros([2], 'int32')]).batch(2);
    await expect(dtypes.toArray()).rejects.toThrow(/int32/);
    await expect(
      Dataset.fromGenerator(() => [null, null])
        .batch(2)
        .toArray(),
    ).rejects.toThrow(/cannot batch/);
  });

  it('gathers in-memory rows per batch, with the values of the generic path', async () => {
    const x = tf.reshape(tf.range(0, 60), [20, 3]);
    const y = tf.range(0, 20, 1, 'int32');
    const fast = Dataset.fromTensorSlices([x, y]).shuffle(8, 5).batch(6);
    const generic = Dataset.fromTensorSlices([x, y])
      .map((e) => e)
      .shuffle(8, 5)
      .batch(6);
    expect(await values(fast)).toEqual(await values(generic));
    const [b] = await fast.toArray();
    expect(b![0].shape).toEqual([6, 3]);
    expect(b![1].dtype).toBe('int32');
    // Consecutive rows are a view of the input; shuffled rows are copied.
    const [plain] = await Dataset.fromTensorSlices(x).batch(6).toArray();
    expect(plain!.storage).toBe(x.storage);
    expect(b![0].storage).not.toBe(x.storage);
  });

  it('handles non-contiguous inputs', async () => {
    const x = tf.transpose(tf.reshape(tf.range(0, 12), [3, 4]));
    const ds = Dataset.fromTensorSlices(x).shuffle(4, 1).batch(3);
    const rows = (await values(ds)).flat() as number[][];
    const sorted = [...rows].sort((p, q) => p[0]! - q[0]!);
    expect(sorted).toEqual(x.numpy());
  });

  it('unbatches back into elements', async () => {
    const x = tf.reshape(tf.range(0, 10), [5, 2]);
    const ds = Dataset.fromTensorSlices({ x, s: ['a', 'b', 'c', 'd', 'e'] });
    const round = ds.batch(2).unbatch();
    expect(await values(round)).toEqual(await values(ds));
    expect(round.cardinality()).toBe(tf.data.UNKNOWN_CARDINALITY);
    const bad = Dataset.fromGenerator(() => [[tf.zeros([2]), tf.zeros([3])]]).unbatch();
    await expect(bad.toArray()).rejects.toThrow(
      /unbatch: components differ in their size along axis 0: \[0\]: \[2\], \[1\]: \[3\]/,
    );
    await expect(Dataset.range(2).unbatch().toArray()).rejects.toThrow(/unbatch/);
    await expect(
      Dataset.fromGenerator(() => [tf.tensor(1)])
        .unbatch()
        .toArray(),
    ).rejects.toThrow(/scalar/);
  });
});

describe('repeat, take, skip', () => {
  it('repeats a number of times or forever', async () => {
    expect(await Dataset.range(3).repeat(2).toArray()).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await Dataset.range(3).repeat(0).toArray()).toEqual([]);
    expect(await Dataset.range(3).repeat().take(7).toArray()).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(await Dataset.range(3).repeat(-1).take(4).toArray()).toEqual([0, 1, 2, 0]);
    expect(Dataset.range(3).repeat(2).cardinality()).toBe(6);
    expect(Dataset.range(3).repeat().cardinality()).toBe(tf.data.INFINITE_CARDINALITY);
    expect(Dataset.range(3).repeat().take(4).cardinality()).toBe(4);
    expect(Dataset.range(0).repeat().cardinality()).toBe(0);
    // An empty dataset repeated forever ends instead of spinning.
    expect(
      await Dataset.fromGenerator(() => [])
        .repeat()
        .toArray(),
    ).toEqual([]);
    expect(
      await Dataset.fromTensorSlices(tf.zeros([0]))
        .repeat()
        .toArray(),
    ).toEqual([]);
    await expect(Dataset.range(3).repeat().toArray()).rejects.toThrow(/infinite/);
  });

  it('takes and skips, alone and combined', async () => {
    const ds = Dataset.range(10);
    expect(await ds.take(3).toArray()).toEqual([0, 1, 2]);
    expect(await ds.take(0).toArray()).toEqual([]);
    expect(await ds.take(-1).toArray()).toEqual(range(10));
    expect(await ds.take(50).toArray()).toEqual(range(10));
    expect(await ds.skip(7).toArray()).toEqual([7, 8, 9]);
    expect(await ds.skip(-1).toArray()).toEqual([]);
    expect(await ds.skip(20).toArray()).toEqual([]);
    expect(await ds.skip(2).take(3).toArray()).toEqual([2, 3, 4]);
    expect(await ds.take(3).repeat(2).toArray()).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await ds.repeat(2).skip(8).take(4).toArray()).toEqual([8, 9, 0, 1]);
    expect(ds.skip(7).cardinality()).toBe(3);
    expect(ds.take(50).cardinality()).toBe(10);
    expect(() => ds.take(1.5)).toThrow(/count/);
  });

  it('combines the same way on in-memory columns', async () => {
    const ds = Dataset.fromTensorSlices(tf.range(0, 10));
    expect(await values(ds.take(3).repeat(2))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(await values(ds.repeat(2).skip(8).take(4))).toEqual([8, 9, 0, 1]);
    expect(await values(ds.repeat().take(12).batch(5))).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [0, 1],
    ]);
    const passes = await values(ds.shuffle(10, 9).repeat(2));
    const [a, b] = [passes.slice(0, 10), passes.slice(10)];
    expect([...a].sort()).toEqual([...b].sort());
    expect(a).not.toEqual(b);
  });

  it('take stops pulling from its input', async () => {
    let pulled = 0;
    let closed = false;
    const ds = Dataset.fromGenerator(function* () {
      try {
        for (let i = 0; ; i++) {
          pulled++;
          yield i;
        }
      } finally {
        closed = true;
      }
    });
    expect(await ds.take(3).toArray()).toEqual([0, 1, 2]);
    expect(pulled).toBe(3);
    expect(closed).toBe(true);
  });
});

describe('prefetch and cache', () => {
  it('reads ahead without changing the elements', async () => {
    let produced = 0;
    const ds = Dataset.fromGenerator(async function* () {
      for (let i = 0; i < 10; i++) {
        produced++;
        yield i;
      }
    }).prefetch(3);
    expect(await ds.toArray()).toEqual(range(10));
    produced = 0;
    const it = ds[Symbol.asyncIterator]();
    expect((await it.next()).value).toBe(0);
    await new Promise((r) => setTimeout(r, 5));
    expect(produced).toBe(4); // the element taken plus three read ahead
    await it.return?.();
    expect(ds.cardinality()).toBe(tf.data.UNKNOWN_CARDINALITY);
    expect(await Dataset.range(4).prefetch(0).toArray()).toEqual([0, 1, 2, 3]);
    expect(await Dataset.range(4).prefetch().toArray()).toEqual([0, 1, 2, 3]);
    expect(() => Dataset.range(4).prefetch(-3)).toThrow(/bufferSize/);
  });

  it('closes its input on an early break and reports errors at their element', async () => {
    let closed = false;
    const ds = Dataset.fromGenerator(async function* () {
      try {
        for (let i = 0; i < 100; i++) yield i;
      } finally {
        closed = true;
      }
    }).prefetch(2);
    for await (const x of ds) if (x === 1) break;
    expect(closed).toBe(true);
    const failing = Dataset.fromGenerator(function* () {
      yield 1;
      yield 2;
      throw new Error('source failed');
    }).prefetch(5);
    const seen: number[] = [];
    await expect(failing.forEachAsync((x) => void seen.push(x))).rejects.toThrow('source failed');
    expect(seen).toEqual([1, 2]);
  });

  it('caches the first complete pass', async () => {
    let calls = 0;
    const ds = Dataset.fromGenerator(function* () {
      calls++;
      yield* [1, 2, 3];
    })
      .map((x) => x * 10)
      .cache();
    expect(await ds.take(2).toArray()).toEqual([10, 20]); // a partial pass caches nothing
    expect(await ds.toArray()).toEqual([10, 20, 30]);
    expect(await ds.toArray()).toEqual([10, 20, 30]);
    expect(calls).toBe(2);
  });

  it('freezes a shuffle before it, on both paths', async () => {
    const generic = Dataset.range(20).shuffle(20, 1).cache();
    const g1 = await generic.toArray();
    expect(await generic.toArray()).toEqual(g1);
    const fast = Dataset.fromTensorSlices(tf.range(0, 20)).shuffle(20, 1).cache();
    const f1 = await values(fast);
    expect(await values(fast)).toEqual(f1);
    expect(await values(fast.batch(20))).toEqual([f1]);
    // and a shuffle after cache still reshuffles
    const after = Dataset.range(20).cache().shuffle(20, 1);
    expect(await after.toArray()).not.toEqual(await after.toArray());
  });
});

describe('iteration', () => {
  it('is re-iterable, each pass fresh, and passes are independent', async () => {
    const ds = Dataset.fromTensorSlices(tf.range(0, 5)).map((x) => (x.numpy() as number) + 1);
    expect(await ds.toArray()).toEqual([1, 2, 3, 4, 5]);
    expect(await ds.toArray()).toEqual([1, 2, 3, 4, 5]);
    const a = ds.iterator();
    const b = ds[Symbol.asyncIterator]();
    expect((await a.next()).value).toBe(1);
    expect((await a.next()).value).toBe(2);
    expect((await b.next()).value).toBe(1);
  });

  it('trains like the Keras custom loop: one pass per epoch over shuffled batches', async () => {
    const images = tf.random.normal([100, 4], 0, 1, { seed: 1 });
    const labels = tf.tensor(
      range(100).map((i) => i % 3),
      { dtype: 'int32' },
    );
    const ds = Dataset.fromTensorSlices([images, labels]).shuffle(1024).batch(32);
    expect(ds.cardinality()).toBe(4);
    for (let epoch = 0; epoch < 2; epoch++) {
      const seen: number[] = [];
      let count = 0;
      for await (const [xb, yb] of ds) {
        expect(xb.shape[1]).toBe(4);
        expect(yb.shape[0]).toBe(xb.shape[0]);
        count += xb.shape[0]!;
        seen.push(...(yb.numpy() as number[]));
      }
      expect(count).toBe(100);
      expect(seen.filter((v) => v === 0)).toHaveLength(34);
    }
  });

  it('batches a large tensor pass quickly through the row gather', async () => {
    const x = tf.zeros([20000, 784]);
    const y = tf.zeros([20000], 'int32');
    let rows = 0;
    for await (const [xb] of Dataset.fromTensorSlices([x, y]).shuffle(1024, 0).batch(64))
      rows += xb.shape[0]!;
    expect(rows).toBe(20000);
  });
});
