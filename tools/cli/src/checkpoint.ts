import {
  type AnyArchitecture,
  assertSameStructure,
  CheckpointError,
  disposeParams,
  embedModelInWider,
  validateAgainst,
  loadParams,
  type Params,
  type Registry,
  saveParams,
  shapesOf,
  validateSpec,
  widestConfig,
  WeightspaceError,
} from '@weightspace/core';

import { asSaved, type CheckpointNames, mapTensorNames } from './checkpoint-names';
import { UsageError } from './usage-error';

/** safetensors metadata keys that weightspace writes beside the tensors. */
export const META_ARCH = 'weightspace.arch';
export const META_CONFIG = 'weightspace.config';
export const META_PROVENANCE = 'weightspace.provenance';

/** A checkpoint read as a model: its file, architecture plugin, config, parameters and metadata. */
export interface LoadedModel {
  file: string;
  plugin: AnyArchitecture;
  config: unknown;
  params: Params;
  metadata: Record<string, string>;
  /** The config the checkpoint was read in, when it was embedded into a wider one (see `inOneForm`). */
  embeddedFrom?: unknown;
}

/**
 * Saves parameters as safetensors with the architecture, config and provenance in the metadata, so
 * `loadModel` can read them back without --arch.
 */
export function saveModel(
  file: string,
  plugin: AnyArchitecture,
  config: unknown,
  params: Params,
  provenance: object = {},
): void {
  saveParams(file, params, {
    [META_ARCH]: plugin.id,
    [META_CONFIG]: JSON.stringify(config),
    [META_PROVENANCE]: JSON.stringify(provenance),
  });
}

/**
 * Loads a checkpoint as a model of `archId` (or of the architecture its metadata names), its
 * tensor names mapped by `names` (see mapTensorNames), inferring the config from the tensor shapes
 * and checking the symmetry spec against them. Any mismatch is a CheckpointError that names the file.
 */
export function loadModel(
  file: string,
  registry: Registry,
  archId?: string,
  names: CheckpointNames = asSaved,
): LoadedModel {
  const loaded = loadParams(file);
  const { metadata } = loaded;
  const params = mapTensorNames(loaded.params, names, file);
  const id = archId ?? metadata[META_ARCH];
  if (!id) throw new CheckpointError(`${file}: no --arch given and the file does not record its architecture`);
  try {
    const plugin = registry.architecture(id);
    // A checkpoint written by weightspace records its config, which may hold what shapes cannot
    // tell (a variant's mask seed); one from elsewhere has its config inferred from its shapes.
    const recorded = metadata[META_ARCH] === id && metadata[META_CONFIG] ? recordedConfig(file, metadata) : undefined;
    const config =
      recorded === undefined
        ? plugin.inferConfig(shapesOf(params), names.known)
        : validateAgainst<unknown>(plugin.configSchema, recorded, `recorded config of ${id}`);
    assertKnownAgrees(file, config, names.known);
    if (recorded !== undefined) {
      const fresh = plugin.init(config, 0);
      assertSameStructure(fresh, params, [`a ${id} built from the recorded config`, file]);
      disposeParams(fresh);
    }
    validateSpec(plugin.symmetry(config), shapesOf(params), `${file} as ${id}`);
    assertFinite(file, params);
    return { file, plugin, config, params, metadata };
  } catch (e) {
    if (e instanceof WeightspaceError && !(e instanceof CheckpointError))
      throw new CheckpointError(`${file}: ${e.message}`);
    throw e;
  }
}

/**
 * Refuses a config (recorded by the checkpoint, or inferred) that disagrees with a field the user
 * gave (`--heads`), naming both values: a recorded config is the model's, and is not overridden.
 */
