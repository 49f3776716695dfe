// Expected strings were generated with NumPy 1.24 (repr of np.float32/np.float64/np.int32/bool
// arrays and scalars) and wrapped the way TensorFlow 2's EagerTensor/ResourceVariable __repr__ does.
import { describe, expect, it } from 'vitest';
import { formatArray, formatTensor } from '../../src/tensor/format.js';

describe('formatTensor', () => {
  it('int32 scalar tensor', () => {
    expect(formatTensor(Int32Array.of(2), [], 'int32')).toBe('<tf.Tensor: shape=(), dtype=int32, numpy=2>');
  });

  it('float32 scalar tensor (shortest float32 repr)', () => {
    expect(formatTensor(Float32Array.of(-126.78691), [], 'float32')).toBe(
      '<tf.Tensor: shape=(), dtype=float32, numpy=-126.78691>',
    );
  });

  it('float32 scalar 0.1', () => {
    expect(formatTensor(Float32Array.of(0.1), [], 'float32')).toBe(
      '<tf.Tensor: shape=(), dtype=float32, numpy=0.1>',
    );
  });

  it('float32 scalar 1.0', () => {
    expect(formatTensor(Float32Array.of(1), [], 'float32')).toBe(
      '<tf.Tensor: shape=(), dtype=float32, numpy=1.0>',
    );
  });

  it('float64 scalar prints like Python repr', () => {
    expect(formatTensor(Float64Array.of(0.1 + 0.2), [], 'float64')).toBe(
      '<tf.Tensor: shape=(), dtype=float64, numpy=0.30000000000000004>',
    );
  });

  it('bool scalar tensor', () => {
    expect(formatTensor(Uint8Array.of(1), [], 'bool')).toBe('<tf.Tensor: shape=(), dtype=bool, numpy=True>');
  });

  it('(10, 2) float64 tensor starts on a new line', () => {
    expect(
      formatTensor(
        Float64Array.from([
          1.0, 20.1, 1.0, 22.2, 1.0, 19.3, 1.0, 25.0, 1.0, 21.7, 1.0, 23.4, 1.0, 18.9, 1.0, 24.6, 1.0, 20.0,
          1.0, 22.8,
        ]),
        [10, 2],
        'float64',
      ),
    ).toBe(
      '<tf.Tensor: shape=(10, 2), dtype=float64, numpy=\narray([[ 1. , 20.1],\n       [ 1. , 22.2],\n       [ 1. , 19.3],\n       [ 1. , 25. ],\n       [ 1. , 21.7],\n       [ 1. , 23.4],\n       [ 1. , 18.9],\n       [ 1. , 24.6],\n       [ 1. , 20. ],\n       [ 1. , 22.8]])>',
    );
  });

  it('rank-1 int32 tensor stays on one line', () => {
    expect(formatTensor(Int32Array.of(1, 2, 3), [3], 'int32')).toBe(
      '<tf.Tensor: shape=(3,), dtype=int32, numpy=array([1, 2, 3], dtype=int32)>',
    );
  });

  it('float32 variable scalar', () => {
    expect(formatTensor(Float32Array.of(-9.99), [], 'float32', 'Variable')).toBe(
      "<tf.Variable 'Variable:0' shape=() dtype=float32, numpy=-9.99>",
    );
  });

  it('named float32 variable matrix', () => {
    expect(formatTensor(Float32Array.of(1, 2, 3, 4), [2, 2], 'float32', 'Variable', 'dense/kernel:0')).toBe(
      "<tf.Variable 'dense/kernel:0' shape=(2, 2) dtype=float32, numpy=\narray([[1., 2.],\n       [3., 4.]], dtype=float32)>",
    );
  });

  it('empty float32 tensor', () => {
    expect(formatTensor(new Float32Array(0), [0, 3], 'float32')).toBe(
      '<tf.Tensor: shape=(0, 3), dtype=float32, numpy=array([], shape=(0, 3), dtype=float32)>',
    );
  });

  it('summarised float32 tensor', () => {
    expect(
      formatTensor(
        Float32Array.from({ length: 2000 }, (_, i) => i / 7),
        [2000],
        'float32',
      ),
    ).toBe(
      '<tf.Tensor: shape=(2000,), dtype=float32, numpy=\narray([0.0000000e+00, 1.4285715e-01, 2.8571430e-01, ..., 2.8528571e+02,\n       2.8542856e+02, 2.8557144e+02], dtype=float32)>',
    );
  });
});

