import * as tf from '@tensorflow/tfjs';
import { SpecError } from '../errors/errors';
import type { ParamShapes, Params } from '../params/params';
import type { AxisActions, ParamFamily, SymmetrySpec } from './spec';

/** The placeholder of the member index in a family's name templates. */
export const MEMBER_INDEX = '{k}';

/** Member `k` of a family's name template: `experts.{k}.fc1.weight` → `experts.2.fc1.weight`. */
export function memberName(template: string, k: number): string {
  return template.replace(MEMBER_INDEX, String(k));
}

/** Every member name of `template` under a family group of `size` units, in order. */
export function memberNames(template: string, size: number): string[] {
  return Array.from({ length: size }, (_, k) => memberName(template, k));
}

/**
 * The spec with every family stacked: the members of each template become one parameter named by
 * the template, with a new leading axis of the family's units on which the family's group acts,
 * followed by the members' own axes. Batched groups then find their batching group on that axis,
 * as on any stacked tensor, so every generic algorithm (transform, matchers) reads the stacked view
 * unchanged. A spec without families is returned as is. Throws a SpecError naming the family and
 * member where a template lacks `{k}`, a member has no axes or its axes differ from member 0's.
 */
export function stackedSpec(spec: SymmetrySpec): SymmetrySpec {
  if (!spec.families?.length) return spec;
  const axes: Record<string, AxisActions> = { ...spec.axes };
  for (const family of spec.families) {
    const size = familySize(spec, family);
    for (const template of family.names) {
      if (!template.includes(MEMBER_INDEX))
        throw new SpecError(`family of '${family.group}': name '${template}' has no ${MEMBER_INDEX}`);
      const members = memberNames(template, size);
      const first = JSON.stringify(spec.axes[members[0]]);
      for (const member of members) {
        if (spec.axes[member] === undefined)
          throw new SpecError(`family of '${family.group}': member '${member}' has no entry in the spec's axes`);
        if (JSON.stringify(spec.axes[member]) !== first)
          throw new SpecError(
            `family of '${family.group}': member '${member}' has other axis actions than '${members[0]}'`,
          );
        delete axes[member];
      }
      axes[template] = [[{ group: family.group, as: 'g' }], ...spec.axes[members[0]]];
    }
  }
  return { groups: spec.groups, axes };
}

/** The family's group size (its member count); a SpecError when it is not a declared permutation. */
function familySize(spec: SymmetrySpec, family: ParamFamily): number {
  const decl = spec.groups[family.group];
  if (decl === undefined) throw new SpecError(`a family names group '${family.group}', which is not declared`);
  if (decl.kind !== 'permutation' || decl.batchedOver !== undefined)
    throw new SpecError(`family group '${family.group}' is a ${decl.kind} group; a family needs a plain permutation`);
  return decl.size;
}

/**
 * Parameters in the stacked view of `spec` (see `stackedSpec`): each template's members stacked
 * into one new tensor; the other parameters are the same tensors, not copies. Dispose only the
 * stacked ones (`disposeStacked`).
 */
export function stackParams(spec: SymmetrySpec, params: Params): Params {
  if (!spec.families?.length) return params;
  const out: Params = { ...params };
  for (const family of spec.families) {
    const size = familySize(spec, family);
    for (const template of family.names) {
      const members = memberNames(template, size);
      const missing = members.find((m) => params[m] === undefined);
      if (missing) throw new SpecError(`family of '${family.group}': the model has no parameter '${missing}'`);
      out[template] = tf.stack(members.map((m) => params[m]));
      for (const m of members) delete out[m];
    }
  }
  return out;
}

/** Shapes in the stacked view (see `stackedSpec`); a SpecError naming a member whose shape differs. */
export function stackShapes(spec: SymmetrySpec, shapes: ParamShapes): ParamShapes {
  if (!spec.families?.length) return shapes;
  const out: ParamShapes = { ...shapes };
  for (const family of spec.families) {
    const size = familySize(spec, family);
    for (const template of family.names) {
      const members = memberNames(template, size);
      const shape = shapes[members[0]];
      for (const member of members) {
        if (shapes[member] === undefined)
          throw new SpecError(`family of '${family.group}': the model has no parameter '${member}'`);
        if (shapes[member].join() !== shape.join())
          throw new SpecError(
            `family of '${family.group}': '${member}' has shape [${shapes[member].join(', ')}] but '${members[0]}' has [${shape.join(', ')}]`,
          );
        delete out[member];
      }
      out[template] = [size, ...shape];
    }
  }
  return out;
}

/** Parameters of the stacked view back under their member names (new tensors for the members). */
export function unstackParams(spec: SymmetrySpec, stacked: Params): Params {
  if (!spec.families?.length) return stacked;
  const out: Params = { ...stacked };
  for (const family of spec.families) {
    for (const template of family.names) {
      tf.unstack(stacked[template]).forEach((member, k) => (out[memberName(template, k)] = member));
      delete out[template];
    }
  }
  return out;
}

/** Disposes the tensors `stackParams` made (the stacked templates), not the ones it passed through. */
export function disposeStacked(spec: SymmetrySpec, stacked: Params): void {
  if (!spec.families?.length) return;
  for (const family of spec.families) for (const template of family.names) stacked[template]?.dispose();
}
