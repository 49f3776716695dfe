/**
 * Computation-graph pictures without Graphviz: the DOT text that `tf.graphToDot(t)` / `tape.toDot(t)`
 * write (ops as boxes, tensors as edges labelled with shape and dtype) is laid out here as a layered DAG
 * (longest-path layers, dummy nodes on long edges, barycentre ordering) and drawn as SVG.
 */
import { graphToDot } from '../autograd/dot.js';
import { isTensor, type Tensor } from '../tensor/tensor.js';
import { Figure } from './figure.js';
import { escapeHtml } from './html.js';

export interface DotNode {
  id: string;
  label: string;
  shape: string;
  fill: string | null;
  peripheries: number;
}
export interface DotEdge {
  from: string;
  to: string;
  label: string;
}

const NAMED_COLORS: Record<string, string> = { lightblue: '#add8e6', lightyellow: '#ffffe0' };

function unescapeDot(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses the DOT subset that tapeflow writes (one node or edge statement per line). */
export function parseDot(dot: string): { nodes: DotNode[]; edges: DotEdge[] } {
  const nodes: DotNode[] = [];
  const edges: DotEdge[] = [];
  const str = '"((?:[^"\\\\]|\\\\.)*)"';
  const edgeRe = new RegExp(`^\\s*(\\w+)\\s*->\\s*(\\w+)\\s*(?:\\[label=${str}[^\\]]*\\])?;?\\s*$`);
  const nodeRe = new RegExp(`^\\s*(\\w+)\\s*\\[label=${str}(.*)\\];?\\s*$`);
  for (const line of dot.split('\n')) {
    const e = edgeRe.exec(line);
    if (e) {
      edges.push({ from: e[1]!, to: e[2]!, label: unescapeDot(e[3] ?? '') });
      continue;
    }
    const n = nodeRe.exec(line);
    if (n && n[1] !== 'node' && n[1] !== 'edge') {
      const attrs = n[3] ?? '';
      const fill = /fillcolor="?([#\w]+)"?/.exec(attrs)?.[1];
      nodes.push({
        id: n[1]!,
        label: unescapeDot(n[2]!),
        shape: /shape=(\w+)/.exec(attrs)?.[1] ?? 'ellipse',
        fill: fill ? (NAMED_COLORS[fill] ?? fill) : null,
        peripheries: Number(/peripheries=(\d+)/.exec(attrs)?.[1] ?? 1),
      });
    }
  }
  if (nodes.length === 0) throw new RangeError('tf.viz.graph: the DOT text has no nodes');
  const known = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to))
      throw new RangeError(`tf.viz.graph: edge ${e.from} -> ${e.to} names an unknown node`);
  }
  return { nodes, edges };
}

export interface LaidOutNode extends DotNode {
  x: number;
  y: number;
  w: number;
  h: number;
  layer: number;
}

const CHAR_W = 6.6;
const LINE_H = 14;

