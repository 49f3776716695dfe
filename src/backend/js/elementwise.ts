import { broadcastStrides } from '../../tensor/shape.js';
import { allocate, type DType, type TypedArray } from '../dtype.js';
import { scalarHelpers } from './scalar.js';
import { collapseAxes, isContiguous, type StridedView } from './strided.js';

/**
 * Elementwise kernels are generated once per scalar expression (`'a + b'`, `'Math.exp(a)'`) and layout
 * case, so each loop is monomorphic and V8 compiles it like hand-written code. Operands are named
 * a, b, c in the expression.
 */
type Loop = (...args: unknown[]) => void;

const NAMES = ['a', 'b', 'c'] as const;
const cache = new Map<string, Loop>();

function compile(key: string, params: string[], body: string): Loop {
  let fn = cache.get(key);
  if (!fn) {
    // Expressions may call the scalar helpers (erf, rounding) through `H`.
    fn = new Function('H', `'use strict';\nreturn function (${params.join(', ')}) {\n${body}\n};`)(
      scalarHelpers,
    ) as Loop;
    cache.set(key, fn);
  }
  return fn;
}

/** Compiled flat loops per expression, indexed by scalarMask (which operands are single elements). */
const flatLoops = new Map<string, Loop[]>();

/** Same-shape contiguous operands, or operands of one element (broadcast scalars). */
function flatLoop(expr: string, arity: number, scalarMask: number): Loop {
  let byMask = flatLoops.get(expr);
  if (byMask === undefined) {
    byMask = [];
    flatLoops.set(expr, byMask);
  }
  const found = byMask[scalarMask];
  if (found !== undefined) return found;
  const key = `flat|${arity}|${scalarMask}|${expr}`;
  const params = ['O', 'n'];
  const pre: string[] = [];
  const reads: string[] = [];
  for (let k = 0; k < arity; k++) {
    const name = NAMES[k]!;
    params.push(`${name.toUpperCase()}`, `${name}o`);
    if (scalarMask & (1 << k)) pre.push(`const ${name} = ${name.toUpperCase()}[${name}o];`);
    else reads.push(`const ${name} = ${name.toUpperCase()}[${name}o + i];`);
  }
  const loop = compile(
    key,
    params,
    `${pre.join('\n')}\nfor (let i = 0; i < n; i++) { ${reads.join(' ')} O[i] = ${expr}; }`,
  );
  byMask[scalarMask] = loop;
  return loop;
}

/** General strided loop over a collapsed shape; the innermost axis runs as a tight loop. */
function stridedLoop(expr: string, arity: number): Loop {
  const key = `strided|${arity}|${expr}`;
  const params = ['O', 'shape'];
  const setup: string[] = ['const rank = shape.length;', 'const inner = shape[rank - 1];'];
  const reads: string[] = [];
  const steps: string[] = [];
  const resets: string[] = [];
  for (let k = 0; k < arity; k++) {
    const n = NAMES[k]!;
    const N = n.toUpperCase();
    params.push(N, `${n}s`, `${n}o`);
    setup.push(`const ${n}i = ${n}s[rank - 1]; let ${n}p = ${n}o;`);
    reads.push(`const ${n} = ${N}[${n}p + j * ${n}i];`);
    steps.push(`${n}p += ${n}s[axis];`);
    resets.push(`${n}p -= ${n}s[axis] * shape[axis];`);
  }
  const body = `${setup.join('\n')}
const index = new Int32Array(rank);
let o = 0;
for (;;) {
  for (let j = 0; j < inner; j++) { ${reads.join(' ')} O[o++] = ${expr}; }
  let axis = rank - 2;
  while (axis >= 0) {
    index[axis]++; ${steps.join(' ')}
    if (index[axis] < shape[axis]) break;
    ${resets.join(' ')} index[axis] = 0; axis--;
  }
  if (axis < 0) break;
}`;
  return compile(key, params, body);
}

/**
 * Evaluates `expr` elementwise over operands broadcast to `outShape`, into a new array of `outDtype`.
 * Values are read as JS numbers (bool as 0/1) and stored with the output array's conversion.
 */
export function mapElements(
  expr: string,
  operands: readonly StridedView[],
  outShape: readonly number[],
  outDtype: DType,
): TypedArray {
  let size = 1;
  for (const d of outShape) size *= d;
  const out = allocate(outDtype, size);
  if (size === 0) return out;
  const arity = operands.length;
  // Fast path: every operand is either a contiguous array of the full output size or a single element.
  let scalarMask = 0;
  let flat = true;
  for (let k = 0; k < arity; k++) {
    const v = operands[k]!;
    let vSize = 1;
    for (const d of v.shape) vSize *= d;
    if (vSize === 1 && size !== 1) scalarMask |= 1 << k;
    else if (vSize !== size || !isContiguous(v.shape, v.strides) || v.shape.length > outShape.length) {
      flat = false;
      break;
    } else if (v.shape.length === outShape.length) {
      for (let i = 0; i < outShape.length; i++) if (v.shape[i] !== outShape[i]) flat = false;
    } else {
      // Fewer dims but the same size: only leading 1s are missing, so the layout matches.
      flat = flat && vSize === size;
    }
  }
  if (flat) {
    const args: unknown[] = [out, size];
    for (const v of operands) args.push(v.storage, v.offset);
    flatLoop(expr, arity, scalarMask)(...args);
    return out;
  }
  const strides = operands.map((v) => broadcastStrides(v.shape, v.strides, outShape));
  const collapsed = collapseAxes(outShape, strides);
  if (collapsed.shape.length === 0) {
    collapsed.shape.push(1);
    for (const s of collapsed.strides) s.push(0);
  }
  const args: unknown[] = [out, collapsed.shape];
  operands.forEach((v, k) => {
    args.push(v.storage, collapsed.strides[k], v.offset);
  });
  stridedLoop(expr, arity)(...args);
  return out;
}
