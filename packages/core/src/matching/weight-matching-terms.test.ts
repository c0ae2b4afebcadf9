import * as tf from '@tensorflow/tfjs';
import { cpuBackend } from '../backend/backend-provider';
import { disposeParams, type Params } from '../params/params';
import { Rng } from '../random/rng';
import { maxAbsDiff } from '../symmetry/dense-matrix';
import type { MatrixValue } from '../symmetry/element';
import type { SymmetrySpec } from '../symmetry/spec';
import { weightMatching } from './weight-matching';

beforeAll(() => cpuBackend.activate());

/** A residual stream of 6 read by three parameters of 4, 200 and 3 rows (embedding, large matrix, readout). */
const stream = { group: 'stream', as: 'g' as const };
const spec: SymmetrySpec = {
  groups: { stream: { kind: 'orthogonal', size: 6 } },
  axes: { embedding: [null, [stream]], large: [null, [stream]], readout: [null, [stream]] },
};
const rows = { embedding: 4, large: 200, readout: 3 };

function model(rng: Rng, scale = (_: string) => 1): Params {
  return Object.fromEntries(
    Object.entries(rows).map(([name, n]) => [
      name,
      tf.tensor2d(
        rng
          .fork(name)
          .normalArray(n * 6)
          .map((x) => x * scale(name)),
        [n, 6],
      ),
    ]),
  );
}

const streamOf = (params: Params[], terms?: string) =>
  (
    weightMatching(spec, params[0], params[1], { seed: 0, options: terms ? { terms } : undefined }).element
      .stream as MatrixValue
  ).matrix;

describe("weight matching's terms option", () => {
  it('per-entry weighs each parameter as plain weight matching does the parameter divided by √(its entries per unit)', () => {
    const pair = ['a', 'b'].map((label) => model(new Rng(5).fork(label)));
    // Every parameter here has one entry per row along the stream: entries per unit = rows.
    const scaled = ['a', 'b'].map((label) =>
      model(new Rng(5).fork(label), (name) => 1 / Math.sqrt(rows[name as keyof typeof rows])),
    );
    const perEntry = streamOf(pair, 'per-entry');
    expect(maxAbsDiff(perEntry, streamOf(scaled))).toBeLessThan(1e-5);
    // Not the default's answer: the large matrix no longer outweighs the other two.
    expect(maxAbsDiff(perEntry, streamOf(pair))).toBeGreaterThan(1e-2);
    expect(maxAbsDiff(streamOf(pair, 'sum'), streamOf(pair))).toBe(0);
    [...pair, ...scaled].forEach(disposeParams);
  });
});
