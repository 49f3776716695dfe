/**
 * Bad input gives a clear error: the right Error subclass, and a message that names the op, the shapes
 * and/or dtypes involved and what was expected (docs/API.md, "Conventions"). Gradients through
 * non-differentiable ops are null from a tape, never a silent zero.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../src/index.js';

/** Runs `fn`, expects it to throw an instance of `kind`, and returns the error for message checks. */
function thrown(fn: () => unknown, kind: new (...args: never[]) => Error = Error): Error {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the call to throw').toBeInstanceOf(Error);
  expect(error).toBeInstanceOf(kind);
  return error as Error;
}

function expectMessage(fn: () => unknown, kind: new (...args: never[]) => Error, ...patterns: RegExp[]) {
  const { message } = thrown(fn, kind);
  for (const p of patterns) expect(message).toMatch(p);
}

const f64 = (values: number[] | number[][], shape?: number[]) =>
  tf.tensor(values, { dtype: 'float64', ...(shape ? { shape } : {}) });

describe('shape mismatches', () => {
  it('add of [2,3] and [4,3] names both shapes and the clashing axis', () => {
    expectMessage(
      () => tf.add(tf.zeros([2, 3]), tf.zeros([4, 3])),
      RangeError,
      /add/,
      /\[2,3\].*\[4,3\]/,
      /broadcast/,
    );
  });

  it('the method form names the op too', () => {
    expectMessage(() => tf.ones([3]).add(tf.ones([2])), RangeError, /add.*\[3\].*\[2\]/);
  });

  it('matmul of [10,2] and [3,1] names both shapes and the inner dimensions', () => {
    expectMessage(
      () => tf.matmul(tf.zeros([10, 2]), tf.zeros([3, 1])),
      RangeError,
      /matmul.*\[10,2\].*\[3,1\]/,
      /inner/,
    );
  });

  it('matmul with transposeB names the transposed operand', () => {
    expectMessage(
      () => tf.matmul(tf.zeros([2, 3]), tf.zeros([4, 2]), false, true),
      RangeError,
      /matmul.*\[2,3\].*\[4,2\]/,
    );
  });

  it('concat of [2,3] and [2,4] along axis 0 names both shapes and the axis', () => {
    expectMessage(
      () => tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0),
      RangeError,
      /concat/,
      /\[2,4\]/,
      /\[2,3\]/,
      /axis 0/,
    );
  });

  it('concat of tensors of different rank', () => {
    expectMessage(
      () => tf.concat([tf.zeros([2, 3]), tf.zeros([3])], 0),
      RangeError,
      /concat/,
      /\[3\]/,
      /\[2,3\]/,
    );
  });

  it('reshape of [2,3] into [4,2] names both shapes and element counts', () => {
    expectMessage(
      () => tf.reshape(tf.zeros([2, 3]), [4, 2]),
      RangeError,
      /reshape.*\[2,3\].*\[4,2\]/,
      /6/,
      /8/,
    );
  });

  it('reshape with an unresolvable -1', () => {
    expectMessage(() => tf.reshape(tf.zeros([2, 3]), [4, -1]), RangeError, /reshape.*\[2,3\].*\[4,-1\]/);
  });

  it('conv2d with a channel mismatch names the channels and both shapes', () => {
    expectMessage(
      () => tf.conv2d(tf.zeros([1, 5, 5, 3]), tf.zeros([3, 3, 2, 4])),
      RangeError,
      /conv2d/,
      /3 channels/,
      /2/,
      /\[1,5,5,3\]/,
      /\[3,3,2,4\]/,
    );
  });
});

describe('dtype errors', () => {
  it('logicalAnd on float tensors names the op, shapes and dtypes, and wants bool', () => {
    expectMessage(
      () => tf.logicalAnd(tf.zeros([2]), tf.zeros([2])),
      TypeError,
      /logicalAnd/,
      /\[2\] float32/,
      /bool/,
    );
  });

  it('matmul of int32 with bool names the op, both dtypes and both shapes', () => {
    expectMessage(
      () => tf.matmul(tf.zeros([2, 3], 'int32'), tf.zeros([3, 2], 'bool')),
      TypeError,
      /matmul/,
      /int32/,
      /bool/,
      /\[2,3\]/,
      /\[3,2\]/,
    );
  });

  it('where with a float condition names the op, the shape and dtype, and wants bool', () => {
    expectMessage(
      () => tf.where(tf.zeros([2]), tf.zeros([2]), tf.ones([2])),
      TypeError,
      /where/,
      /condition/,
      /\[2\] float32/,
      /bool/,
    );
  });

  it('an int32 tensor from fractional values', () => {
    expectMessage(() => tf.tensor([1, 2.5], { dtype: 'int32' }), TypeError, /tensor/, /2\.5/, /int32/);
  });
});

