/**
 * Keras's automatic names: a class name in snake_case (`Conv2DTranspose` -> `conv2d_transpose`), made
 * unique by a per-prefix counter (`dense`, `dense_1`, ...). `clearSession` restarts the counters.
 */

const counters = new Map<string, number>();

/** `MultiHeadAttention` -> `multi_head_attention`, `SimpleRNN` -> `simple_rnn`, `Conv2D` -> `conv2d`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** The next free name for a prefix: the prefix itself the first time, then `prefix_1`, `prefix_2`... */
export function uniqueName(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Restarts automatic naming (Keras's `tf.keras.backend.clear_session()`). */
export function clearSession(): void {
  counters.clear();
}

/** Keras 2's numbered names for inputs: `input_1`, `input_2`, ... */
export function numberedName(prefix: string): string {
  const n = (counters.get(`#${prefix}`) ?? 0) + 1;
  counters.set(`#${prefix}`, n);
  return `${prefix}_${n}`;
}
