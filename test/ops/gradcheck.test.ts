import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';
import { composites, type OpName, primitives } from '../../src/ops/registry.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { coreChecks } from './checks/core.js';
import { linalgDecompositionChecks } from './checks/linalg-decompositions.js';
import { linalgStructureChecks } from './checks/linalg-structure.js';
import { softmaxChecks } from './checks/softmax.js';
import type { Check } from './checks/support.js';

/**
 * The registry-driven numerical gradient check: every op tapeflow defines has an entry (the
 * `Record<OpName, Check>` type makes tsc reject a missing one, and a test below rejects one at run time),
 * checked to first and second order against float64 central differences with tf.gradcheck.
 */
const checks: Record<OpName, Check> = {
  ...coreChecks,
  ...linalgStructureChecks,
  ...linalgDecompositionChecks,
  ...softmaxChecks,
};

/** Names of the nodes in the graph that produced `t`. */
function graphOpNames(t: Tensor): Set<string> {
  const names = new Set<string>();
  const stack = [t];
  const seen = new Set<Tensor>();
  while (stack.length) {
    const u = stack.pop()!;
    if (seen.has(u) || !u.gradFn) continue;
    seen.add(u);
    names.add(u.gradFn.name);
    stack.push(...u.gradFn.inputs);
  }
  return names;
}

describe('op registry', () => {
  it('every registered op has a gradient check and every check names a registered op', () => {
    const registered = [...Object.keys(primitives), ...Object.keys(composites)].sort();
    expect(Object.keys(checks).sort()).toEqual(registered);
  });
  it('each primitive is registered under its own name', () => {
    for (const [name, def] of Object.entries(primitives)) expect(def.name).toBe(name);
  });
});

describe('numerical gradient checks (float64 central differences)', () => {
  for (const [name, check] of Object.entries(checks) as [OpName, Check][]) {
    if ('notDifferentiable' in check) {
      it(`${name}: not differentiable, a tape gives null`, () => {
        const inputs = check.inputs();
        const tape = new tf.GradientTape();
        tape.watch(inputs);
        const y = tape.record(() => check.notDifferentiable(...inputs));
        const target = y.dtype === 'float64' ? y.sum() : y.cast('float64').sum();
        for (const g of tape.gradient(target, inputs)) expect(g).toBeNull();
      });
      continue;
    }
    it(`${name}: first order`, () => {
      const inputs = check.inputs();
      if (name in primitives) {
        const tape = new tf.GradientTape();
        tape.watch(inputs);
        const y = tape.record(() => check.fn(...inputs));
        expect(graphOpNames(y), `the check for ${name} must exercise that op`).toContain(name);
      }
      const opts = { ...(check.eps ? { eps: check.eps } : {}), ...(check.atol ? { atol: check.atol } : {}) };
      const report = tf.gradcheck(check.fn, inputs, opts);
      expect(report.ok, report.toString()).toBe(true);
    });
    if (!check.firstOrderOnly && !check.eps) {
      it(`${name}: second order`, () => {
        const report = tf.gradgradcheck(check.fn, check.inputs());
        expect(report.ok, report.toString()).toBe(true);
      });
    }
  }
});
