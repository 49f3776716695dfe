/** `tapeflow graph`: a small expression's computation graph, evaluated and differentiated with backward(). */
import type { Command } from 'commander';
import * as tf from '../../index.js';
import { type Format, parseFormats, parseNumber, saveAll, UsageError } from './common.js';

const FUNCTIONS: Record<string, (t: tf.Tensor) => tf.Tensor> = {
  sin: (t) => tf.sin(t),
  cos: (t) => tf.cos(t),
  exp: (t) => tf.exp(t),
  log: (t) => tf.log(t),
  sqrt: (t) => tf.sqrt(t),
  tanh: (t) => tf.tanh(t),
  relu: (t) => tf.relu(t),
  sigmoid: (t) => tf.sigmoid(t),
  abs: (t) => tf.abs(t),
  square: (t) => tf.square(t),
};

/**
 * Evaluates an arithmetic expression (numbers, variables, + - * / ^, parentheses, unary minus, and
 * sin cos exp log sqrt tanh relu sigmoid abs square) with tapeflow ops, so that the graph is recorded.
 */
export function evaluate(expr: string, vars: Record<string, tf.Tensor>): tf.Tensor {
  const tokens = expr.match(/\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+|[A-Za-z_]\w*|\*\*|[-+*/^()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const fail = (what: string): never => {
    throw new UsageError(`--expr: ${what} in '${expr}'`);
  };
  const primary = (): tf.Tensor | number => {
    const t = take();
    if (t === undefined) return fail('unexpected end');
    if (t === '(') {
      const v = sum();
      if (take() !== ')') fail("missing ')'");
      return v;
    }
    if (t === '-') {
      const v = power();
      return typeof v === 'number' ? -v : v.neg();
    }
    if (/^[\d.]/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        const fn = FUNCTIONS[t];
        if (!fn) fail(`unknown function '${t}' (known: ${Object.keys(FUNCTIONS).join(', ')})`);
        take();
        const arg = sum();
        if (take() !== ')') fail("missing ')'");
        return fn!(typeof arg === 'number' ? tf.constant(arg) : arg);
      }
      const v = vars[t];
      if (!v) fail(`unknown variable '${t}' (give it with --vars ${t}=...)`);
      return v!;
    }
    return fail(`unexpected '${t}'`);
  };
  const power = (): tf.Tensor | number => {
    const base = primary();
    if (peek() === '^' || peek() === '**') {
      take();
      const exp = power();
      if (typeof base === 'number' && typeof exp === 'number') return base ** exp;
      return (typeof base === 'number' ? tf.constant(base) : base).pow(exp);
    }
    return base;
  };
  const product = (): tf.Tensor | number => {
    let left = power();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const right = power();
      if (typeof left === 'number' && typeof right === 'number')
        left = op === '*' ? left * right : left / right;
      else {
        const l = typeof left === 'number' ? tf.constant(left) : left;
        left = op === '*' ? l.mul(right) : l.div(right);
      }
    }
    return left;
  };
  const sum = (): tf.Tensor | number => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const right = product();
      if (typeof left === 'number' && typeof right === 'number')
        left = op === '+' ? left + right : left - right;
      else {
        const l = typeof left === 'number' ? tf.constant(left) : left;
        left = op === '+' ? l.add(right) : l.sub(right);
      }
    }
    return left;
  };
  const result = sum();
  if (i < tokens.length) fail(`unexpected '${tokens[i]}'`);
  if (typeof result === 'number') fail('the expression has no variables');
  return result as tf.Tensor;
}

export function registerGraph(program: Command): void {
  program
    .command('graph')
    .description(
      "draw a small expression's computation graph (ops as nodes, tensors as edges) and its gradients",
    )
    .option('--expr <text>', 'the expression', '3*a^3 - b^2')
    .option('--vars <list>', 'variable values, name=value pairs', 'a=2,b=6')
    .option('--out <dir>', 'output folder', 'tapeflow-output')
    .option('--format <list>', 'output formats: html,svg,png', 'svg,png,html')
    .action(async (opts: { expr: string; vars: string; out: string; format: string }) => {
      const vars: Record<string, tf.Tensor> = {};
      for (const pair of opts.vars.split(',').filter((s) => s.trim())) {
        const [name, value] = pair.split('=').map((s) => s.trim());
        if (!name || value === undefined || !/^[A-Za-z_]\w*$/.test(name))
          throw new UsageError(`--vars: expected name=value pairs, got '${pair}'`);
        vars[name] = tf.tensor([parseNumber(`--vars ${name}`, value)], { requiresGrad: true });
      }
      const formats: Format[] = parseFormats(opts.format).filter((f) => f !== 'gif');
      const out = evaluate(opts.expr, vars);
      out.sum().backward();
      console.log(`${opts.expr} = ${Array.from(out.dataSync()).join(', ')}`);
      for (const [name, v] of Object.entries(vars)) {
        console.log(`d/d${name} = ${v.grad ? Array.from(v.grad.dataSync()).join(', ') : 'null (not used)'}`);
      }
      const figure = tf.viz.graph(out, { title: `Graph of ${opts.expr}` });
      for (const p of await saveAll(figure, `${opts.out}/graph`, formats)) console.log(p);
    });
}
