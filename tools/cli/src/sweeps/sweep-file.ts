import { ConfigError, validateAgainst } from '@weightspace/core';
import { readJsonFile } from '../json-file';

/**
 * A study as data: one base cell (architecture, config, dataset, training, the seed pairs, the
 * matching methods, corrections and metrics of each pair) and the cells around it, as a grid over
 * dotted fields of the cell (`"config.hidden": [[64], [128]]`, `"train.epochs": [1, 5]`: every
 * combination) or an explicit list of overrides (`cells`), or both (each listed cell crossed with
 * the grid). `weightspace sweep FILE` expands it into jobs (see `expandSweep`).
 */
export interface SweepFile {
  name: string;
  /** The cell every other one starts from (checked as each cell is, against `sweepCellSchema`). */
  base: Record<string, unknown>;
  grid?: Record<string, unknown[]>;
  cells?: Array<Record<string, unknown>>;
  /**
   * Further sections of the study, for cells that no one grid spans (another architecture beside
   * the first): each expands like the file (its `grid` crossed with its `cells`) from the file's
   * base with the section's `base` fields replacing those of the same name, and its cells follow
   * the file's own.
   */
  parts?: SweepSection[];
}

/** A section of a sweep file (see `SweepFile.parts`). */
export interface SweepSection {
  base?: Record<string, unknown>;
  grid?: Record<string, unknown[]>;
  cells?: Array<Record<string, unknown>>;
}

/** One cell of a sweep: what is trained, and what is measured on each pair of its models. */
export interface SweepCell {
  arch: string;
  /** The architecture's config (validated by the architecture's schema when the jobs run). */
  config: Record<string, unknown>;
  dataset: string;
  train: {
    epochs: number;
    batchSize: number;
    learningRate: number;
    trainLimit?: number;
    optimizer?: 'adam' | 'adamw' | 'sgd';
    momentum?: number;
    weightDecay?: number;
  };
  /** Seed pairs [A, B]: one model per seed, shared by every pair and cell that trains it alike. */
  pairs: Array<[number, number]>;
  /**
   * Spawning (Frankle et al.'s and Zhou et al.'s spawned pairs): every model of the cell starts from
   * one parent, trained `epochs` from `seed` with the cell's settings, and trains `train.epochs`
   * more with its own seed (its data order). With `config` (fields of the parent's config where it
   * differs, null removing one: one expert where the children have four), each child starts from its own seed and
   * takes the parent's tensors wherever name and shape agree (`train --warm-start`: a pretrained
   * trunk, new layers from different seeds, as Tran et al. fine-tune MoEs).
   */
  spawn?: { seed: number; epochs: number; config?: Record<string, unknown> };
  /**
   * Seeds whose path from initialisation to the trained model is measured with `metrics`
   * (monotonic linear interpolation, Lucas et al. 2021): A is the seed's model before training
   * (`train --epochs 0`), B the model trained from it, interpolated as they are.
   */
  initPaths?: number[];
  /**
   * Seeds trained on their own, beside those of pairs and merges; with `robustness`, each one's
   * robustness is measured (base models at another training budget, say, to compare merges with at
   * matched clean accuracy).
   */
  models?: number[];
  /** Sets of seeds merged into one model each, by each method (Git Re-Basin's MergeMany, …). */
  merges?: { sets: number[][]; methods: Array<'average' | 'mergemany' | 'hierarchical'>; matcher?: string };
  /** Robustness of every merged model and every model merged (`weightspace robustness`). */
  robustness?: { eps?: number[]; noise?: number[]; pgdSteps?: number; attackLimit?: number };
  /** How B is brought to A before interpolation: `none` (as trained) or a matcher id. */
  methods: string[];
  /**
   * How the matchers run (`weightspace align`): the data-driven matchers' samples, steps and batch
   * size; the form the pair is matched and interpolated in (`original`, `canonical`, or a further
   * form such as the transformers' `circuits`); orthogonal groups solved by Procrustes or by
   * permutations only; and `arch`, matching under another architecture's symmetry (the checkpoints
   * read as that architecture: what weight matching finds on a variant with reduced symmetry), whose
   * alignment is then the result (`metrics` must be empty).
   */
  align?: {
    samples?: number;
    steps?: number;
    /** The learned matchers' learning rate (`align --lr`). */
    learningRate?: number;
    batchSize?: number;
    form?: string;
    orthogonalAs?: 'procrustes' | 'permutation';
    /** Weight matching's sweeps at most (`align --max-iterations`), in each round of a plan. */
    maxIterations?: number;
    arch?: string;
    /** Settings of the plan's matchers (`align --matcher-option`), e.g. `{ "expertCost": "gram" }`. */
    matcherOptions?: Record<string, string>;
    /** The barrier of every expert order (`align --brute-force`) on `testLimit` test samples, `points` per curve. */
    bruteForce?: { points: number; testLimit?: number };
  };
  /**
   * B's config fields where they differ from A's (`config`): a pair of two widths, B embedded into
   * A's width before it is matched. B models are then trained with these fields.
   */
  configB?: Record<string, unknown>;
  /** Corrections of the interpolated models: `plain`, `bn-reset` (BatchNorm statistics), `repair`. */
  corrections: string[];
  /**
   * What is measured on each aligned pair: `barrier` (the loss and accuracy curve, under each
   * correction), `llfc` (layerwise feature connectivity), `lewc` (calibrated barriers, LEWC),
   * `train-barrier` (the loss and accuracy curve on training samples, `trainBarrierSamples` of
   * them); none when the alignments themselves are the result.
   */
  metrics: Array<'barrier' | 'llfc' | 'lewc' | 'train-barrier'>;
  points: number;
  testLimit?: number;
  /**
   * The first training samples the `train-barrier` metric evaluates: by default the samples the
   * models were trained on (`train.trainLimit`), else the whole training split.
   */
  trainBarrierSamples?: number;
  /**
   * Training samples for statistics: the corrections' (`interpolate --stat-samples`) and LEWC's
   * temperature calibration (`lewc --calibration-limit`).
   */
  statSamples?: number;
}

const trainSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['epochs', 'batchSize', 'learningRate'],
  properties: {
    epochs: { type: 'integer', minimum: 1, maximum: 10000 },
    batchSize: { type: 'integer', minimum: 1 },
    learningRate: { type: 'number', exclusiveMinimum: 0 },
    trainLimit: { type: 'integer', minimum: 1 },
    optimizer: { enum: ['adam', 'adamw', 'sgd'] },
    momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
    weightDecay: { type: 'number', minimum: 0 },
  },
} as const;

/** JSON Schema of one cell, with the defaults it fills in. */
export const sweepCellSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['arch', 'config', 'dataset', 'train'],
  properties: {
    arch: { type: 'string', minLength: 1 },
    config: { type: 'object' },
    dataset: { type: 'string', minLength: 1 },
    train: trainSchema,
    pairs: {
      type: 'array',
      default: [],
      items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
    },
    methods: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1, default: ['none', 'weight'] },
    corrections: {
      type: 'array',
      items: { enum: ['plain', 'bn-reset', 'repair'] },
      minItems: 1,
      default: ['plain'],
    },
    metrics: {
      type: 'array',
      items: { enum: ['barrier', 'llfc', 'lewc', 'train-barrier'] },
      uniqueItems: true,
      default: ['barrier'],
    },
    configB: { type: 'object', minProperties: 1 },
    spawn: {
      type: 'object',
      additionalProperties: false,
      required: ['seed', 'epochs'],
      properties: {
        seed: { type: 'integer', minimum: 0 },
        epochs: { type: 'integer', minimum: 1 },
        config: { type: 'object', minProperties: 1 },
      },
    },
    models: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, uniqueItems: true },
    initPaths: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, uniqueItems: true },
    merges: {
      type: 'object',
      additionalProperties: false,
      required: ['sets', 'methods'],
      properties: {
        sets: {
          type: 'array',
          minItems: 1,
          items: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, uniqueItems: true },
        },
        methods: {
          type: 'array',
          minItems: 1,
          uniqueItems: true,
          items: { enum: ['average', 'mergemany', 'hierarchical'] },
        },
        matcher: { type: 'string', minLength: 1 },
      },
    },
    robustness: {
      type: 'object',
      additionalProperties: false,
      properties: {
        eps: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
        noise: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
        pgdSteps: { type: 'integer', minimum: 1 },
        attackLimit: { type: 'integer', minimum: 1 },
      },
    },
    align: {
      type: 'object',
      additionalProperties: false,
      properties: {
        samples: { type: 'integer', minimum: 1 },
        steps: { type: 'integer', minimum: 1 },
        learningRate: { type: 'number', exclusiveMinimum: 0 },
        batchSize: { type: 'integer', minimum: 1 },
        form: { type: 'string', minLength: 1 },
        orthogonalAs: { enum: ['procrustes', 'permutation'] },
        maxIterations: { type: 'integer', minimum: 1 },
        arch: { type: 'string', minLength: 1 },
        matcherOptions: { type: 'object', additionalProperties: { type: 'string', pattern: '^[^,=]+$' } },
        bruteForce: {
          type: 'object',
          additionalProperties: false,
          required: ['points'],
          properties: { points: { type: 'integer', minimum: 2 }, testLimit: { type: 'integer', minimum: 1 } },
        },
      },
    },
    points: { type: 'integer', minimum: 2, maximum: 1001, default: 25 },
    testLimit: { type: 'integer', minimum: 1 },
    trainBarrierSamples: { type: 'integer', minimum: 1 },
    statSamples: { type: 'integer', minimum: 1 },
  },
} as const;