function assertKnownAgrees(file: string, config: unknown, known: Readonly<Record<string, unknown>> = {}): void {
  for (const [field, value] of Object.entries(known)) {
    const has = (config as Record<string, unknown>)[field];
    // The flag that gave the field: `normEpsilon` from --norm-epsilon.
    const flag = `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (has !== value)
      throw new CheckpointError(
        has === undefined
          ? `${file}: its config has no '${field}' (given by ${flag}): it records its own, or its architecture has none`
          : `${file}: its config has ${field} ${String(has)}, ${flag} says ${String(value)}`,
      );
  }
}

/** The config a checkpoint records, as JSON; a CheckpointError naming the file when it is not JSON. */
function recordedConfig(file: string, metadata: Record<string, string>): unknown {
  try {
    return JSON.parse(metadata[META_CONFIG]) as unknown;
  } catch (e) {
    throw new CheckpointError(`${file}: metadata '${META_CONFIG}' is not JSON (${(e as Error).message})`);
  }
}

/**
 * A CheckpointError naming the file, the tensor and the first entry that is NaN or infinite: such
 * a model has no loss to interpolate and no cost to match on.
 */
function assertFinite(file: string, params: Params): void {
  for (const [name, tensor] of Object.entries(params)) {
    if (tensor.dtype !== 'float32') continue;
    const values = tensor.dataSync();
    const k = values.findIndex((v) => !Number.isFinite(v));
    if (k >= 0)
      throw new CheckpointError(`${file}: tensor '${name}' has a non-finite entry (${values[k]}) at index ${k}`);
  }
}

/** Loads two checkpoints of one architecture with identical names and shapes. */
export function loadPair(
  fileA: string,
  fileB: string,
  registry: Registry,
  archId?: string,
  names: CheckpointNames = asSaved,
): [LoadedModel, LoadedModel] {
  const a = loadModel(fileA, registry, archId, names);
  const b = loadModel(fileB, registry, archId ?? a.plugin.id, names);
  if (a.plugin.id !== b.plugin.id)
    throw new CheckpointError(`${fileA} is a '${a.plugin.id}' but ${fileB} is a '${b.plugin.id}'`);
  const [first, second] = inOneForm([a, b]);
  assertSameStructure(first.params, second.params, [first.file, second.file]);
  return [first, second];
}

/**
 * Models of one architecture in one form: as loaded when their configs agree; else, for an
 * architecture with a canonical form (an original model beside one `align` wrote), all rewritten
 * into it, or into the furthest of its further `forms` that one of them is in; and where their
 * shapes still differ, the narrower ones embedded into the widest one's width (see
 * `embedModelInWider`: zero units, the orthogonal stream rescaled, the function checked), so
 * models of two widths interpolate, align and merge. Each embedded model records the config it
 * was read in as `embeddedFrom`.
 */
export function inOneForm(models: readonly LoadedModel[]): LoadedModel[] {
  const forms = new Set(models.map((m) => JSON.stringify(m.config)));
  if (forms.size <= 1) return [...models];
  const { plugin } = models[0];
  // A further form takes a model in any earlier one: no canonical step before it.
  const furthest = Math.max(...models.map((m) => (plugin.forms ?? []).findIndex((f) => f.holds(m.config))));
  const form = furthest >= 0 ? plugin.forms![furthest].name : 'canonical';
  return atOneWidth(models.map((m) => inForm(m, form)));
}

/**
 * A loaded model rewritten into form `name`: 'original' (as loaded), 'canonical', or one of its
 * architecture's `forms`; the original tensors are released when it changes. A UsageError naming
 * the forms it has otherwise.
 */
export function inForm(model: LoadedModel, name: string): LoadedModel {
  if (name === 'original') return model;
  if (name === 'canonical') return canonicalModel(model);
  const form = model.plugin.forms?.find((f) => f.name === name);
  if (!form) {
    const known = ['canonical', 'original', ...(model.plugin.forms ?? []).map((f) => f.name)];
    throw new UsageError(`--form ${name}: '${model.plugin.id}' has the forms ${known.join(', ')}`);
  }
  const { config, params } = form.apply(model.config, model.params);
  disposeParams(model.params);
  return { ...model, config, params };
}

/** `models` as they are when their shapes agree, else each one embedded into the widest's config. */
function atOneWidth(models: LoadedModel[]): LoadedModel[] {
  const shapes = models.map((m) => JSON.stringify(shapesOf(m.params)));
  if (new Set(shapes).size <= 1) return models;
  const { plugin } = models[0];
  const widest = widestConfig(
    plugin,
    models.map((m) => m.config),
    models.map((m) => m.file),
  );
  return models.map((model, k) => {
    if (shapes[k] === shapes[widest]) return model;
    const params = embedModelInWider(plugin, model.config, model.params, models[widest].config, model.file);
    disposeParams(model.params);
    return { ...model, config: models[widest].config, params, embeddedFrom: model.config };
  });
}

/** A loaded model rewritten into its architecture's canonical form (see `canonicalize`); the original tensors are released. */
export function canonicalModel(model: LoadedModel): LoadedModel {
  if (!model.plugin.canonicalize) return model;
  const { config, params } = model.plugin.canonicalize(model.config, model.params);
  disposeParams(model.params);
  return { ...model, config, params };
}

/**
 * One line per model that `inOneForm` embedded into a wider config, naming the file and the
 * config fields that grew (`dim 32 → 64, heads 2 → 4`), for the command's log.
 */
export function embeddingNotes(models: readonly LoadedModel[]): string[] {
  return models.flatMap((model) => {
    if (model.embeddedFrom === undefined) return [];
    const from = model.embeddedFrom as Record<string, unknown>;
    const to = model.config as Record<string, unknown>;
    const grew = Object.keys(to)
      .filter((key) => JSON.stringify(from[key]) !== JSON.stringify(to[key]))
      .map((key) => `${key} ${JSON.stringify(from[key])} → ${JSON.stringify(to[key])}`);
    return [
      `note: ${model.file} embedded into the wider model's width (${grew.join(', ')}), computing the same function`,
    ];
  });
}
