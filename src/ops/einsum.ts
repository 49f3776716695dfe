import { promoteTypes } from '../backend/dtype.js';
import { type TensorLike, toTensor } from '../tensor/convert.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul } from './binary.js';
import { cast } from './cast.js';
import { matmul } from './matmul.js';
import { sum } from './reduce.js';
import { reshape, slice, transpose } from './shape.js';

/**
 * Einstein summation, as numpy.einsum / torch.einsum / tf.einsum.
 *
 * Written with differentiable ops only (transpose, reshape, strided slice for diagonals, sum, mul and
 * matmul), so gradients of every order follow. The plan:
 *  1. parse the equation into one term per operand (letters, and at most one `...`) and the output
 *     (explicit after `->`, or implicit: the `...` dimensions, then the letters used exactly once, in
 *     ASCII order, so upper case before lower case);
 *  2. give every axis a label id (letters by char code; the broadcast `...` dimensions, aligned on the
 *     right as in NumPy, get ids of their own) and check sizes: equal, or 1 (broadcast, as NumPy and
 *     PyTorch do);
 *  3. per operand: drop axes of size 1 that broadcast against a larger size (the operand then simply
 *     lacks that label), take diagonals of repeated labels, and sum out labels needed nowhere else;
 *  4. contract pairs greedily (smallest intermediate first, left to right on ties): shared labels that
 *     are still needed become batch axes, the others are contracted by one matmul (or a broadcasting
 *     multiply when nothing is contracted);
 *  5. transpose the result into the output order.
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  if (typeof equation !== 'string') {
    throw new TypeError(`einsum: the equation must be a string, got ${String(equation)}`);
  }
  const tensors = operands.map((x) => toTensor(x, 'einsum'));
  const where = `einsum '${equation}'`;
  const shapesText = () =>
    tensors.length === 0 ? 'no operands' : `operands ${tensors.map((t) => formatShape(t.shape)).join(', ')}`;
  const parsed = parseEquation(equation, () => `${where} (${shapesText()})`);
  if (parsed.inputs.length !== tensors.length) {
    throw new RangeError(
      `${where}: the equation has ${parsed.inputs.length} operand term(s) but ${tensors.length} operand(s) were given (${shapesText()})`,
    );
  }
  for (const [k, t] of tensors.entries()) {
    if (t.dtype === 'bool') {
      throw new TypeError(
        `${where}: operand ${k} ${formatShape(t.shape)} is bool; expected a numeric tensor`,
      );
    }
  }

  // ---- label every axis and check the sizes
  const ellipsisRanks = parsed.inputs.map((term, k) => {
    const letters = term.letters.length;
    const rank = tensors[k]!.rank;
    if (term.ellipsis < 0 ? rank !== letters : rank < letters) {
      throw new RangeError(
        `${where}: operand ${k} has shape ${formatShape(tensors[k]!.shape)} (rank ${rank}) but its term '${term.text}' names ${letters} ${letters === 1 ? 'index' : 'indices'}${term.ellipsis < 0 ? '' : " plus '...'"}`,
      );
    }
    return term.ellipsis < 0 ? 0 : rank - letters;
  });
  const ellRank = Math.max(0, ...ellipsisRanks);
  const labelsOf: number[][] = parsed.inputs.map((term, k) => {
    const e = ellipsisRanks[k]!;
    if (term.ellipsis < 0) return [...term.letters];
    const dots = Array.from({ length: e }, (_, j) => ELLIPSIS + ellRank - e + j);
    return [...term.letters.slice(0, term.ellipsis), ...dots, ...term.letters.slice(term.ellipsis)];
  });
  const sizes = new Map<number, { size: number; operand: number }>();
  for (const [k, labels] of labelsOf.entries()) {
    const shape = tensors[k]!.shape;
    const own = new Map<number, number>();
    labels.forEach((label, axis) => {
      const size = shape[axis]!;
      const seen = own.get(label);
      if (seen !== undefined && seen !== size) {
        throw new RangeError(
          `${where}: index ${labelName(label)} is repeated in operand ${k} ${formatShape(shape)} with sizes ${seen} and ${size}; a repeated index takes a diagonal and needs equal sizes`,
        );
      }
      own.set(label, size);
      const prior = sizes.get(label);
      if (prior === undefined || prior.size === 1) sizes.set(label, { size, operand: k });
      else if (size !== prior.size && size !== 1) {
        throw new RangeError(
          `${where}: index ${labelName(label)} has size ${prior.size} in operand ${prior.operand} ${formatShape(tensors[prior.operand]!.shape)} but ${size} in operand ${k} ${formatShape(shape)}`,
        );
      }
    });
  }

  // ---- the output labels
  let output: number[];
  if (parsed.output) {
    const out = parsed.output;
    for (const label of out.letters) {
      if (!sizes.has(label)) {
        throw new RangeError(
          `${where}: output index ${labelName(label)} does not appear in any operand term (${shapesText()})`,
        );
      }
    }
    // Without '...' in the output, the broadcast dimensions are summed (as PyTorch).
    const dots = Array.from({ length: out.ellipsis < 0 ? 0 : ellRank }, (_, j) => ELLIPSIS + j);
    output =
      out.ellipsis < 0
        ? [...out.letters]
        : [...out.letters.slice(0, out.ellipsis), ...dots, ...out.letters.slice(out.ellipsis)];
  } else {
    const counts = new Map<number, number>();
    for (const term of parsed.inputs) for (const l of term.letters) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([, c]) => c === 1).map(([l]) => l);
    once.sort((a, b) => a - b);
    output = [...Array.from({ length: ellRank }, (_, j) => ELLIPSIS + j), ...once];
  }
  const outShape = output.map((l) => sizes.get(l)!.size);

  // ---- prepare each operand: common dtype, broadcast axes dropped, diagonals taken, private labels summed
  let dtype = tensors[0]?.dtype ?? 'float32';
  for (const t of tensors) dtype = promoteTypes(dtype, t.dtype);
  const outputSet = new Set(output);
  let items: Item[] = tensors.map((t, k) => {
    let item: Item = { t: t.dtype === dtype ? t : cast(t, dtype), labels: labelsOf[k]! };
    item = dropBroadcastAxes(item, sizes);
    return takeDiagonals(item);
  });
  items = items.map((item, k) => {
    const needed = new Set(outputSet);
    items.forEach((other, j) => {
      if (j !== k) for (const l of other.labels) needed.add(l);
    });
    return sumOut(item, needed);
  });

  // ---- contract pairs until one is left
  while (items.length > 1) {
    let best: { i: number; j: number; cost: number } | null = null;
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        const keep = keptLabels(items, i, j, outputSet);
        let cost = 1;
        for (const l of new Set([...items[i]!.labels, ...items[j]!.labels])) {
          if (keep.has(l)) cost *= sizes.get(l)!.size;
        }
        if (best === null || cost < best.cost) best = { i, j, cost };
      }
    }
    const { i, j } = best!;
    const merged = contract(items[i]!, items[j]!, keptLabels(items, i, j, outputSet), sizes);
    items = items.filter((_, k) => k !== j);
    items[i] = merged;
  }

  // ---- the output order
  const result = sumOut(items[0]!, outputSet);
  const perm = output.map((l) => result.labels.indexOf(l));
  return reshape(transpose(result.t, perm), outShape);
}

/** Label ids: letters by char code (65..122); the i-th broadcast `...` dimension is ELLIPSIS + i. */
const ELLIPSIS = 1000;