describe('formatArray', () => {
  it('float32 matrix', () => {
    expect(formatArray(Float32Array.of(1, 2, 3, 4), [2, 2], 'float32')).toBe(
      'array([[1., 2.],\n       [3., 4.]], dtype=float32)',
    );
  });

  it('negative float64 values padded to a common width', () => {
    expect(formatArray(Float64Array.of(-1.5, 0.25, 3.0, -0.125, 10.0), [5], 'float64')).toBe(
      'array([-1.5  ,  0.25 ,  3.   , -0.125, 10.   ])',
    );
  });

  it('mixed magnitudes switch to scientific notation', () => {
    expect(formatArray(Float64Array.of(1e-5, 1.0, 250.0), [3], 'float64')).toBe(
      'array([1.0e-05, 1.0e+00, 2.5e+02])',
    );
  });

  it('float32 scientific prints exact digits up to the common precision', () => {
    expect(formatArray(Float32Array.of(0.1, 123456.5, 1e-7), [3], 'float32')).toBe(
      'array([1.000000e-01, 1.234565e+05, 1.000000e-07], dtype=float32)',
    );
  });

  it('max/min ratio above 1e3 uses scientific', () => {
    expect(formatArray(Float64Array.of(0.5, 501), [2], 'float64')).toBe('array([5.00e-01, 5.01e+02])');
  });

  it('values >= 1e8 use scientific (float32)', () => {
    expect(formatArray(Float32Array.of(123456789, 2), [2], 'float32')).toBe(
      'array([1.2345679e+08, 2.0000000e+00], dtype=float32)',
    );
  });

  it('float32 1e-4 is below the float32 threshold', () => {
    expect(formatArray(Float32Array.of(1e-4, 1), [2], 'float32')).toBe(
      'array([1.e-04, 1.e+00], dtype=float32)',
    );
  });

  it('nan and inf spellings', () => {
    expect(formatArray(Float64Array.of(NaN, 1.5, Infinity, -Infinity), [4], 'float64')).toBe(
      'array([ nan,  1.5,  inf, -inf])',
    );
  });

  it('all-nan float32', () => {
    expect(formatArray(Float32Array.of(NaN, NaN), [2], 'float32')).toBe('array([nan, nan], dtype=float32)');
  });

  it('negative zero', () => {
    expect(formatArray(Float64Array.of(-0, 0, 2.5), [3], 'float64')).toBe('array([-0. ,  0. ,  2.5])');
  });

  it('round half to even at the 8th decimal', () => {
    expect(formatArray(Float64Array.of(2 ** -9, 3 * 2 ** -9, 1), [3], 'float64')).toBe(
      'array([0.00195312, 0.00585938, 1.        ])',
    );
  });

  it('precision 8 cut-off', () => {
    expect(formatArray(Float64Array.of(1 / 3, 2 / 3, 10), [3], 'float64')).toBe(
      'array([ 0.33333333,  0.66666667, 10.        ])',
    );
  });

  it('bool matrix', () => {
    expect(formatArray(Uint8Array.of(1, 0, 0, 1, 1, 1), [2, 3], 'bool')).toBe(
      'array([[ True, False, False],\n       [ True,  True,  True]])',
    );
  });

  it('int32 right-aligned with dtype suffix', () => {
    expect(formatArray(Int32Array.of(-1, 22, -333, 4444, 5), [5], 'int32')).toBe(
      'array([  -1,   22, -333, 4444,    5], dtype=int32)',
    );
  });

  it('3-D float32 with blank lines between blocks', () => {
    expect(
      formatArray(
        Float32Array.from({ length: 24 }, (_, i) => (i - 12) / 4),
        [2, 3, 4],
        'float32',
      ),
    ).toBe(
      'array([[[-3.  , -2.75, -2.5 , -2.25],\n        [-2.  , -1.75, -1.5 , -1.25],\n        [-1.  , -0.75, -0.5 , -0.25]],\n\n       [[ 0.  ,  0.25,  0.5 ,  0.75],\n        [ 1.  ,  1.25,  1.5 ,  1.75],\n        [ 2.  ,  2.25,  2.5 ,  2.75]]], dtype=float32)',
    );
  });

  it('4-D int32', () => {
    expect(
      formatArray(
        Int32Array.from({ length: 16 }, (_, i) => i * 7 - 50),
        [2, 2, 2, 2],
        'int32',
      ),
    ).toBe(
      'array([[[[-50, -43],\n         [-36, -29]],\n\n        [[-22, -15],\n         [ -8,  -1]]],\n\n\n       [[[  6,  13],\n         [ 20,  27]],\n\n        [[ 34,  41],\n         [ 48,  55]]]], dtype=int32)',
    );
  });

  it('long rank-1 float32 wraps at 75 columns', () => {
    expect(formatArray(new Float32Array(30).fill(123.25), [30], 'float32')).toBe(
      'array([123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25,\n       123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25,\n       123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25, 123.25,\n       123.25, 123.25, 123.25, 123.25, 123.25, 123.25], dtype=float32)',
    );
  });

  it('wrapped rows in a matrix', () => {
    expect(formatArray(new Float32Array(40).fill(-1.5e-7), [2, 20], 'float32')).toBe(
      'array([[-1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07],\n       [-1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07, -1.5e-07,\n        -1.5e-07, -1.5e-07]], dtype=float32)',
    );
  });

  it('dtype suffix moves to its own line when it does not fit', () => {
    expect(
      formatArray(
        Int32Array.from({ length: 9 }, (_, i) => i * 1000003),
        [9],
        'int32',
      ),
    ).toBe(
      'array([      0, 1000003, 2000006, 3000009, 4000012, 5000015, 6000018,\n       7000021, 8000024], dtype=int32)',
    );
  });

  it('summarised rank-1 float64', () => {
    expect(
      formatArray(
        Float64Array.from({ length: 1001 }, (_, i) => i * 1.5),
        [1001],
        'float64',
      ),
    ).toBe('array([   0. ,    1.5,    3. , ..., 1497. , 1498.5, 1500. ])');
  });

  it('1000 elements are not summarised', () => {
    expect(
      formatArray(
        Int32Array.from({ length: 1000 }, (_, i) => i),
        [1000],
        'int32',
      ).includes('...'),
    ).toBe(false);
  });

  it('summarised int32 matrix', () => {
    expect(
      formatArray(
        Int32Array.from({ length: 1600 }, (_, i) => i - 800),
        [40, 40],
        'int32',
      ),
    ).toBe(
      'array([[-800, -799, -798, ..., -763, -762, -761],\n       [-760, -759, -758, ..., -723, -722, -721],\n       [-720, -719, -718, ..., -683, -682, -681],\n       ...,\n       [ 680,  681,  682, ...,  717,  718,  719],\n       [ 720,  721,  722, ...,  757,  758,  759],\n       [ 760,  761,  762, ...,  797,  798,  799]], dtype=int32)',
    );
  });

  it('summarised 3-D float32', () => {
    expect(
      formatArray(
        Float32Array.from({ length: 1100 }, (_, i) => (((i * 37) % 101) - 50) / 3),
        [11, 10, 10],
        'float32',
      ),
    ).toBe(
      'array([[[-16.666666  ,  -4.3333335 ,   8.        , ...,   2.3333333 ,\n          14.666667  ,  -6.6666665 ],\n        [  5.6666665 , -15.666667  ,  -3.3333333 , ...,  -9.        ,\n           3.3333333 ,  15.666667  ],\n        [ -5.6666665 ,   6.6666665 , -14.666667  , ...,  13.333333  ,\n          -8.        ,   4.3333335 ],\n        ...,\n        [  5.        , -16.333334  ,  -4.        , ...,  -9.666667  ,\n           2.6666667 ,  15.        ],\n        [ -6.3333335 ,   6.        , -15.333333  , ...,  12.666667  ,\n          -8.666667  ,   3.6666667 ],\n        [ 16.        ,  -5.3333335 ,   7.        , ...,   1.3333334 ,\n          13.666667  ,  -7.6666665 ]],\n\n       [[  4.6666665 , -16.666666  ,  -4.3333335 , ..., -10.        ,\n           2.3333333 ,  14.666667  ],\n        [ -6.6666665 ,   5.6666665 , -15.666667  , ...,  12.333333  ,\n          -9.        ,   3.3333333 ],\n        [ 15.666667  ,  -5.6666665 ,   6.6666665 , ...,   1.        ,\n          13.333333  ,  -8.        ],\n        ...,\n        [ -7.3333335 ,   5.        , -16.333334  , ...,  11.666667  ,\n          -9.666667  ,   2.6666667 ],\n        [ 15.        ,  -6.3333335 ,   6.        , ...,   0.33333334,\n          12.666667  ,  -8.666667  ],\n        [  3.6666667 ,  16.        ,  -5.3333335 , ..., -11.        ,\n           1.3333334 ,  13.666667  ]],\n\n       [[ -7.6666665 ,   4.6666665 , -16.666666  , ...,  11.333333  ,\n         -10.        ,   2.3333333 ],\n        [ 14.666667  ,  -6.6666665 ,   5.6666665 , ...,   0.        ,\n          12.333333  ,  -9.        ],\n        [  3.3333333 ,  15.666667  ,  -5.6666665 , ..., -11.333333  ,\n           1.        ,  13.333333  ],\n        ...,\n        [ 14.        ,  -7.3333335 ,   5.        , ...,  -0.6666667 ,\n          11.666667  ,  -9.666667  ],\n        [  2.6666667 ,  15.        ,  -6.3333335 , ..., -12.        ,\n           0.33333334,  12.666667  ],\n        [ -8.666667  ,   3.6666667 ,  16.        , ...,  10.333333  ,\n         -11.        ,   1.3333334 ]],\n\n       ...,\n\n       [[-14.333333  ,  -2.        ,  10.333333  , ...,   4.6666665 ,\n         -16.666666  ,  -4.3333335 ],\n        [  8.        , -13.333333  ,  -1.        , ...,  -6.6666665 ,\n           5.6666665 , -15.666667  ],\n        [ -3.3333333 ,   9.        , -12.333333  , ...,  15.666667  ,\n          -5.6666665 ,   6.6666665 ],\n        ...,\n        [  7.3333335 , -14.        ,  -1.6666666 , ...,  -7.3333335 ,\n           5.        , -16.333334  ],\n        [ -4.        ,   8.333333  , -13.        , ...,  15.        ,\n          -6.3333335 ,   6.        ],\n        [-15.333333  ,  -3.        ,   9.333333  , ...,   3.6666667 ,\n          16.        ,  -5.3333335 ]],\n\n       [[  7.        , -14.333333  ,  -2.        , ...,  -7.6666665 ,\n           4.6666665 , -16.666666  ],\n        [ -4.3333335 ,   8.        , -13.333333  , ...,  14.666667  ,\n          -6.6666665 ,   5.6666665 ],\n        [-15.666667  ,  -3.3333333 ,   9.        , ...,   3.3333333 ,\n          15.666667  ,  -5.6666665 ],\n        ...,\n        [ -5.        ,   7.3333335 , -14.        , ...,  14.        ,\n          -7.3333335 ,   5.        ],\n        [-16.333334  ,  -4.        ,   8.333333  , ...,   2.6666667 ,\n          15.        ,  -6.3333335 ],\n        [  6.        , -15.333333  ,  -3.        , ...,  -8.666667  ,\n           3.6666667 ,  16.        ]],\n\n       [[ -5.3333335 ,   7.        , -14.333333  , ...,  13.666667  ,\n          -7.6666665 ,   4.6666665 ],\n        [-16.666666  ,  -4.3333335 ,   8.        , ...,   2.3333333 ,\n          14.666667  ,  -6.6666665 ],\n        [  5.6666665 , -15.666667  ,  -3.3333333 , ...,  -9.        ,\n           3.3333333 ,  15.666667  ],\n        ...,\n        [ 16.333334  ,  -5.        ,   7.3333335 , ...,   1.6666666 ,\n          14.        ,  -7.3333335 ],\n        [  5.        , -16.333334  ,  -4.        , ...,  -9.666667  ,\n           2.6666667 ,  15.        ],\n        [ -6.3333335 ,   6.        , -15.333333  , ...,  12.666667  ,\n          -8.666667  ,   3.6666667 ]]], dtype=float32)',
    );
  });

  it('summary only along long axes', () => {
    expect(
      formatArray(
        Uint8Array.from({ length: 1200 }, (_, i) => (i % 3 === 0 ? 1 : 0)),
        [2, 600],
        'bool',
      ),
    ).toBe(
      'array([[ True, False, False, ...,  True, False, False],\n       [ True, False, False, ...,  True, False, False]])',
    );
  });

  it('summarised columns of a tall matrix', () => {
    expect(
      formatArray(
        Float64Array.from({ length: 2002 }, (_, i) => i / 4),
        [1001, 2],
        'float64',
      ),
    ).toBe(
      'array([[0.0000e+00, 2.5000e-01],\n       [5.0000e-01, 7.5000e-01],\n       [1.0000e+00, 1.2500e+00],\n       ...,\n       [4.9900e+02, 4.9925e+02],\n       [4.9950e+02, 4.9975e+02],\n       [5.0000e+02, 5.0025e+02]])',
    );
  });

  it('empty rank-1 float64', () => {
    expect(formatArray(new Float64Array(0), [0], 'float64')).toBe('array([], dtype=float64)');
  });

  it('empty matrix with zero columns', () => {
    expect(formatArray(new Int32Array(0), [2, 0], 'int32')).toBe('array([], shape=(2, 0), dtype=int32)');
  });

  it('empty bool', () => {
    expect(formatArray(new Uint8Array(0), [0, 1, 2], 'bool')).toBe('array([], shape=(0, 1, 2), dtype=bool)');
  });

  it('rank-0 formatArray is the scalar repr', () => {
    expect(formatArray(Int32Array.of(-7), [], 'int32')).toBe('-7');
  });

  it('float32 scalar 1e16 uses scientific', () => {
    expect(formatArray(Float32Array.of(1e16), [], 'float32')).toBe('1e+16');
  });

  it('float32 scalar 1e-4 uses scientific', () => {
    expect(formatArray(Float32Array.of(1e-4), [], 'float32')).toBe('1e-04');
  });

  it('float32 scalar just below 1e16 stays positional', () => {
    expect(formatArray(Float32Array.of(123456789), [], 'float32')).toBe('123456790.0');
  });

  it('float64 scalar extremes', () => {
    expect(
      [
        formatArray(Float64Array.of(5e-324), [], 'float64'),
        formatArray(Float64Array.of(-1e300), [], 'float64'),
        formatArray(Float64Array.of(NaN), [], 'float64'),
        formatArray(Float64Array.of(-0), [], 'float64'),
      ].join(' '),
    ).toBe('5e-324 -1e+300 nan -0.0');
  });

  it('float64 subnormal and huge values in one array', () => {
    expect(formatArray(Float64Array.of(1e300, -1e-300, 0), [3], 'float64')).toBe(
      'array([ 1.e+300, -1.e-300,  0.e+000])',
    );
  });

  it('float32 extreme range', () => {
    expect(formatArray(Float32Array.of(3.4e38, 1.4e-45, -1), [3], 'float32')).toBe(
      'array([ 3.4e+38,  1.4e-45, -1.0e+00], dtype=float32)',
    );
  });
});
