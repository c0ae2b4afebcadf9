import { type ResultKind, SCHEMA_VERSION } from './result-files';

/**
 * JSON Schemas (draft-07, as ajv reads them) of every JSON file the CLI writes. Each requires
 * the header (`schema`, `schemaVersion`) and the fields a reader relies on; numbers that can be
 * undefined in a degenerate run (a loss on no samples) may be null. Fields may be added within
 * a version, so objects allow more properties than they list.
 */
const number = { type: 'number' } as const;
const numberOrNull = { type: ['number', 'null'] } as const;
const string = { type: 'string' } as const;
const integer = { type: 'integer', minimum: 0 } as const;
/** A map from a parameter value written as text ("0.5") to a number or an object. */
const byValue = (values: object) => ({ type: 'object', additionalProperties: values });
const meanStd = { type: 'object', required: ['mean', 'std'], properties: { mean: number, std: number } };

/** The schema of a kind of file: the header (which file it is, the version) and then `body`'s fields. */
function resultSchema(
  kind: ResultKind,
  body: { required: readonly string[]; properties: object; oneOf?: object[] },
): object {
  return {
    $id: `weightspace/${kind}`,
    type: 'object',
    required: ['schema', 'schemaVersion', ...body.required],
    ...(body.oneOf ? { oneOf: body.oneOf } : {}),
    properties: {
      schema: { const: `weightspace/${kind}` },
      schemaVersion: { const: SCHEMA_VERSION },
      ...body.properties,
    },
  };
}

const evaluation = {
  type: 'object',
  required: ['loss', 'accuracy'],
  properties: { loss: numberOrNull, accuracy: numberOrNull },
};

const barriers = {
  type: 'object',
  required: ['loss', 'accuracy', 'midpointLoss', 'midpointAccuracy'],
  properties: {
    loss: numberOrNull,
    accuracy: numberOrNull,
    midpointLoss: numberOrNull,
    midpointAccuracy: numberOrNull,
    calibratedLoss: numberOrNull,
    midpointCalibratedLoss: numberOrNull,
  },
};

/** A barrier curve: the points from t = 0 to 1 and their barriers. */
const curve = {
  type: 'object',
  required: ['points', 'barriers'],
  properties: {
    points: {
      type: 'array',
      minItems: 2,
      items: {
        type: 'object',
        required: ['t', 'loss', 'accuracy'],
        properties: {
          t: { type: 'number', minimum: 0, maximum: 1 },
          loss: numberOrNull,
          accuracy: numberOrNull,
          beta: number,
          calibratedLoss: numberOrNull,
        },
      },
    },
    barriers,
  },
};

const alignment = {
  type: 'object',
  required: ['method', 'arch', 'plan', 'groups', 'objectiveBefore', 'objectiveAfter', 'iterations', 'seconds', 'seed'],
  properties: {
    method: string,
    arch: string,
    /** Which matcher handled each group. */
    plan: { type: 'object', additionalProperties: string },
    /** Per group, the element mapping B onto A (a permutation: unit i of aligned B is unit perm[i] of B). */
    groups: { type: 'object' },
    objectiveBefore: number,
    objectiveAfter: number,
    iterations: integer,
    seconds: number,
    seed: integer,
  },
};

const pairFields = { arch: string, a: string, b: string, dataset: string };