function labelName(label: number): string {
  return label >= ELLIPSIS ? `'...' dimension ${label - ELLIPSIS}` : String.fromCharCode(label);
}

interface Term {
  text: string;
  /** Letter char codes, in order, without the ellipsis. */
  letters: number[];
  /** How many letters come before the `...`; -1 when the term has none. */
  ellipsis: number;
}

interface Parsed {
  inputs: Term[];
  output: Term | null;
}

function parseEquation(equation: string, where: () => string): Parsed {
  const eq = equation.replace(/\s+/g, '');
  const invalid = (why: string) => new SyntaxError(`${where()}: invalid equation: ${why}`);
  const sides = eq.split('->');
  if (sides.length > 2) throw invalid("more than one '->'");
  const parseTerm = (text: string, isOutput: boolean): Term => {
    const letters: number[] = [];
    let ellipsis = -1;
    for (let i = 0; i < text.length; ) {
      const c = text[i]!;
      if (c === '.') {
        if (text.slice(i, i + 3) !== '...') throw invalid(`'.' must be part of '...' in term '${text}'`);
        if (ellipsis >= 0) throw invalid(`more than one '...' in term '${text}'`);
        ellipsis = letters.length;
        i += 3;
      } else if (/^[A-Za-z]$/.test(c)) {
        const code = c.charCodeAt(0);
        if (isOutput && letters.includes(code))
          throw invalid(`index ${c} appears more than once in the output`);
        letters.push(code);
        i++;
      } else {
        throw invalid(
          `unexpected character '${c}' in term '${text}' (indices are letters a-z, A-Z; terms are separated by ',' and followed by '->' and the output)`,
        );
      }
    }
    return { text, letters, ellipsis };
  };
  const lhs = sides[0]!;
  if (lhs.includes('-') || lhs.includes('>')) throw invalid("a stray '-' or '>' (the output follows '->')");
  const inputs = lhs.split(',').map((t) => parseTerm(t, false));
  const output = sides.length === 2 ? parseTerm(sides[1]!, true) : null;
  return { inputs, output };
}

interface Item {
  t: Tensor;
  labels: number[];
}

