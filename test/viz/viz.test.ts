import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

const out = mkdtempSync(join(tmpdir(), 'tapeflow-viz-'));
const PNG = [0x89, 0x50, 0x4e, 0x47];

describe('tf.viz.historyChart', () => {
  const h = {
    loss: [3, 2, 1.5],
    val_loss: [3.5, 2.5, 2],
    accuracy: [0.5, 0.7, 0.8],
    val_accuracy: [0.4, 0.6, 0.7],
  };

  it('pairs train and validation per metric, loss first', () => {
    const { rows, metrics } = tf.viz.historyRows(h);
    expect(metrics).toEqual(['loss', 'accuracy']);
    expect(rows).toHaveLength(12);
    expect(rows[3]).toEqual({ epoch: 1, metric: 'loss', split: 'validation', value: 3.5 });
  });

  it('renders SVG, PNG and self-contained HTML', async () => {
    const fig = await tf.viz.historyChart({ history: h }, { title: 'History' });
    const svg = await fig.svg();
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('<svg');
    expect(svg).toContain('validation');
    expect(Array.from((await fig.png()).subarray(0, 4))).toEqual(PNG);
    const html = await fig.html();
    expect(html).toContain('<script id="tf-specs"');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html.length).toBeGreaterThan(300_000); // Vega inlined
  });

  it('rejects an empty history and unknown extensions', async () => {
    await expect(tf.viz.historyChart({})).rejects.toThrow(/no metrics/);
    const fig = await tf.viz.historyChart({ loss: [1, 0.5] });
    await expect(fig.save(join(out, 'x.jpg'))).rejects.toThrow(/\.svg, \.png, \.gif or \.html/);
  });
});

describe('tf.viz.descent (seed 001)', () => {
  it("computes the notes' descent numbers", () => {
    const [p] = tf.viz.descentPaths({ learningRates: [0.01 / 6], steps: 100 });
    expect(p!.x[1]).toBeCloseTo(-9.99, 5);
    expect(p!.x[2]).toBeCloseTo(-9.980008, 5);
    expect(p!.x[100]).toBeCloseTo(-9.040152, 5);
    expect(p!.loss[0]).toBe(36);
  });

  it('animates frame by frame and writes a GIF', async () => {
    const fig = await tf.viz.descent({ steps: 20, maxFrames: 10 });
    expect(fig.frames).toBe(11);
    expect(fig.frameLabels[0]).toBe('step 0 of 20');
    const first = await fig.svg(0);
    const last = await fig.svg();
    expect(first).not.toBe(last);
    const gif = await fig.gif({ maxFrames: 5 });
    expect(Buffer.from(gif.subarray(0, 6)).toString()).toBe('GIF89a');
    expect(await fig.save(join(out, 'descent.gif'))).toMatch(/descent\.gif$/);
  });

  it('picks frames evenly, first and last kept', () => {
    expect(tf.viz.frameSteps(100, 4)).toEqual([0, 25, 50, 75, 100]);
    expect(tf.viz.frameSteps(3, 10)).toEqual([0, 1, 2, 3]);
  });

  it('rejects bad learning rates and steps', () => {
    expect(() => tf.viz.descentPaths({ learningRates: [-1] })).toThrow(/positive/);
    expect(() => tf.viz.descentPaths({ steps: 0 })).toThrow(/steps/);
  });
});

describe('tf.viz.race', () => {
  it('runs Keras optimizers on the named surfaces', () => {
    const { paths, steps } = tf.viz.racePaths({
      surface: 'quadratic',
      optimizers: ['sgd', 'adam'],
      steps: 50,
    });
    expect(steps).toBe(50);
    for (const p of paths) {
      expect(p.x).toHaveLength(51);
      expect(p.loss[50]!).toBeLessThan(p.loss[0]!);
    }
    const saddle = tf.viz.racePaths({ surface: 'saddle', optimizers: ['adam'] });
    expect(saddle.paths[0]!.loss.at(-1)!).toBeCloseTo(-0.25, 3);
  });

  it('names unknown optimizers and surfaces', () => {
    expect(() => tf.viz.makeOptimizer('lbfgs', 0.1)).toThrow(/unknown optimizer 'lbfgs'/);
    expect(() => tf.viz.surfaceByName('himmelblau')).toThrow(/unknown function 'himmelblau'/);
  });

  it('draws contours and paths', async () => {
    const fig = await tf.viz.race({ surface: 'beale', optimizers: ['sgd', 'momentum', 'adam'], steps: 30 });
    expect(fig.animated).toBe(true);
    const svg = await fig.svg();
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(20);
    expect(svg).toContain('momentum (0.0003)');
    expect(Array.from((await fig.png({ scale: 0.5 })).subarray(0, 4))).toEqual(PNG);
  });
});

describe('tf.viz.graph', () => {
  it('parses and lays out the DOT of a backward() graph', () => {
    const a = tf.tensor([2], { requiresGrad: true });
    const b = tf.tensor([6], { requiresGrad: true });
    const Q = a.pow(3).mul(3).sub(b.pow(2));
    const parsed = tf.viz.parseDot(tf.graphToDot(Q));
    expect(
      parsed.nodes
        .filter((n) => n.shape === 'box')
        .map((n) => n.label)
        .sort(),
    ).toEqual(['mul', 'pow', 'pow', 'sub']);
    const { nodes } = tf.viz.layoutGraph(parsed);
    const y = (label: string) => nodes.find((n) => n.label === label)!.y;
    expect(y('mul')).toBeLessThan(y('sub'));
    expect(y('sub')).toBeLessThan(y('output'));
  });

  it('draws a tape graph as SVG with shapes and dtypes on the edges, and as PNG', async () => {
    const w = tf.variable(1.5, { name: 'w' });
    const x = tf.tensor([1, 2, 3]);
    const tape = new tf.GradientTape();
    const loss = tape.record(() => tf.reduceMean(tf.square(w.mul(x).sub(2))));
    const fig = tf.viz.graph(tape.toDot(loss), { title: 'tape' });
    const path = await fig.save(join(out, 'graph.svg'));
    const svg = readFileSync(path, 'utf8');
    expect(svg).toContain('[3] float32');
    expect(svg).toContain('>w</text>');
    expect(svg).toContain('marker-end');
    expect(Array.from((await fig.png()).subarray(0, 4))).toEqual(PNG);
    expect(() => tf.viz.parseDot('digraph {}')).toThrow(/no nodes/);
  });
});
