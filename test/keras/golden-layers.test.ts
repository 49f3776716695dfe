/**
 * Dense, Conv2D, LSTM, GRU and BatchNormalization against PyTorch golden values
 * (test/fixtures/golden-layers.json, made by test/fixtures/make-golden-layers.py with Debian's
 * python3-torch in float64): the layer gets the case's weights with setWeights, then its outputs and
 * the GradientTape gradients of sum_k sum(outputs[k] * probes[k]) with respect to the input and the
 * trainable weights must equal PyTorch's to 1e-9. BatchNormalization in training mode also checks the
 * moving statistics after the step (Keras's convention: the biased batch variance).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as tf from '../../src/index.js';

interface Encoded {
  shape: number[];
  data: number[];
}

interface GoldenCase {
  name: string;
  layer: 'Dense' | 'Conv2D' | 'LSTM' | 'GRU' | 'BatchNormalization';
  options: Record<string, unknown>;
  source: string;
  input: Encoded;
  weights: Encoded[];
  outputs: Encoded[];
  probes: Encoded[];
  gradInput: Encoded;
  gradWeights: Encoded[];
  training?: boolean;
  expectedWeights?: Encoded[];
  torchRunningVar?: Encoded;
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-layers.json', import.meta.url), 'utf8'),
) as { cases: GoldenCase[] };

const TOL = 1e-9;

function tensor(e: Encoded): tf.Tensor {
  return tf.tensor(Float64Array.from(e.data), { shape: e.shape, dtype: 'float64' });
}

/** The largest |actual - expected| / max(1, |expected|), after checking the shapes. */
function maxError(what: string, actual: tf.Tensor | null | undefined, expected: Encoded): number {
  expect(actual, `${what}: no value (null gradient)`).toBeTruthy();
  expect(actual!.shape, `${what}: shape`).toEqual(expected.shape);
  expect(actual!.dtype, `${what}: dtype`).toBe('float64');
  const a = actual!.dataSync();
  let worst = 0;
  expected.data.forEach((e, i) => {
    const err = Math.abs(a[i]! - e) / Math.max(1, Math.abs(e));
    worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : Math.max(worst, err);
  });
  return worst;
}

function makeLayer(c: GoldenCase) {
  const L = tf.keras.layers;
  const args = { ...c.options, dtype: 'float64' as const };
  switch (c.layer) {
    case 'Dense':
      return new L.Dense(args as ConstructorParameters<typeof L.Dense>[0]);
    case 'Conv2D':
      return new L.Conv2D(args as ConstructorParameters<typeof L.Conv2D>[0]);
    case 'LSTM':
      return new L.LSTM(args as ConstructorParameters<typeof L.LSTM>[0]);
    case 'GRU':
      return new L.GRU(args as ConstructorParameters<typeof L.GRU>[0]);
    case 'BatchNormalization':
      return new L.BatchNormalization(args);
  }
}

describe('layers match PyTorch golden values (float64, to 1e-9)', () => {
  it('the fixture has every layer the proof names', () => {
    const layers = new Set(golden.cases.map((c) => c.layer));
    expect([...layers].sort()).toEqual(['BatchNormalization', 'Conv2D', 'Dense', 'GRU', 'LSTM']);
  });

  for (const c of golden.cases) {
    it(`${c.name} (${c.source})`, () => {
      const layer = makeLayer(c);
      const x = tensor(c.input);
      layer.apply(x, { training: false }); // builds the layer (inference: no moving-average update)
      layer.setWeights(c.weights.map(tensor));

      const tape = new tf.GradientTape();
      tape.watch([x]);
      let outputs: tf.Tensor[] = [];
      const loss = tape.record(() => {
        outputs = layer.applyAll(x, { training: c.training ?? false });
        return outputs.map((o, k) => tf.sum(tf.mul(o, tensor(c.probes[k]!)))).reduce((a, b) => tf.add(a, b));
      });
      const weights = layer.trainableWeights;
      expect(weights).toHaveLength(c.gradWeights.length);
      const grads = tape.gradient(loss, [x, ...weights]);

      const errors: Record<string, number> = {};
      expect(outputs).toHaveLength(c.outputs.length);
      c.outputs.forEach((o, k) => {
        errors[`output ${k}`] = maxError(`output ${k}`, outputs[k], o);
      });
      errors['d/d input'] = maxError('d/d input', grads[0], c.gradInput);
      c.gradWeights.forEach((g, i) => {
        const name = weights[i]!.name;
        errors[`d/d ${name}`] = maxError(`d/d ${name}`, grads[i + 1], g);
      });
      if (c.expectedWeights) {
        const after = layer.getWeights();
        c.expectedWeights.forEach((w, i) => {
          errors[`weight ${i} after the step`] = maxError(`weight ${i} after the step`, after[i], w);
        });
      }
      if (c.training && c.torchRunningVar) {
        // PyTorch's running_var uses the unbiased (n - 1) batch variance; Keras (and tapeflow) the biased
        // one, so the moving variance must differ from torch's (by (1 - momentum) * var / (n - 1)).
        expect(maxError('torch running_var', layer.getWeights()[3], c.torchRunningVar)).toBeGreaterThan(1e-6);
      }
      const bad = Object.entries(errors).filter(([, err]) => !(err <= TOL));
      expect(Object.fromEntries(bad), `errors above ${TOL} (relative to max(1, |torch|))`).toEqual({});
    });
  }
});