describe('bad axes', () => {
  it('sum over axis 5 of a rank-2 tensor names the axis, the rank and the valid range', () => {
    expectMessage(
      () => tf.sum(tf.zeros([2, 3]), 5),
      RangeError,
      /sum/,
      /axis 5/,
      /rank 2|\[2,3\]/,
      /\[-2, ?1\]/,
    );
  });

  it('sum over a repeated axis (1 and -1 on rank 2)', () => {
    expectMessage(() => tf.sum(tf.zeros([2, 3]), [1, -1]), RangeError, /sum/, /repeated/, /\[1,-1\]/);
  });

  it('mean over a repeated axis', () => {
    expectMessage(() => tf.mean(tf.zeros([2, 3]), [0, 0]), RangeError, /mean/, /repeated/);
  });

  it('non-integer axis', () => {
    expectMessage(() => tf.sum(tf.zeros([2, 3]), 0.5), RangeError, /sum/, /axis 0\.5/);
  });
});

describe('bad shapes and data', () => {
  for (const [label, shape, shown] of [
    ['NaN', [Number.NaN], /\[NaN\]/],
    ['2.5', [2.5], /\[2\.5\]/],
    ['-1', [-1], /\[-1\]/],
    ['Infinity', [Number.POSITIVE_INFINITY], /\[Infinity\]/],
  ] as const) {
    it(`tf.zeros([${label}]) is a RangeError naming zeros and the shape`, () => {
      expectMessage(() => tf.zeros([...shape]), RangeError, /zeros/, shown, /non-negative integer/);
    });
  }

  it('tf.ones([2, 2.5]) names ones and the shape', () => {
    expectMessage(() => tf.ones([2, 2.5]), RangeError, /ones/, /\[2,2\.5\]/);
  });

  it('tf.tensor with a non-integer shape', () => {
    expectMessage(() => tf.tensor([1, 2], { shape: [2.5] }), RangeError, /tensor/, /\[2\.5\]/);
  });

  it('reshape to a non-integer shape', () => {
    expectMessage(() => tf.reshape(tf.zeros([5]), [2.5, 2]), RangeError, /reshape/, /\[2\.5,2\]/);
  });

  it('wrong-length data: 3 values for shape [2,2]', () => {
    expectMessage(
      () => tf.tensor([1, 2, 3], { shape: [2, 2] }),
      RangeError,
      /tensor/,
      /3 values/,
      /\[2,2\]/,
      /4/,
    );
  });

  it('ragged nested arrays name the offending position and the expected length', () => {
    expectMessage(
      () => tf.tensor([[1, 2], [3]]),
      RangeError,
      /tensor/,
      /rectangular/,
      /values\[1\]/,
      /length 1/,
      /expected length 2/,
    );
    expectMessage(
      () =>
        tf.tensor([
          [[1], [2]],
          [[3], [4, 5]],
        ]),
      RangeError,
      /tensor/,
      /values\[1\]\[1\]/,
      /expected length 1/,
    );
  });

  it('mixed booleans and numbers', () => {
    expectMessage(() => tf.tensor([1, true] as unknown as number[]), TypeError, /tensor/, /mixed/);
  });
});

describe('indexing and linear algebra', () => {
  it('gather with an out-of-range index names the index, the axis, the shape and the valid range', () => {
    expectMessage(
      () => tf.gather(tf.zeros([3, 4]), tf.tensor([0, 5], { dtype: 'int32' }), 0),
      RangeError,
      /gather/,
      /index 5/,
      /axis 0/,
      /\[3,4\]/,
      /< 3/,
    );
  });

  it('gather with a negative index', () => {
    expectMessage(() => tf.gather(tf.zeros([3, 4]), [-1], 1), RangeError, /gather/, /index -1/, /axis 1/);
  });

  it('linalg.inv of a singular matrix', () => {
    expectMessage(
      () =>
        tf.linalg.inv(
          f64([
            [1, 2],
            [2, 4],
          ]),
        ),
      Error,
      /inv/,
      /singular/,
      /\[2,2\]/,
    );
  });

  it('linalg.inv of a non-square matrix', () => {
    expectMessage(
      () =>
        tf.linalg.inv(
          f64([
            [1, 2, 3],
            [4, 5, 6],
          ]),
        ),
      RangeError,
      /inv/,
      /square/,
      /\[2,3\]/,
    );
  });
});

