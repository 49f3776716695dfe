import type { TypedArray } from '../dtype.js';
export function matmulInto(
  a: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  b: TypedArray,
  bo: number,
  brs: number,
  bcs: number,
  out: TypedArray,
  oo: number,
  M: number,
  N: number,
  K: number,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ao + i * ars + k * acs]! * b[bo + k * brs + j * bcs]!;
      out[oo + i * N + j] = s;
    }
}
