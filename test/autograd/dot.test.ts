import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

interface ParsedDot {
  name: string;
  nodes: Map<string, string>;
  edges: { from: string; to: string; attrs: string }[];
}

/** A small checker for the subset of DOT that graphToDot writes: one statement per line. */
function parseDot(text: string): ParsedDot {
  let depth = 0;
  for (const ch of text.replace(/"(?:[^"\\]|\\.)*"/g, '""')) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  const lines = text.trimEnd().split('\n');
  const header = /^digraph "((?:[^"\\]|\\.)*)" \{$/.exec(lines[0]!);
  expect(header, lines[0]).not.toBeNull();
  expect(lines[lines.length - 1]).toBe('}');
  const nodes = new Map<string, string>();
  const edges: ParsedDot['edges'] = [];
  const attrList = String.raw`\[((?:[a-z]+=(?:"(?:[^"\\]|\\.)*"|[A-Za-z0-9.]+)(?:, )?)+)\];`;
  for (const line of lines.slice(1, -1)) {
    if (/^ {2}(node|edge) \[/.test(line)) continue;
    const edge = new RegExp(String.raw`^ {2}(\w+) -> (\w+) ${attrList}$`).exec(line);
    if (edge) {
      edges.push({ from: edge[1]!, to: edge[2]!, attrs: edge[3]! });
      continue;
    }
    const node = new RegExp(String.raw`^ {2}(\w+) ${attrList}$`).exec(line);
    expect(node, `unexpected line: ${line}`).not.toBeNull();
    expect(nodes.has(node![1]!), `node ${node![1]} defined twice`).toBe(false);
    nodes.set(node![1]!, node![2]!);
  }
  for (const e of edges) {
    expect(nodes.has(e.from), `edge from undefined node ${e.from}`).toBe(true);
    expect(nodes.has(e.to), `edge to undefined node ${e.to}`).toBe(true);
  }
  return { name: header![1]!, nodes, edges };
}

const labelOf = (attrs: string) => /label="((?:[^"\\]|\\.)*)"/.exec(attrs)![1]!;

function hasGraphviz(): boolean {
  return spawnSync('dot', ['-V'], { stdio: 'ignore' }).status === 0;
}

// Seed 000's loss: sqrt(mean(square(w1*x*x + w2*x + b - y))).
function seed000() {
  const x = tf.range(-5, 5, 0.1);
  const y = x.mul(x).mul(2).add(x.mul(3)).add(5);
  const w1 = tf.variable(1.0, { name: 'w1' });
  const w2 = tf.variable(1.0, { name: 'w2' });
  const b = tf.variable(1.0, { name: 'b' });
  const tape = new tf.GradientTape({ persistent: true });
  const loss = tape.record(() =>
    tf.sqrt(tf.reduceMean(tf.square(w1.mul(x).mul(x).add(w2.mul(x)).add(b).sub(y)))),
  );
  return { tape, loss };
}