/** Layered layout, top (inputs) to bottom (output). Returns node boxes and edge polylines. */
export function layoutGraph(graph: { nodes: DotNode[]; edges: DotEdge[] }): {
  nodes: LaidOutNode[];
  edges: (DotEdge & { points: [number, number][] })[];
  width: number;
  height: number;
} {
  const { nodes, edges } = graph;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const preds = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const succs = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  for (const e of edges) {
    preds.get(e.to)!.push(e.from);
    succs.get(e.from)!.push(e.to);
  }
  // Longest-path layering (the graph is a DAG; a cycle would be a bug in the DOT writer).
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const rank = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new RangeError('tf.viz.graph: the graph has a cycle');
    visiting.add(id);
    const r = Math.max(-1, ...preds.get(id)!.map(rank)) + 1;
    visiting.delete(id);
    layer.set(id, r);
    return r;
  };
  for (const n of nodes) rank(n.id);
  // Leaves sit just above their first consumer rather than at the top.
  for (const n of nodes) {
    const s = succs.get(n.id)!;
    if (preds.get(n.id)!.length === 0 && s.length > 0)
      layer.set(n.id, Math.min(...s.map((t) => layer.get(t)!)) - 1);
  }
  const depth = Math.max(...layer.values()) + 1;
  // Chains of dummy nodes for edges that span several layers.
  type V = { id: string; dummy: boolean };
  const layers: V[][] = Array.from({ length: depth }, () => []);
  for (const n of nodes) layers[layer.get(n.id)!]!.push({ id: n.id, dummy: false });
  const chains: string[][] = [];
  const up = new Map<string, string[]>();
  const addUp = (a: string, b: string) => {
    const list = up.get(b) ?? [];
    list.push(a);
    up.set(b, list);
  };
  edges.forEach((e, i) => {
    const chain = [e.from];
    for (let l = layer.get(e.from)! + 1; l < layer.get(e.to)!; l++) {
      const id = `#d${i}_${l}`;
      layers[l]!.push({ id, dummy: true });
      chain.push(id);
    }
    chain.push(e.to);
    for (let k = 1; k < chain.length; k++) addUp(chain[k - 1]!, chain[k]!);
    chains.push(chain);
  });
  const down = new Map<string, string[]>();
  for (const [b, list] of up) for (const a of list) down.set(a, [...(down.get(a) ?? []), b]);
  // Barycentre ordering, a few sweeps down and up.
  const pos = new Map<string, number>();
  const setPos = () => {
    for (const l of layers) {
      l.forEach((v, i) => {
        pos.set(v.id, i);
      });
    }
  };
  setPos();
  const bary = (id: string, nbrs: Map<string, string[]>) => {
    const list = nbrs.get(id) ?? [];
    return list.length === 0 ? pos.get(id)! : list.reduce((s, x) => s + pos.get(x)!, 0) / list.length;
  };
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let l = 1; l < depth; l++) {
      layers[l]!.sort((a, b) => bary(a.id, up) - bary(b.id, up));
      setPos();
    }
    for (let l = depth - 2; l >= 0; l--) {
      layers[l]!.sort((a, b) => bary(a.id, down) - bary(b.id, down));
      setPos();
    }
  }
  // Sizes and coordinates.
  const size = (id: string) => {
    const n = byId.get(id);
    if (!n) return { w: 10, h: 10 };
    const lines = n.label.split('\n');
    const w = Math.max(...lines.map((s) => s.length)) * CHAR_W + (n.shape === 'box' ? 20 : 34);
    const h = lines.length * LINE_H + (n.shape === 'box' ? 12 : 18);
    return { w, h };
  };
  const H_GAP = 36;
  const V_GAP = 62;
  const layerHeights = layers.map((l) => Math.max(10, ...l.map((v) => size(v.id).h)));
  const layerWidths = layers.map((l) => l.reduce((s, v) => s + size(v.id).w, 0) + H_GAP * (l.length - 1));
  const width = Math.max(...layerWidths) + 40;
  const coord = new Map<string, [number, number]>();
  let y = 20;
  layers.forEach((l, li) => {
    let x = (width - layerWidths[li]!) / 2;
    const cy = y + layerHeights[li]! / 2;
    for (const v of l) {
      const { w } = size(v.id);
      coord.set(v.id, [x + w / 2, cy]);
      x += w + H_GAP;
    }
    y += layerHeights[li]! + V_GAP;
  });
  const height = y - V_GAP + 20;
  const laid: LaidOutNode[] = nodes.map((n) => {
    const [cx, cy] = coord.get(n.id)!;
    const { w, h } = size(n.id);
    return { ...n, x: cx, y: cy, w, h, layer: layer.get(n.id)! };
  });
  const half = (id: string) => size(id).h / 2;
  const outEdges = edges.map((e, i) => {
    const chain = chains[i]!;
    const points: [number, number][] = chain.map((id) => coord.get(id)!);
    const first = points[0]!;
    const last = points[points.length - 1]!;
    points[0] = [first[0], first[1] + half(e.from)];
    points[points.length - 1] = [last[0], last[1] - half(e.to)];
    return { ...e, points };
  });
  return { nodes: laid, edges: outEdges, width, height };
}

