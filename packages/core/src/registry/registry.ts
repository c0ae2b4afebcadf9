import 'reflect-metadata';
import { Container, type ContainerModule, type ContainerModuleLoadOptions } from 'inversify';
import type { BackendProvider } from '../backend/backend-provider';
import type { DatasetPlugin } from '../data/dataset';
import { RegistryError } from '../errors/errors';
import type { Matcher } from '../matching/matcher';
import type { AnyArchitecture, AnyVariant } from '../plugin/architecture';
import { manifestSchema, type PluginManifest } from '../plugin/manifest';
import { validateAgainst } from '../schema/validate';
import {
  ArchitectureId,
  asIdentifier,
  BackendId,
  DatasetId,
  ManifestId,
  MatcherId,
  type ServiceId,
  VariantId,
} from './service-ids';

/** Binds every value to `id` (multi-binding): how a package's ContainerModule adds its plugins. */
export function bindAll<T>(options: ContainerModuleLoadOptions, id: ServiceId<T>, values: readonly T[]): void {
  for (const value of values) options.bind(asIdentifier(id)).toConstantValue(value);
}

interface Identified {
  readonly id: string;
}

/**
 * Every plugin of the loaded modules, by kind and id. Built once from inversify ContainerModules;
 * a duplicate id within a kind throws naming it, as does an unknown id on lookup (with the list).
 * Variants resolve through `architecture('<base>.<variant>')`, each derived once on first use;
 * `dispose` releases what the derived plugins cache.
 */
export class Registry {
  private readonly derived = new Map<string, AnyArchitecture>();

  private constructor(
    private readonly architecturesById: ReadonlyMap<string, AnyArchitecture>,
    private readonly variantsById: ReadonlyMap<string, AnyVariant>,
    private readonly matchersById: ReadonlyMap<string, Matcher>,
    private readonly datasetsById: ReadonlyMap<string, DatasetPlugin>,
    private readonly backendsById: ReadonlyMap<string, BackendProvider>,
    readonly manifests: readonly PluginManifest[],
  ) {}

  static async fromModules(modules: readonly ContainerModule[]): Promise<Registry> {
    const container = new Container();
    await container.load(...modules);
    return Registry.fromContainer(container);
  }

  /** The same, for modules whose load functions are synchronous (all of weightspace's are). */
  static fromModulesSync(modules: readonly ContainerModule[]): Registry {
    const container = new Container();
    container.loadSync(...modules);
    return Registry.fromContainer(container);
  }

  private static fromContainer(container: Container): Registry {
    const all = <T>(id: ServiceId<T>): T[] =>
      container.isBound(asIdentifier(id)) ? container.getAll(asIdentifier(id)) : [];
    const manifests = all(ManifestId).map((m) =>
      validateAgainst<PluginManifest>(manifestSchema, m, `manifest of ${m.package ?? '?'}`),
    );
    const registry = new Registry(
      indexById('architecture', all(ArchitectureId)),
      indexById('variant', all(VariantId)),
      indexById('matcher', all(MatcherId)),
      indexById('dataset', all(DatasetId)),
      indexById('backend', all(BackendId)),
      manifests,
    );
    for (const v of registry.variantsById.values()) {
      if (registry.architecturesById.has(v.id))
        throw new RegistryError(`variant id '${v.id}' is also an architecture id`);
    }
    return registry;
  }

  architectures(): AnyArchitecture[] {
    return [...this.architecturesById.values()];
  }
  variants(): AnyVariant[] {
    return [...this.variantsById.values()];
  }
  matchers(): Matcher[] {
    return [...this.matchersById.values()];
  }
  datasets(): DatasetPlugin[] {
    return [...this.datasetsById.values()];
  }
  backends(): BackendProvider[] {
    return [...this.backendsById.values()];
  }

  /** An architecture or a variant (derived from its base once per registry: every call returns the same plugin). */
  architecture(id: string): AnyArchitecture {
    const direct = this.architecturesById.get(id);
    if (direct) return direct;
    const variant = this.variantsById.get(id);
    if (!variant) throw unknown('architecture', id, [...this.architecturesById.keys(), ...this.variantsById.keys()]);
    let plugin = this.derived.get(id);
    if (!plugin) {
      plugin = variant.derive(this.architecture(variant.base));
      this.derived.set(id, plugin);
    }
    return plugin;
  }

  /** Releases what the variants derived so far cache (fixed masks, fixed matrices); they are derived afresh after. */
  dispose(): void {
    for (const plugin of this.derived.values()) plugin.dispose?.();
    this.derived.clear();
  }
  matcher(id: string): Matcher {
    return lookup('matcher', this.matchersById, id);
  }
  dataset(id: string): DatasetPlugin {
    return lookup('dataset', this.datasetsById, id);
  }
  backend(id: string): BackendProvider {
    return lookup('backend', this.backendsById, id);
  }
}

function indexById<T extends Identified>(kind: string, values: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const value of values) {
    if (map.has(value.id)) throw new RegistryError(`${kind} id '${value.id}' is registered twice`);
    map.set(value.id, value);
  }
  return map;
}

function lookup<T>(kind: string, map: ReadonlyMap<string, T>, id: string): T {
  const found = map.get(id);
  if (found === undefined) throw unknown(kind, id, [...map.keys()]);
  return found;
}

function unknown(kind: string, id: string, known: string[]): RegistryError {
  return new RegistryError(`unknown ${kind} '${id}'; registered: ${known.length ? known.join(', ') : '(none)'}`);
}
