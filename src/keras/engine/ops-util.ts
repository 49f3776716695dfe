import { add } from '../../ops/binary.js';
import { zeros } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The sum of a list of tensors (a float32 zero for an empty list). */
export function addN(terms: readonly Tensor[]): Tensor {
  if (terms.length === 0) return zeros([]);
  let total = terms[0]!;
  for (let i = 1; i < terms.length; i++) total = add(total, terms[i]!);
  return total;
}