function textLines(label: string, cx: number, cy: number, cls: string): string {
  const lines = label.split('\n');
  const top = cy - ((lines.length - 1) * LINE_H) / 2;
  return lines
    .map(
      (line, i) =>
        `<text class="${cls}" x="${cx.toFixed(1)}" y="${(top + i * LINE_H + 4).toFixed(1)}">${escapeHtml(line)}</text>`,
    )
    .join('');
}

/** SVG text of a laid-out graph. */
export function graphSvg(dot: string, title = 'Computation graph'): string {
  const { nodes, edges, width, height } = layoutGraph(parseDot(dot));
  const W = Math.ceil(width);
  const H = Math.ceil(height) + 30;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" class="tf-graph">`,
    '<style>text{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;font-size:11px;text-anchor:middle;fill:#222}' +
      ' text.tf-edge{font-size:9.5px;fill:#555;text-anchor:start} text.tf-gtitle{font-size:14px;text-anchor:start;font-weight:bold}</style>',
    '<defs><marker id="tf-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<rect x="0" y="0" width="${W}" height="${H}" fill="white"/>`,
    `<text class="tf-gtitle" x="12" y="20">${escapeHtml(title)}</text>`,
    '<g transform="translate(0,30)">',
  );
  for (const e of edges) {
    const pts = e.points;
    let d = `M${pts[0]![0].toFixed(1)},${pts[0]![1].toFixed(1)}`;
    if (pts.length === 2) {
      const [a, b] = [pts[0]!, pts[1]!];
      const my = (a[1] + b[1]) / 2;
      d += ` C${a[0].toFixed(1)},${my.toFixed(1)} ${b[0].toFixed(1)},${my.toFixed(1)} ${b[0].toFixed(1)},${b[1].toFixed(1)}`;
    } else {
      for (let k = 1; k < pts.length; k++) d += ` L${pts[k]![0].toFixed(1)},${pts[k]![1].toFixed(1)}`;
    }
    parts.push(
      `<path class="tf-edge" d="${d}" fill="none" stroke="#777" stroke-width="1.2" marker-end="url(#tf-arrow)"/>`,
    );
    const a = pts[0]!;
    const b = pts[1]!;
    parts.push(textLines(e.label, (a[0] + b[0]) / 2 + 5, (a[1] + b[1]) / 2, 'tf-edge'));
  }
  for (const n of nodes) {
    const fill = n.fill ?? (n.shape === 'box' ? '#eef2f7' : '#ffffff');
    if (n.shape === 'box') {
      parts.push(
        `<rect class="tf-node tf-op" x="${(n.x - n.w / 2).toFixed(1)}" y="${(n.y - n.h / 2).toFixed(1)}" width="${n.w.toFixed(1)}" height="${n.h.toFixed(1)}" rx="4" fill="${fill}" stroke="#333"/>`,
      );
    } else {
      for (let k = n.peripheries - 1; k >= 0; k--) {
        parts.push(
          `<ellipse class="tf-node tf-tensor" cx="${n.x.toFixed(1)}" cy="${n.y.toFixed(1)}" rx="${(n.w / 2 + 4 * k).toFixed(1)}" ry="${(n.h / 2 + 4 * k).toFixed(1)}" fill="${k === 0 ? fill : 'white'}" stroke="#333"/>`,
        );
      }
    }
    parts.push(textLines(n.label, n.x, n.y, 'tf-label'));
  }
  parts.push('</g></svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * The computation graph that produced a tensor (every recorded node), or drawn from DOT text such as
 * `tape.toDot(loss)` (only what that tape recorded). Ops are boxes, tensors are edges labelled with shape
 * and dtype, leaves are ellipses (variables blue, differentiated sources yellow).
 */
export function graphFigure(
  source: Tensor | string,
  options: { title?: string; caption?: string } = {},
): Figure {
  const dot = isTensor(source) ? graphToDot(source) : source;
  if (typeof dot !== 'string') throw new TypeError('tf.viz.graph: give a Tensor or DOT text');
  const title = options.title ?? 'Computation graph';
  return new Figure({
    title,
    svg: graphSvg(dot, title),
    caption: options.caption ?? 'Ops as boxes; edges carry tensors (shape dtype).',
  });
}
