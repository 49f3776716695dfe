import { describe, expectTypeOf, it } from 'vitest';
import * as tf from '../../src/index.js';

const { Dataset } = tf.data;

// Compile-time checks (tsc runs over test/): element types flow through the generics.
describe('element types', () => {
  it('flow through sources and transformations', () => {
    const images = tf.zeros([4, 2]);
    const labels = tf.zeros([4], 'int32');
    expectTypeOf(Dataset.fromTensorSlices(images)).toEqualTypeOf<tf.data.Dataset<tf.Tensor>>();
    const pairs = Dataset.fromTensorSlices([images, labels]);
    expectTypeOf(pairs).toEqualTypeOf<tf.data.Dataset<[tf.Tensor, tf.Tensor]>>();
    expectTypeOf(pairs.shuffle(1024).batch(64)).toEqualTypeOf<tf.data.Dataset<[tf.Tensor, tf.Tensor]>>();
    expectTypeOf(pairs.batch(2).unbatch()).toEqualTypeOf<tf.data.Dataset<[tf.Tensor, tf.Tensor]>>();
    const record = Dataset.fromTensorSlices({ x: images, y: labels, name: ['a', 'b', 'c', 'd'] });
    expectTypeOf(record).toEqualTypeOf<tf.data.Dataset<{ x: tf.Tensor; y: tf.Tensor; name: string }>>();
    expectTypeOf(record.batch(2)).toEqualTypeOf<
      tf.data.Dataset<{ x: tf.Tensor; y: tf.Tensor; name: string[] }>
    >();
    expectTypeOf(
      Dataset.fromTensorSlices([
        [1, 2],
        [3, 4],
      ]),
    ).toEqualTypeOf<tf.data.Dataset<tf.Tensor>>();
    expectTypeOf(
      Dataset.range(5)
        .map((x) => x * 2)
        .batch(2),
    ).toEqualTypeOf<tf.data.Dataset<tf.Tensor>>();
    expectTypeOf(Dataset.range(5).map(async (x) => `${x}`)).toEqualTypeOf<tf.data.Dataset<string>>();
    expectTypeOf(Dataset.range(5).enumerate()).toEqualTypeOf<tf.data.Dataset<[number, number]>>();
    expectTypeOf(Dataset.zip([Dataset.range(2), pairs])).toEqualTypeOf<
      tf.data.Dataset<[number, [tf.Tensor, tf.Tensor]]>
    >();
    expectTypeOf(Dataset.zip({ a: Dataset.range(2) })).toEqualTypeOf<tf.data.Dataset<{ a: number }>>();
    expectTypeOf(
      Dataset.fromGenerator(function* () {
        yield { v: 1 };
      }),
    ).toEqualTypeOf<tf.data.Dataset<{ v: number }>>();
    const table = tf.data.csv('a,b\n1,x\n', { columns: { a: 'int32', b: 'string' } });
    expectTypeOf(table).toEqualTypeOf<tf.data.Dataset<{ a: tf.Tensor; b: string }>>();
    expectTypeOf(table.batch(2)).toEqualTypeOf<tf.data.Dataset<{ a: tf.Tensor; b: string[] }>>();
  });
});
