import { SpecError } from '../errors/errors';
import type { ParamShapes } from '../params/params';
import { stackedSpec, stackShapes } from './families';
import {
  type AxisAction,
  GROUP_KINDS,
  type GroupDeclaration,
  isPermutationKind,
  sameSegment,
  type SymmetrySpec,
} from './spec';

const ACTIONS = new Set(['g', 'inverse', 'inverse-transpose']);
const KINDS = new Set<string>(GROUP_KINDS);

/**
 * Checks a spec against real parameter shapes and throws a `SpecError` naming the parameter, axis
 * and group at fault. `where` prefixes messages (e.g. the plugin id).
 *
 * An axis of size s that a group acts on must fit it: a permutation or matrix group of size n
 * needs s = n; a block-permutation of n blocks of k needs s = n·k (or s = n, one entry per block).
 * A group batched over B either acts on an axis of its own while the same parameter has an axis
 * of size |B| that B acts on, or shares one axis with B, which then has |B|·n entries.
 *
 * @param spec the symmetry spec
 * @param shapes every parameter's shape (see `shapesOf`)
 * @param where what to name in errors: a file, a plugin
 * @example
 * ```ts
 * import { shapesOf, toyPerceptron, validateSpec } from '@weightspace/core';
 * const config = toyPerceptron.examples[0];
 * // Throws a SpecError naming the parameter and axis when the spec does not fit the shapes.
 * validateSpec(toyPerceptron.symmetry(config), shapesOf(toyPerceptron.init(config, 0)), 'toy.perceptron');
 * ```
 */
export function validateSpec(spec: SymmetrySpec, shapes: ParamShapes, where = 'spec'): void {
  // Families are checked in their stacked view, where each template is one tensor.
  if (spec.families?.length) {
    try {
      validateSpec(stackedSpec(spec), stackShapes(spec, shapes), where);
    } catch (e) {
      if (e instanceof SpecError && !e.message.startsWith(`${where}:`)) throw new SpecError(`${where}: ${e.message}`);
      throw e;
    }
    return;
  }
  for (const [name, decl] of Object.entries(spec.groups)) validateGroup(spec, name, decl, where);

  for (const param of Object.keys(shapes)) {
    if (!(param in spec.axes))
      throw new SpecError(`${where}: parameter '${param}' has no entry in the symmetry spec's axes`);
  }
  for (const [param, perAxis] of Object.entries(spec.axes)) {
    const shape = shapes[param];
    if (shape === undefined)
      throw new SpecError(`${where}: the spec names parameter '${param}', which the model does not have`);
    if (perAxis.length !== shape.length) {
      throw new SpecError(
        `${where}: parameter '${param}' has ${shape.length} axes [${shape.join(', ')}] but the spec lists ${perAxis.length}`,
      );
    }
    perAxis.forEach((actions, axis) => {
      for (const action of actions ?? []) validateAction(spec, param, shape, axis, action, actions ?? [], where);
    });
  }
}

function validateGroup(spec: SymmetrySpec, name: string, decl: GroupDeclaration, where: string): void {
  if (!KINDS.has(decl.kind)) throw new SpecError(`${where}: group '${name}' has unknown kind '${String(decl.kind)}'`);
  if (!Number.isInteger(decl.size) || decl.size < 1)
    throw new SpecError(`${where}: group '${name}' has size ${decl.size}, not a positive integer`);
  if (decl.kind === 'block-permutation' && (!Number.isInteger(decl.blockSize) || decl.blockSize < 1)) {
    throw new SpecError(`${where}: block-permutation group '${name}' needs a positive integer blockSize`);
  }
  if (decl.batchedOver !== undefined) {
    const outer = spec.groups[decl.batchedOver];
    if (outer === undefined)
      throw new SpecError(`${where}: group '${name}' is batched over '${decl.batchedOver}', which is not declared`);
    if (!isPermutationKind(outer.kind)) {
      throw new SpecError(
        `${where}: group '${name}' is batched over '${decl.batchedOver}', which is a ${outer.kind} group, not a permutation`,
      );
    }
    if (outer.batchedOver !== undefined) {
      throw new SpecError(
        `${where}: group '${name}' is batched over '${decl.batchedOver}', which is itself batched (one level only)`,
      );
    }
  }
}

function validateAction(
  spec: SymmetrySpec,
  param: string,
  shape: readonly number[],
  axis: number,
  action: AxisAction,
  allOnAxis: readonly AxisAction[],
  where: string,
): void {
  const segment = action.segment;
  const part = segment ? ` segment ${segment.index} of ${segment.of}` : '';
  const at = `${where}: parameter '${param}' axis ${axis}${part} (size ${shape[axis]})`;
  const decl = spec.groups[action.group];
  if (decl === undefined) throw new SpecError(`${at}: group '${action.group}' is not declared`);
  if (!ACTIONS.has(action.as))
    throw new SpecError(`${at}: action '${String(action.as)}' is not one of g, inverse, inverse-transpose`);
  if (segment) {
    const valid =
      Number.isInteger(segment.of) && segment.of >= 1 && Number.isInteger(segment.index) && segment.index >= 0;
    if (!valid || segment.index >= segment.of || shape[axis] % segment.of !== 0) {
      throw new SpecError(
        `${at}: the axis cannot be cut into ${segment.of} equal segments and take segment ${segment.index}`,
      );
    }
  }
  const size = segment ? shape[axis] / segment.of : shape[axis];
  const sameAxis = allOnAxis.filter((other) => sameSegment(other, action));

  if (decl.batchedOver !== undefined) {
    const outer = spec.groups[decl.batchedOver];
    const sharesAxis = sameAxis.some((a) => a.group === decl.batchedOver);
    if (sharesAxis) {
      if (size !== outer.size * decl.size) {
        throw new SpecError(
          `${at}: group '${action.group}' (size ${decl.size}) shares this axis with '${decl.batchedOver}' (${outer.size} units), so the axis needs ${outer.size * decl.size} entries`,
        );
      }
      return;
    }
    if (size !== decl.size) throw new SpecError(`${at}: group '${action.group}' needs size ${decl.size}`);
    if (batchAxisOf(spec, param, shape, decl.batchedOver) === undefined) {
      throw new SpecError(
        `${at}: group '${action.group}' is batched over '${decl.batchedOver}' but no axis of size ${outer.size} of '${param}' carries '${decl.batchedOver}'`,
      );
    }
    return;
  }

  if (decl.kind === 'block-permutation') {
    const k = decl.blockSize;
    if (size !== decl.size && size !== decl.size * k) {
      throw new SpecError(
        `${at}: block-permutation group '${action.group}' needs ${decl.size} or ${decl.size * k} entries`,
      );
    }
    return;
  }
  const batchedHere = sameAxis.some((a) => spec.groups[a.group]?.batchedOver === action.group);
  if (batchedHere) return; // checked from the batched group's side
  if (size !== decl.size) throw new SpecError(`${at}: group '${action.group}' (${decl.kind}) needs size ${decl.size}`);
}

/**
 * The axis of `param` that carries batching group `outer` with one entry per unit, or undefined.
 * A batched group acting on an axis of its own reads its item for each unit off this axis.
 */
export function batchAxisOf(
  spec: SymmetrySpec,
  param: string,
  shape: readonly number[],
  outer: string,
): number | undefined {
  const units = spec.groups[outer]?.size;
  const axes = spec.axes[param] ?? [];
  for (let axis = 0; axis < axes.length; axis++) {
    if ((axes[axis] ?? []).some((a) => a.group === outer) && shape[axis] === units) return axis;
  }
  return undefined;
}
