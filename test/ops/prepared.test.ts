/**
 * Prepared kernels (OpDef.prepare, Backend.prepare): a replayed trace runs them instead of the ops'
 * kernels, so each must give the eager kernel's very bits. Driven by the registry's checks: every check's
 * function is recorded on inputs at one offset of one storage and replayed on other values at another
 * offset, in float64 and float32, with the native backend's small-size thresholds as shipped (where small
 * elementwise ops run the JS kernel eagerly but C++ in a replay) and at zero (every size native). Every
 * op that declares `prepare` must have run prepared in some check on the native backend.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PREPARED_KERNELS, setSmallSizeThresholds } from '../../src/backend/native/index.js';
import * as tf from '../../src/index.js';
import { primitives } from '../../src/ops/registry.js';
import { recordTrace } from '../../src/ops/trace.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { coreChecks } from './checks/core.js';
import { linalgDecompositionChecks } from './checks/linalg-decompositions.js';
import { linalgStructureChecks } from './checks/linalg-structure.js';
import { softmaxChecks } from './checks/softmax.js';
import type { Check } from './checks/support.js';

const checks: Record<string, Check> = {
  ...coreChecks,
  ...linalgStructureChecks,
  ...linalgDecompositionChecks,
  ...softmaxChecks,
};

const SHIPPED: [number, number] = [2048, 32768];
afterAll(() => setSmallSizeThresholds(...SHIPPED));

/** `t`'s values at offset `at` of a larger storage (so a replay must honour offsets). */
function placed(t: Tensor, at: number, dtype: 'float32' | 'float64'): Tensor {
  const c = t.dtype === 'float64' || t.dtype === 'float32' ? t.cast(dtype) : t;
  const flat = c.reshape([-1]);
  const padded = tf.concat([tf.zeros([at], c.dtype), flat, tf.zeros([2], c.dtype)]);
  return padded.slice([at], [c.size]).reshape(c.shape);
}

/** Whether two tensors hold the same bits (NaN matching NaN). */
function sameBits(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.join() !== b.shape.join()) return false;
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
    if (Object.is(x[i], -0) !== Object.is(y[i], -0)) return false;
  }
  return true;
}

const fnOf = (check: Check) => ('fn' in check ? check.fn : check.notDifferentiable);

describe('prepared kernels give the eager kernels bits', () => {
  const prepared = new Set<string>();
  const settings: [string, [number, number]][] = [
    ['shipped thresholds', SHIPPED],
    ['every size native', [0, 0]],
  ];
  for (const [label, thresholds] of settings) {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${label}, ${dtype}: every check's trace replays to the eager bits`, () => {
        setSmallSizeThresholds(...thresholds);
        let replayed = 0;
        for (const [name, check] of Object.entries(checks)) {
          const fn = fnOf(check);
          const first = check.inputs().map((t) => placed(t, 1, dtype));
          const recorded = recordTrace(
            first,
            [],
            () => fn(...first),
            (y) => [y],
          );
          if ('failure' in recorded) continue;
          const next = check.inputs().map((t) => placed(t, 3, dtype));
          let expected: Tensor;
          try {
            expected = fn(...next);
          } catch {
            continue;
          }
          const replay = recorded.trace.replay(next);
          const got = replay.tensor(recorded.results[0]!);
          expect(sameBits(got, expected), `${name} (${dtype}): replay differs from eager`).toBe(true);
          for (const op of recorded.trace.preparedOps) prepared.add(op);
          replayed++;
        }
        expect(replayed).toBeGreaterThan(100);
      });
    }
  }

  it('every op the backend prepares ran prepared in some check', () => {
    // Ops prepare at the op level (sparseClassIndices, on every backend) or through the backend.
    const declaring = Object.values(primitives)
      .filter((def) => def.prepare !== undefined)
      .map((def) => def.name);
    const byBackend = tf.getBackend() === 'native' ? PREPARED_KERNELS : [];
    const expected = declaring.filter((name) => name === 'sparseClassIndices' || byBackend.includes(name));
    expect(expected.length).toBeGreaterThan(tf.getBackend() === 'native' ? 30 : 0);
    for (const name of expected) expect(prepared, `${name} never ran prepared`).toContain(name);
  });
});
