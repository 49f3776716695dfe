/**
 * Seed 002: PyTorch-style autograd. Q = 3a^3 - b^2 at a = 2, b = 6; Q.backward() fills a.grad and b.grad;
 * the graph that backward() walked, drawn by tf.viz.graph.
 *
 *   npm run build && node dist/examples/002-pytorch-backward.js
 */
import * as tf from 'tapeflow';
import { type ExampleResult, isMain, report } from './_report.js';

export async function run(): Promise<ExampleResult> {
  const a = tf.tensor([2], { requiresGrad: true });
  const b = tf.tensor([6], { requiresGrad: true });
  const Q = a.pow(3).mul(3).sub(b.pow(2));
  Q.backward();
  const rows = [
    { what: 'Q = 3a^3 - b^2 at a=2, b=6', got: String((Q.numpy() as number[])[0]), notes: '-12' },
    { what: 'dQ/da = 9a^2 (a.grad)', got: String((a.grad!.numpy() as number[])[0]), notes: '36' },
    { what: 'dQ/db = -2b (b.grad)', got: String((b.grad!.numpy() as number[])[0]), notes: '-12' },
    { what: 'Q.gradFn', got: Q.gradFn?.name ?? 'null', notes: '<SubBackward0>' },
  ];
  const graph = tf.viz.graph(Q, { title: 'Seed 002: the graph of Q = 3a³ − b²' });
  return { seed: '002', title: 'PyTorch-style backward()', rows, figures: [graph] };
}

if (isMain(import.meta.url)) await report(await run());
