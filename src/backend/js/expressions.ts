/**
 * The JS backend's scalar formula for each elementwise kernel. Operands are `a` (and `b`); `H` holds
 * the helpers of scalar.ts. Comparison results are written to Uint8Array as 0/1.
 */
export const UNARY_EXPRESSIONS = {
  neg: '-a',
  abs: 'Math.abs(a)',
  sign: '(a > 0 ? 1 : a < 0 ? -1 : a === 0 ? 0 : a)',
  exp: 'Math.exp(a)',
  expm1: 'Math.expm1(a)',
  log: 'Math.log(a)',
  log1p: 'Math.log1p(a)',
  sqrt: 'Math.sqrt(a)',
  rsqrt: '1 / Math.sqrt(a)',
  square: 'a * a',
  reciprocal: '1 / a',
  sin: 'Math.sin(a)',
  cos: 'Math.cos(a)',
  tan: 'Math.tan(a)',
  asin: 'Math.asin(a)',
  acos: 'Math.acos(a)',
  atan: 'Math.atan(a)',
  sinh: 'Math.sinh(a)',
  cosh: 'Math.cosh(a)',
  tanh: 'Math.tanh(a)',
  asinh: 'Math.asinh(a)',
  acosh: 'Math.acosh(a)',
  atanh: 'Math.atanh(a)',
  // Split on the sign so that exp never overflows.
  sigmoid: '(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))',
  relu: '(a > 0 ? a : a === a ? 0 : a)',
  step: '(a > 0 ? 1 : 0)',
  erf: 'H.erf(a)',
  floor: 'Math.floor(a)',
  ceil: 'Math.ceil(a)',
  round: 'H.roundHalfEven(a)',
  isNaN: '(a !== a ? 1 : 0)',
  isFinite: '(Number.isFinite(a) ? 1 : 0)',
  isInf: '(a === Infinity || a === -Infinity ? 1 : 0)',
  logicalNot: '(a === 0 ? 1 : 0)',
  identity: 'a',
} as const;

export const BINARY_EXPRESSIONS = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'Math.pow(a, b)',
  maximum: '(a > b || a !== a ? a : b)',
  minimum: '(a < b || a !== a ? a : b)',
  mod: 'H.floorMod(a, b)',
  floorDiv: 'Math.floor(a / b)',
  atan2: 'Math.atan2(a, b)',
  equal: '(a === b ? 1 : 0)',
  notEqual: '(a !== b ? 1 : 0)',
  less: '(a < b ? 1 : 0)',
  lessEqual: '(a <= b ? 1 : 0)',
  greater: '(a > b ? 1 : 0)',
  greaterEqual: '(a >= b ? 1 : 0)',
  reluBackprop: '(b > 0 ? a : 0)',
  logicalAnd: '(a !== 0 && b !== 0 ? 1 : 0)',
  logicalOr: '(a !== 0 || b !== 0 ? 1 : 0)',
  logicalXor: '((a !== 0) !== (b !== 0) ? 1 : 0)',
} as const;

export type UnaryKind = keyof typeof UNARY_EXPRESSIONS;
export type BinaryKind = keyof typeof BINARY_EXPRESSIONS;
