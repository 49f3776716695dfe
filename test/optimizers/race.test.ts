import { describe, expect, it } from 'vitest';
import { CONTESTANTS, formatTable, PROBLEMS, race } from '../../examples/optimizer-race.js';

describe('examples/optimizer-race.ts', () => {
  it('races every optimizer on the three problems and prints the table', () => {
    const results = race();
    expect(results).toHaveLength(CONTESTANTS.length * PROBLEMS.length);
    const table = formatTable(results);
    for (const c of CONTESTANTS) expect(table).toContain(c.name);
    for (const p of PROBLEMS) expect(table).toContain(p.name);
    // Every result is finite, every optimizer escapes the saddle, and the adaptive ones solve all three.
    for (const r of results)
      expect(Number.isFinite(r.finalLoss), `${r.optimizer} on ${r.problem}`).toBe(true);
    for (const r of results.filter((x) => x.problem === 'saddle'))
      expect(r.steps, r.optimizer).not.toBeNull();
    for (const name of ['Adam', 'AMSGrad', 'Nadam', 'Lion', 'SGD momentum 0.9']) {
      for (const r of results.filter((x) => x.optimizer === name))
        expect(r.steps, `${name} on ${r.problem}`).not.toBeNull();
    }
  });
});