/** Removes axes of size 1 whose label is larger elsewhere: that operand broadcasts along it. */
function dropBroadcastAxes(item: Item, sizes: Map<number, { size: number }>): Item {
  const keep = item.labels.map((l, axis) => !(item.t.shape[axis] === 1 && sizes.get(l)!.size !== 1));
  if (keep.every(Boolean)) return item;
  return {
    t: reshape(
      item.t,
      item.t.shape.filter((_, a) => keep[a]),
    ),
    labels: item.labels.filter((_, a) => keep[a]),
  };
}

/**
 * Replaces each label repeated within an operand by its diagonal: its k axes are moved to the front and
 * flattened, and the diagonal entries are every (1 + n + ... + n^(k-1))-th element (a strided slice).
 */
function takeDiagonals(item: Item): Item {
  let { t, labels } = item;
  for (;;) {
    const repeated = labels.find((l, i) => labels.indexOf(l) !== i);
    if (repeated === undefined) return { t, labels };
    const axes = labels.flatMap((l, i) => (l === repeated ? [i] : []));
    const rest = labels.flatMap((l, i) => (l === repeated ? [] : [i]));
    const n = t.shape[axes[0]!]!;
    const moved = transpose(t, [...axes, ...rest]);
    const restShape = rest.map((a) => t.shape[a]!);
    const flat = reshape(moved, [n ** axes.length, ...restShape]);
    let step = 0;
    for (let p = 0; p < axes.length; p++) step += n ** p;
    t = slice(
      flat,
      flat.shape.map(() => 0),
      [n, ...restShape],
      [step, ...restShape.map(() => 1)],
    );
    labels = [repeated, ...rest.map((a) => labels[a]!)];
  }
}

/** Sums the axes whose labels are not in `needed`. */
function sumOut(item: Item, needed: Set<number>): Item {
  const axes = item.labels.flatMap((l, i) => (needed.has(l) ? [] : [i]));
  if (axes.length === 0) return item;
  return { t: sum(item.t, axes), labels: item.labels.filter((l) => needed.has(l)) };
}

/** Labels still needed after contracting items i and j: the output's and those of the other items. */
function keptLabels(items: Item[], i: number, j: number, output: Set<number>): Set<number> {
  const keep = new Set(output);
  items.forEach((item, k) => {
    if (k !== i && k !== j) for (const l of item.labels) keep.add(l);
  });
  return keep;
}

function contract(a0: Item, b0: Item, keep: Set<number>, sizes: Map<number, { size: number }>): Item {
  const inB = new Set(b0.labels);
  const inA = new Set(a0.labels);
  const a = sumOut(a0, new Set([...keep, ...inB]));
  const b = sumOut(b0, new Set([...keep, ...inA]));
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const freeA = a.labels.filter((l) => !inB.has(l));
  const freeB = b.labels.filter((l) => !inA.has(l));
  const size = (l: number) => sizes.get(l)!.size;
  const product = (ls: number[]) => ls.reduce((p, l) => p * size(l), 1);
  const arrange = (item: Item, order: number[]) =>
    transpose(
      item.t,
      order.map((l) => item.labels.indexOf(l)),
    );
  const labels = [...batch, ...freeA, ...freeB];
  const shape = labels.map(size);

  if (contracted.length === 0) {
    // Nothing summed: a broadcasting multiply of [batch, freeA, 1...] and [batch, 1..., freeB].
    const ta = reshape(arrange(a, [...batch, ...freeA]), [
      ...batch.map(size),
      ...freeA.map(size),
      ...freeB.map(() => 1),
    ]);
    const tb = reshape(arrange(b, [...batch, ...freeB]), [
      ...batch.map(size),
      ...freeA.map(() => 1),
      ...freeB.map(size),
    ]);
    return { t: mul(ta, tb), labels };
  }

  // One (batched) matmul [B, M, K] x [B, K, N]; an operand already laid out as [B, K, M] (or [B, N, K])
  // is used through matmul's transpose flags instead of being copied.
  const isIdentity = (item: Item, order: number[]) => order.every((l, i) => item.labels[i] === l);
  const batchShape = batch.length ? [product(batch)] : [];
  const m = product(freeA);
  const k = product(contracted);
  const n = product(freeB);
  const transA =
    !isIdentity(a, [...batch, ...freeA, ...contracted]) && isIdentity(a, [...batch, ...contracted, ...freeA]);
  const transB =
    !isIdentity(b, [...batch, ...contracted, ...freeB]) && isIdentity(b, [...batch, ...freeB, ...contracted]);
  const ta = transA
    ? reshape(a.t, [...batchShape, k, m])
    : reshape(arrange(a, [...batch, ...freeA, ...contracted]), [...batchShape, m, k]);
  const tb = transB
    ? reshape(b.t, [...batchShape, n, k])
    : reshape(arrange(b, [...batch, ...contracted, ...freeB]), [...batchShape, k, n]);
  return { t: reshape(matmul(ta, tb, transA, transB), shape), labels };
}