describe('graph pictures (Graphviz DOT)', () => {
  it("draws seed 000's loss: ops as boxes, tensors as labelled edges, variables filled, output marked", () => {
    const { tape, loss } = seed000();
    const text = tape.toDot(loss, { name: 'seed000' });
    const dot = parseDot(text);
    expect(dot.name).toBe('seed000');
    const ops = [...dot.nodes.entries()].filter(([, a]) => a.includes('shape=box'));
    const opNames = ops.map(([, a]) => labelOf(a)).sort();
    expect(opNames).toEqual(
      [
        'add',
        'add',
        'div',
        'mul',
        'mul',
        'mul',
        'readVariable',
        'readVariable',
        'readVariable',
        'sqrt',
        'square',
        'sub',
        'sum',
      ].sort(),
    );
    const idByLabel = (re: RegExp) =>
      [...dot.nodes.entries()].filter(([, a]) => re.test(labelOf(a))).map(([id]) => id);
    // Variables: ellipses, filled, labelled with their name, shape and dtype.
    for (const v of ['w1', 'w2', 'b']) {
      const [id] = idByLabel(new RegExp(`^${v}\\\\n`));
      expect(id, v).toBeDefined();
      expect(dot.nodes.get(id!)).toMatch(/shape=ellipse, style=filled/);
      expect(labelOf(dot.nodes.get(id!)!)).toContain('[] float32');
      // A variable feeds a readVariable node.
      const out = dot.edges.filter((e) => e.from === id);
      expect(out.map((e) => labelOf(dot.nodes.get(e.to)!))).toEqual(['readVariable']);
    }
    // Edges carry shape and dtype: x (a [100] constant) feeds three muls.
    const [xId] = idByLabel(/^constant\\n\[100\] float32$/);
    const fromX = dot.edges.filter((e) => e.from === xId);
    expect(fromX.length).toBe(3);
    for (const e of fromX) {
      expect(labelOf(e.attrs)).toBe('[100] float32');
      expect(labelOf(dot.nodes.get(e.to)!)).toBe('mul');
    }
    // The chain square -> sum -> div (mean) -> sqrt -> output, with scalar edges after the sum.
    const [sqrtId] = idByLabel(/^sqrt$/);
    const [squareId] = idByLabel(/^square$/);
    const [sumId] = idByLabel(/^sum$/);
    expect(dot.edges.find((e) => e.from === squareId && e.to === sumId)!.attrs).toBe('label="[100] float32"');
    const toOutput = dot.edges.filter((e) => e.to === 'output');
    expect(toOutput).toEqual([{ from: sqrtId, to: 'output', attrs: 'label="[] float32"' }]);
    expect(dot.nodes.get('output')).toMatch(/peripheries=2/);
    // Deterministic: the same graph gives the same text; graphToDot of the same loss draws the same graph.
    expect(tape.toDot(loss, { name: 'seed000' })).toBe(text);
    const again = seed000();
    expect(again.tape.toDot(again.loss, { name: 'seed000' })).toBe(text);
    expect(tf.graphToDot(loss, { name: 'seed000' })).toBe(text);
  });

  it('is accepted by Graphviz (dot -Tsvg) when it is installed', (ctx) => {
    if (!hasGraphviz()) {
      ctx.skip(
        'Graphviz is not installed (apt-get install graphviz): the DOT text was only checked by the parser',
      );
      return;
    }
    const { tape, loss } = seed000();
    const svg = execFileSync('dot', ['-Tsvg'], { input: tape.toDot(loss) }).toString();
    expect(svg).toContain('<svg');
    expect(svg).toContain('readVariable');
    const x = tf.tensor([1, 2], { requiresGrad: true });
    const odd = tf.customGradient((t) => ({ value: t.mul(2), gradFunc: (dy) => dy.mul(2) }), {
      name: 'my "odd" \\ op',
    });
    expect(
      execFileSync('dot', ['-Tsvg'], { input: tf.graphToDot(odd(x), { name: 'a "b"' }) }).toString(),
    ).toContain('<svg');
  });

  it('tape.toDot draws only what the tape recorded; graphToDot marks requiresGrad leaves and scalar constants', () => {
    const a = tf.tensor([1, 2], { requiresGrad: true });
    const h = a.mul(3);
    const tape = new tf.GradientTape();
    tape.watch(h);
    const z = tape.record(() => h.exp().sum());
    // The tape did not record mul: h is a watched source there.
    const dotTape = parseDot(tape.toDot(z));
    const tapeOps = [...dotTape.nodes.values()].filter((a) => a.includes('shape=box')).map(labelOf);
    expect(tapeOps.sort()).toEqual(['exp', 'sum']);
    expect([...dotTape.nodes.values()].some((s) => labelOf(s) === 'source\\n[2] float32')).toBe(true);
    // graphToDot follows every recorded node: mul (requiresGrad) too.
    const dotAll = parseDot(tf.graphToDot(z));
    const labels = [...dotAll.nodes.values()].map(labelOf);
    expect(labels).toContain('mul');
    expect(labels).toContain('source\\n[2] float32');
    expect(labels).toContain('constant 3\\n[] float32');
    // A leaf alone: one ellipse and the output.
    const leaf = parseDot(tf.graphToDot(tf.tensor([1, 2, 3])));
    expect(leaf.nodes.size).toBe(2);
    expect(leaf.edges).toEqual([{ from: 'n0', to: 'output', attrs: 'label="[3] float32"' }]);
    // Custom gradients and autograd Functions appear as one box with their name; labels are escaped.
    const named = tf.customGradient((t) => ({ value: t.mul(2), gradFunc: (dy) => dy.mul(2) }), {
      name: 'my "odd" op',
    });
    const text = tf.graphToDot(named(a));
    expect(text).toContain('[label="my \\"odd\\" op", shape=box]');
    parseDot(text);
  });
});