/** The JSON Schema of every kind of JSON file the CLI writes, keyed by kind. */
export const resultSchemas: Record<ResultKind, object> = {
  alignment: resultSchema('alignment', alignment),
  curve: resultSchema('curve', {
    // A curve on the test split records testSamples; one on the training split (`--split train`)
    // records split: 'train' and trainSamples instead.
    required: ['arch', 'a', 'b', 'dataset', 'correction', 'endpoints', 'points', 'barriers'],
    oneOf: [{ required: ['testSamples'], not: { required: ['split'] } }, { required: ['split', 'trainSamples'] }],
    properties: {
      ...pairFields,
      testSamples: integer,
      split: { const: 'train' },
      trainSamples: integer,
      correction: { enum: ['plain', 'bn-reset', 'repair'] },
      endpoints: { type: 'object', required: ['a', 'b'], properties: { a: evaluation, b: evaluation } },
      ...curve.properties,
    },
  }),
  llfc: resultSchema('llfc', {
    required: ['arch', 'a', 'b', 'dataset', 'alphas', 'samples', 'layers', 'commutativity'],
    properties: {
      ...pairFields,
      alphas: { type: 'array', items: number },
      samples: integer,
      layers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['tap', 'baseline', 'dis', 'scale'],
          properties: { tap: string, baseline: meanStd, dis: byValue(meanStd), scale: byValue(numberOrNull) },
        },
      },
      weakAdditivity: { type: 'array', items: { type: 'object', required: ['activation', 'alphas'] } },
      commutativity: {
        type: 'array',
        items: {
          type: 'object',
          required: ['weight', 'distCom', 'distW', 'distH'],
          properties: { weight: string, distCom: number, distW: number, distH: number },
        },
      },
    },
  }),
  lewc: resultSchema('lewc', {
    required: ['arch', 'a', 'b', 'dataset', 'calibrationSamples', 'curve', 'lambdas', 'layers', 'orthogonality'],
    properties: {
      ...pairFields,
      calibrationSamples: integer,
      curve,
      lambdas: { type: 'array', items: number },
      samples: integer,
      layers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['tap', 'depth', 'cosine'],
          properties: { tap: string, depth: integer, cosine: byValue(meanStd) },
        },
      },
      orthogonality: {
        type: 'array',
        items: {
          type: 'object',
          required: ['weight', 'ratioBonA', 'ratioAonB'],
          properties: { weight: string, ratioBonA: numberOrNull, ratioAonB: numberOrNull },
        },
      },
    },
  }),
  robustness: resultSchema('robustness', {
    required: [
      'model',
      'dataset',
      'options',
      'clean',
      'fgsm',
      'pgd',
      'noise',
      'attackedSamples',
      'weightL2',
      'lipschitzUpperBound',
    ],
    properties: {
      model: string,
      dataset: string,
      options: { type: 'object', required: ['epsilons', 'noiseStds', 'pgdSteps', 'seed'] },
      clean: { ...evaluation, required: ['loss', 'accuracy', 'samples'] },
      fgsm: byValue(number),
      pgd: byValue(number),
      noise: byValue(number),
      attackedSamples: integer,
      weightL2: number,
      lipschitzUpperBound: number,
    },
  }),
  merge: resultSchema('merge', {
    required: ['method', 'matcher', 'arch', 'inputs', 'rounds', 'seconds', 'seed', 'bnReset'],
    properties: {
      method: { enum: ['average', 'mergemany', 'hierarchical'] },
      matcher: { type: ['string', 'null'] },
      arch: string,
      inputs: { type: 'array', minItems: 2, items: string },
      rounds: integer,
      seconds: number,
      seed: integer,
      bnReset: {
        oneOf: [
          { type: 'null' },
          { type: 'object', required: ['dataset', 'samples'], properties: { dataset: string, samples: integer } },
        ],
      },
    },
  }),
  report: resultSchema('report', {
    required: [
      'name',
      'arch',
      'config',
      'dataset',
      'backend',
      'seeds',
      'train',
      'endpoints',
      'alignment',
      'curves',
      'seconds',
      'peakRssMb',
    ],
    properties: {
      name: string,
      arch: string,
      config: { type: 'object' },
      dataset: {
        type: 'object',
        required: ['id', 'train', 'test'],
        properties: { id: string, train: integer, test: integer },
      },
      backend: string,
      seeds: { type: 'array', items: integer, minItems: 2, maxItems: 2 },
      train: { type: 'object', required: ['seconds', 'epochLosses', 'reused'] },
      endpoints: {
        type: 'array',
        items: {
          type: 'object',
          required: ['model', 'testLoss', 'testAccuracy'],
          properties: { model: string, testLoss: number, testAccuracy: number },
        },
      },
      alignment,
      curves: { type: 'object', required: ['naive', 'aligned'], properties: { naive: curve, aligned: curve } },
      seconds: { type: 'object', required: ['total', 'evaluation'] },
      peakRssMb: number,
    },
  }),
  reproduction: resultSchema('reproduction', {
    required: ['reproduction'],
    properties: {
      /** Which reproduction wrote the file (its project under reproductions/: git-rebasin, lim-2024, …). */
      reproduction: string,
    },
  }),
};
