/**
 * TensorFlow's buffered shuffle: fill a buffer with the first `bufferSize` elements, then repeatedly
 * emit a uniformly chosen buffer entry and put the next input element in its place; once the input
 * runs out, emit the remaining entries in random order. A buffer at least as large as the dataset
 * gives a uniformly random permutation; a buffer of 1 keeps the order.
 */

import { RandomGenerator } from '../random/generator.js';
import { randint } from '../random/index.js';

const TWO_POW_32 = 4294967296;

/** A uniform integer in [0, bound) for 1 <= bound <= 2^32, unbiased by rejection. */
export function randomBelow(rng: RandomGenerator, bound: number): number {
  const limit = TWO_POW_32 - (TWO_POW_32 % bound);
  let x = rng.nextUint32();
  while (x >= limit) x = rng.nextUint32();
  return x % bound;
}

/** Emits buffer[j] for a random j and refills or shrinks the buffer; `next` is the input's next value. */
function draw<T>(buffer: T[], rng: RandomGenerator, next: { value: T } | undefined): T {
  const j = randomBelow(rng, buffer.length);
  const out = buffer[j]!;
  if (next) buffer[j] = next.value;
  else {
    buffer[j] = buffer[buffer.length - 1]!;
    buffer.pop();
  }
  return out;
}

export function* shuffleSync<T>(input: Iterator<T>, bufferSize: number, rng: RandomGenerator): Generator<T> {
  const buffer: T[] = [];
  let exhausted = false;
  try {
    while (buffer.length < bufferSize) {
      const r = input.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      buffer.push(r.value);
    }
    while (buffer.length > 0) {
      let next: { value: T } | undefined;
      if (!exhausted) {
        const s = input.next();
        if (s.done) exhausted = true;
        else next = { value: s.value };
      }
      yield draw(buffer, rng, next);
    }
  } finally {
    if (!exhausted) input.return?.();
  }
}

export async function* shuffleAsync<T>(
  input: AsyncIterator<T>,
  bufferSize: number,
  rng: RandomGenerator,
): AsyncGenerator<T> {
  const buffer: T[] = [];
  let exhausted = false;
  try {
    while (buffer.length < bufferSize) {
      const r = await input.next();
      if (r.done) {
        exhausted = true;
        break;
      }
      buffer.push(r.value);
    }
    while (buffer.length > 0) {
      let next: { value: T } | undefined;
      if (!exhausted) {
        const s = await input.next();
        if (s.done) exhausted = true;
        else next = { value: s.value };
      }
      yield draw(buffer, rng, next);
    }
  } finally {
    if (!exhausted) await input.return?.();
  }
}

/**
 * The generators of successive passes of a shuffled dataset. The first pass uses the seed's stream;
 * with `reshuffle` every later pass gets a new stream forked from one seeded parent, so pass k's
 * order depends only on the seed and k; without it, every pass replays the first. An absent seed is drawn from the global generator (so
 * `tf.random.setSeed` makes it reproducible).
 */
export class ShuffleSeeds {
  readonly seed: number;
  private parent: RandomGenerator | undefined;
  private passes = 0;

  constructor(
    seed: number | undefined,
    private readonly reshuffle: boolean,
  ) {
    if (seed === undefined) {
      const [hi, lo] = randint([2], 0, 2147483647).dataSync() as Int32Array;
      seed = hi! * 2 ** 22 + (lo! >>> 9);
    }
    this.seed = seed;
  }

  /** The generator of the next pass: the seed's own stream for the first (and, without reshuffle, every) pass. */
  next(): RandomGenerator {
    if (!this.reshuffle || this.passes++ === 0) return new RandomGenerator(this.seed);
    this.parent ??= new RandomGenerator(this.seed).fork();
    return this.parent.fork();
  }
}