const gridSchema = {
  type: 'object',
  additionalProperties: { type: 'array', minItems: 1 },
  propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z0-9]+)*$' },
} as const;
const cellsSchema = { type: 'array', minItems: 1, items: { type: 'object' } } as const;

/** JSON Schema of a sweep file (`weightspace sweep FILE`). */
export const sweepFileSchema = {
  $id: 'weightspace/sweep',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'base'],
  properties: {
    name: { type: 'string', minLength: 1 },
    base: { type: 'object' },
    grid: gridSchema,
    cells: cellsSchema,
    parts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        properties: { base: { type: 'object' }, grid: gridSchema, cells: cellsSchema },
      },
    },
  },
} as const;

/**
 * A sweep file's contents checked against `sweepFileSchema`, and every cell it expands to against
 * `sweepCellSchema` (defaults filled in): a ConfigError naming `source`, the cell and the field.
 */
export function parseSweepFile(value: unknown, source: string): { sweep: SweepFile; cells: SweepCell[] } {
  const sweep = validateAgainst<SweepFile>(sweepFileSchema, value, source);
  const cells = expandCells(sweep).map(({ cell, fields }, k) => {
    const where = `${source}, cell ${k} (${describeFields(fields)})`;
    const valid = validateAgainst<SweepCell>(sweepCellSchema, cell, where);
    if (!valid.pairs.length && !valid.merges && !valid.models && !valid.initPaths)
      throw new ConfigError(`${where}: give pairs to compare, merges to make, models to train or initPaths to measure`);
    // A spawned model starts from its parent, not from its seed's initialisation.
    if (valid.initPaths && valid.spawn)
      throw new ConfigError(
        `${where}: initPaths start at a seed's own initialisation; a spawned cell's models start from their parent`,
      );
    // Under another architecture's symmetry, B aligned is that architecture's model, not the cell's.
    if (valid.align?.arch && valid.metrics.length)
      throw new ConfigError(
        `${where}: align.arch matches under ${valid.align.arch}'s symmetry, so the alignment is the result: give "metrics": []`,
      );
    return valid;
  });
  return { sweep, cells };
}

/**
 * A sweep file read from disk and parsed as `parseSweepFile` does, with its contents as read
 * (`raw`, kept as the setting of a run): ConfigErrors name the file.
 */
export function readSweepFile(file: string): { raw: unknown; sweep: SweepFile; cells: SweepCell[] } {
  const raw = readJsonFile(file);
  return { raw, ...parseSweepFile(raw, file) };
}

/** Every cell of a sweep before validation: base ⊕ listed cell ⊕ one grid combination. */
export function cellsOf(sweep: SweepFile): Array<Record<string, unknown>> {
  return expandCells(sweep).map(({ cell }) => cell);
}

/** Each cell with the dotted fields (listed overrides and grid values, and its part's) that made it. */
function expandCells(sweep: SweepFile): Array<{ cell: Record<string, unknown>; fields: Record<string, unknown> }> {
  const parts = (sweep.parts ?? []).map((part, k) => ({
    base: { ...sweep.base, ...part.base },
    grid: part.grid,
    cells: part.cells,
    label: { part: k + 1 },
  }));
  return [{ ...sweep, label: {} }, ...parts].flatMap((section) => {
    const listed = section.cells ?? [{}];
    const combinations = gridCombinations(section.grid ?? {});
    return listed.flatMap((overrides) =>
      combinations.map((combination) => {
        const fields = { ...overrides, ...combination };
        let cell = structuredClone(section.base);
        for (const [path, value] of Object.entries(fields)) cell = withPath(cell, path, value);
        return { cell, fields: { ...section.label, ...fields } };
      }),
    );
  });
}

/** The grid's combinations, one record of dotted path → value each, the first field varying slowest. */
function gridCombinations(grid: Record<string, unknown[]>): Array<Record<string, unknown>> {
  return Object.entries(grid).reduce<Array<Record<string, unknown>>>(
    (combinations, [path, values]) => combinations.flatMap((c) => values.map((v) => ({ ...c, [path]: v }))),
    [{}],
  );
}

/** `object` with the dotted `path` set to `value` (objects on the way created, the rest copied). */
function withPath(object: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...object, [head]: structuredClone(value) };
  const inner = object[head];
  const child =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...object, [head]: withPath(child, rest.join('.'), value) };
}

/** A cell's grid values and listed overrides as `path=value, …` (`base` for none), for messages. */
function describeFields(fields: Record<string, unknown>): string {
  const text = Object.entries(fields).map(([path, value]) => `${path}=${JSON.stringify(value)}`);
  return text.length ? text.join(', ') : 'base';
}