describe('autograd misuse', () => {
  it('backward() twice without retainGraph: the second call throws and mentions retainGraph', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    const loss = a.mul(a).sum();
    loss.backward();
    expect(a.grad!.numpy()).toEqual([2, 4]);
    expectMessage(() => loss.backward(), Error, /backward/, /second time/, /retainGraph/);
  });

  it('backward() twice with retainGraph accumulates', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    const loss = a.mul(a).sum();
    loss.backward({ retainGraph: true });
    loss.backward();
    expect(a.grad!.numpy()).toEqual([4, 8]);
  });

  it('backward() on a tensor that does not require grad', () => {
    expectMessage(() => tf.tensor([1, 2]).sum().backward(), Error, /backward/, /require/, /requiresGrad/);
  });

  it('backward() on a non-scalar without a gradient names the shape', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    expectMessage(() => a.mul(2).backward(), Error, /backward/, /scalar/, /\[2\]/);
  });

  it('backward() with a gradient of the wrong shape', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    expectMessage(() => a.mul(2).backward(tf.ones([3])), RangeError, /backward/, /\[3\]/, /\[2\]/);
  });

  it("a non-persistent tape's second gradient() call throws and suggests persistent", () => {
    const x = tf.tensor([1, 2]);
    const tape = new tf.GradientTape();
    tape.watch(x);
    const y = tape.record(() => x.mul(x).sum());
    expect(tape.gradient(y, x)!.numpy()).toEqual([2, 4]);
    expectMessage(() => tape.gradient(y, x), Error, /GradientTape/, /persistent/);
  });

  it('a persistent tape allows several gradient() calls', () => {
    const x = tf.tensor([1, 2]);
    const tape = new tf.GradientTape({ persistent: true });
    tape.watch(x);
    const y = tape.record(() => x.mul(x).sum());
    expect(tape.gradient(y, x)!.numpy()).toEqual([2, 4]);
    expect(tape.gradient(y, x)!.numpy()).toEqual([2, 4]);
  });

  it('requiresGrad on an int32 tensor', () => {
    expectMessage(
      () => tf.tensor([1, 2], { dtype: 'int32', requiresGrad: true }),
      TypeError,
      /requiresGrad/,
      /int32/,
    );
  });
});

/** The gradient of `fn(x)` (summed) with respect to `x`, from a fresh tape. */
function tapeGrad(
  fn: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor = tf.tensor([0.4, 1.6, -2.5], { dtype: 'float64' }),
  options?: tf.GradientOptions,
): tf.Tensor | null {
  const tape = new tf.GradientTape();
  tape.watch(x);
  const y = tape.record(() => fn(x));
  return tape.gradient(y, x, options);
}

describe('non-differentiable paths give null, never a silent zero', () => {
  it('argmax -> cast', () => {
    expect(tapeGrad((x) => tf.cast(tf.argmax(x), 'float64'))).toBeNull();
  });

  it('comparisons cast to float', () => {
    expect(tapeGrad((x) => tf.cast(tf.greater(x, 0), 'float64').sum())).toBeNull();
    expect(tapeGrad((x) => tf.cast(tf.equal(x, 1.6), 'float64').sum())).toBeNull();
    expect(tapeGrad((x) => tf.cast(tf.lessEqual(x, x.mul(2)), 'float64').sum())).toBeNull();
  });

  it('cast to int32 and back', () => {
    expect(tapeGrad((x) => tf.cast(tf.cast(x, 'int32'), 'float64').sum())).toBeNull();
  });

  it('floor and round', () => {
    expect(tapeGrad((x) => tf.floor(x).sum())).toBeNull();
    expect(tapeGrad((x) => tf.round(x).sum())).toBeNull();
    expect(tapeGrad((x) => tf.ceil(x).sum())).toBeNull();
  });

  it('a non-differentiable branch adds nothing to a differentiable one', () => {
    const g = tapeGrad((x) =>
      x
        .mul(2)
        .add(tf.floor(x))
        .add(tf.cast(tf.argmax(x), 'float64'))
        .sum(),
    );
    expect(g).not.toBeNull();
    expect(g!.dtype).toBe('float64');
    expect(g!.numpy()).toEqual([2, 2, 2]);
  });

  it('an unconnected source is null', () => {
    const x = tf.tensor([1, 2], { dtype: 'float64' });
    const z = tf.tensor([3, 4, 5], { dtype: 'float64' });
    const tape = new tf.GradientTape();
    tape.watch([x, z]);
    const y = tape.record(() => x.square().sum());
    const [gx, gz] = tape.gradient(y, [x, z]);
    expect(gx!.numpy()).toEqual([2, 4]);
    expect(gz).toBeNull();
  });

  it("{ unconnectedGradients: 'zero' } gives zeros of the source's shape and dtype", () => {
    const x = tf.tensor([1, 2], { dtype: 'float64' });
    const z = tf.tensor([[3, 4, 5]], { dtype: 'float64' });
    const tape = new tf.GradientTape();
    tape.watch([x, z]);
    const y = tape.record(() => x.square().sum());
    const [gx, gz] = tape.gradient(y, [x, z], { unconnectedGradients: 'zero' });
    expect(gx!.numpy()).toEqual([2, 4]);
    expect(gz).not.toBeNull();
    expect(gz!.shape).toEqual([1, 3]);
    expect(gz!.dtype).toBe('float64');
    expect(gz!.numpy()).toEqual([[0, 0, 0]]);
  });

  it("{ unconnectedGradients: 'zero' } also through a non-differentiable op", () => {
    const g = tapeGrad((x) => tf.round(x).sum(), undefined, { unconnectedGradients: 'zero' });
    expect(g!.numpy()).toEqual([0, 0, 0]);
  });

  it('backward() through a cast to int32 leaves the leaf without a gradient', () => {
    const a = tf.tensor([1.5, 2.5], { requiresGrad: true });
    const b = tf.tensor([1, 1], { requiresGrad: true });
    tf.cast(tf.cast(a, 'int32'), 'float32').add(b).sum().backward();
    expect(a.grad).toBeNull();
    expect(b.grad!.numpy()).toEqual([1, 1]);
  });
});
