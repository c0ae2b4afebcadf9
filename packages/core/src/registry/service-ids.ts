import type { ServiceIdentifier } from 'inversify';
import type { DatasetPlugin } from '../data/dataset';
import type { BackendProvider } from '../backend/backend-provider';
import type { Matcher } from '../matching/matcher';
import type { AnyArchitecture, VariantPlugin } from '../plugin/architecture';
import type { PluginManifest } from '../plugin/manifest';

/** A service identifier that carries the type bound to it. */
export type ServiceId<T> = symbol & { readonly __service?: T };

function serviceId<T>(name: string): ServiceId<T> {
  return Symbol.for(`weightspace.${name}`) as ServiceId<T>;
}

/** The registry's service identifier for architecture plugins. */
export const ArchitectureId = serviceId<AnyArchitecture>('architecture');
/** The registry's service identifier for variant plugins. */
export const VariantId = serviceId<VariantPlugin>('variant');
/** The registry's service identifier for matchers. */
export const MatcherId = serviceId<Matcher>('matcher');
/** The registry's service identifier for dataset plugins. */
export const DatasetId = serviceId<DatasetPlugin>('dataset');
/** The registry's service identifier for backend providers. */
export const BackendId = serviceId<BackendProvider>('backend');
/** The registry's service identifier for package manifests. */
export const ManifestId = serviceId<PluginManifest>('manifest');

/** The inversify view of a typed id (inversify's own identifiers do not carry the type). */
export function asIdentifier<T>(id: ServiceId<T>): ServiceIdentifier<T> {
  return id;
}
