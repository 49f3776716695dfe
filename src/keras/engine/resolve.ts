/**
 * The one place where layers resolve identifiers through the Keras modules (initializers,
 * regularizers, activations): `'glorotUniform'`, `'l2'`, `'relu'`, objects and functions.
 */
import * as optimizers from '../../optimizers/keras/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as activations from '../activations.js';
import * as initializers from '../initializers.js';
import * as regularizers from '../regularizers.js';

export type InitializerLike = Parameters<typeof initializers.get>[0];
export type RegularizerLike = Parameters<typeof regularizers.get>[0];
export type ActivationLike = Parameters<typeof activations.get>[0];

export type Initializer = ReturnType<typeof initializers.get>;
export type Regularizer = NonNullable<ReturnType<typeof regularizers.get>>;
export type Activation = (x: Tensor) => Tensor;

export function resolveInitializer(id: InitializerLike): Initializer {
  return initializers.get(id);
}

export function resolveRegularizer(id: RegularizerLike | null | undefined): Regularizer | null {
  if (id === null || id === undefined) return null;
  return regularizers.get(id) ?? null;
}

export function resolveActivation(id: ActivationLike | null | undefined): Activation {
  return activations.get(id ?? 'linear') as Activation;
}

/** The name an activation serializes to ('relu', 'linear', or a custom function's name). */
export function activationName(fn: Activation): string {
  return activations.serialize(fn) as string;
}

export { activations, initializers, regularizers };

export type Optimizer = optimizers.Optimizer;
export type OptimizerLike = optimizers.Optimizer | string;

const OPTIMIZERS: Record<string, new () => optimizers.Optimizer> = {
  sgd: optimizers.SGD,
  rmsprop: optimizers.RMSprop,
  adam: optimizers.Adam,
  adamw: optimizers.AdamW,
  adagrad: optimizers.Adagrad,
  adadelta: optimizers.Adadelta,
  adamax: optimizers.Adamax,
  nadam: optimizers.Nadam,
  lion: optimizers.Lion,
};

/** An optimizer object, or a name ('adam', 'SGD', 'rmsprop', ...) for one with Keras's defaults. */
export function resolveOptimizer(id: OptimizerLike): Optimizer {
  if (id instanceof optimizers.Optimizer) return id;
  if (typeof id === 'string') {
    const cls = OPTIMIZERS[id.toLowerCase()];
    if (!cls) {
      throw new RangeError(
        `compile: unknown optimizer '${id}' (known: ${Object.keys(OPTIMIZERS).join(', ')}, or pass an optimizer object)`,
      );
    }
    return new cls();
  }
  throw new TypeError(`compile: optimizer must be an optimizer object or a name, got ${String(id)}`);
}
