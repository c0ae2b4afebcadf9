import * as tf from '@tensorflow/tfjs';
import { ConfigError, type ModelForm, type Params } from '@weightspace/core';
import { circuitNamesBeside, circuitsOf } from '../attention-circuits';
import type { TransformerBlockNames } from '../transformer-block';
import { blockIndices, type TransformerShape } from './transformer-shape';

/** A model's block names in the form its config is in: attention by circuits in the circuit form. */
export function blockNamesIn(
  config: TransformerShape,
  blockNames: (i: number) => TransformerBlockNames,
): (i: number) => TransformerBlockNames {
  return config.circuits ? (i) => inCircuits(blockNames(i)) : blockNames;
}

/** Block names with the attention's projections replaced by circuits named beside them. */
function inCircuits(names: TransformerBlockNames): TransformerBlockNames {
  const { attention } = names;
  if (attention.layout === 'circuits') return names;
  const first = attention.layout === 'fused' ? attention.qkv : attention.q;
  return { ...names, attention: circuitNamesBeside(first, attention.out) };
}

/**
 * The circuit form of a transformer (Theus et al. 2025 rewrite each head this way before learned
 * matching): the canonical form, then every attention layer written as its circuits (see
 * `circuitsOf`), which computes the same function. Interpolating two models in this form mixes
 * their circuits linearly, where the canonical form mixes the factors of each circuit. A model
 * already in this form is copied.
 */
export function circuitForm<C extends TransformerShape>(
  canonicalize: (config: C, params: Params) => { config: C; params: Params },
  blockNames: (i: number) => TransformerBlockNames,
): ModelForm<C> {
  return {
    name: 'circuits',
    description: 'canonical form with each attention head written as its query–key and value–output circuits',
    holds: (config) => config.circuits === true,
    apply(config, params) {
      const canonical = canonicalize(config, params);
      if (config.circuits) return canonical;
      const p = canonical.params;
      const out = { ...p };
      for (const i of blockIndices(config)) {
        const names = blockNames(i).attention;
        if (names.layout !== 'fused')
          throw new ConfigError(`block ${i}: circuits are written from a fused q/k/v projection`);
        const [q, k, v] = tf.split(p[`${names.qkv}.weight`], 3, 0);
        const [qBias, , vBias] = p[`${names.qkv}.bias`] ? tf.split(p[`${names.qkv}.bias`], 3, 0) : [];
        const circuits = circuitsOf(
          { q, k, v, out: p[`${names.out}.weight`], qBias, vBias, outBias: p[`${names.out}.bias`] },
          circuitNamesBeside(names.qkv, names.out),
          config.heads,
        );
        [q, k, v, qBias, vBias].forEach((t) => t?.dispose());
        for (const name of [`${names.qkv}.weight`, `${names.qkv}.bias`, `${names.out}.weight`, `${names.out}.bias`]) {
          out[name]?.dispose();
          delete out[name];
        }
        Object.assign(out, circuits);
      }
      return { config: { ...canonical.config, circuits: true }, params: out };
    },
  };
}
