import { CheckpointError, type Params } from '@weightspace/core';
import { integerFlag, numberFlag, type Parsed } from './args';
import { UsageError } from './usage-error';

/**
 * How the tensor names of a checkpoint saved elsewhere map to the architecture's: prefixes to
 * strip (a `DataParallel` model saves `module.layers.0.weight`), then leading parts to rename.
 */
export interface CheckpointNames {
  stripPrefixes: readonly string[];
  renames: ReadonlyArray<readonly [from: string, to: string]>;
  /**
   * Config fields the shapes of a checkpoint cannot tell (`--heads`), for checkpoints that do not
   * record their config (`ArchitecturePlugin.inferConfig`'s `known`).
   */
  known?: Readonly<Record<string, unknown>>;
}

export const asSaved: CheckpointNames = { stripPrefixes: [], renames: [] };

/** The mapping that --strip-prefix and --rename FROM=TO (both repeatable) ask for, and --heads and --norm-epsilon. */
export function checkpointNames(parsed: Parsed): CheckpointNames {
  const list = (flag: string): string[] => {
    const value = parsed.flags[flag];
    return value === undefined ? [] : Array.isArray(value) ? value : [String(value)];
  };
  const renames = list('rename').map((rule): [string, string] => {
    const at = rule.indexOf('=');
    if (at <= 0) throw new UsageError(`--rename takes FROM=TO with a non-empty FROM, got '${rule}'`);
    return [rule.slice(0, at), rule.slice(at + 1)];
  });
  const stripPrefixes = list('strip-prefix');
  if (stripPrefixes.some((p) => p === '')) throw new UsageError('--strip-prefix takes a non-empty prefix');
  const heads = integerFlag(parsed, 'heads', undefined, 1);
  const epsilon = parsed.flags['norm-epsilon'] === undefined ? undefined : numberFlag(parsed, 'norm-epsilon', 1e-5);
  const known = {
    ...(heads === undefined ? {} : { heads }),
    ...(epsilon === undefined ? {} : { normEpsilon: epsilon }),
  };
  return { stripPrefixes, renames, ...(Object.keys(known).length ? { known } : {}) };
}

/** PyTorch's BatchNorm step counter: saved in every state dict, used by no weightspace model. */
const IGNORED = /(^|\.)num_batches_tracked$/;

/**
 * The tensors of `file` under the names `names` maps them to: PyTorch's `num_batches_tracked`
 * counters dropped, each listed prefix stripped where a name starts with it, then the first
 * matching rename applied to a name's start. Two tensors that end up with one name are a
 * CheckpointError naming both.
 */
export function mapTensorNames(params: Params, names: CheckpointNames, file: string): Params {
  const out: Params = {};
  const from: Record<string, string> = {};
  for (const [original, tensor] of Object.entries(params)) {
    if (IGNORED.test(original)) {
      tensor.dispose();
      continue;
    }
    let name = original;
    for (const prefix of names.stripPrefixes) if (name.startsWith(prefix)) name = name.slice(prefix.length);
    const rule = names.renames.find(([prefix]) => name.startsWith(prefix));
    if (rule) name = rule[1] + name.slice(rule[0].length);
    if (Object.hasOwn(out, name))
      throw new CheckpointError(`${file}: tensors '${from[name]}' and '${original}' both map to '${name}'`);
    out[name] = tensor;
    from[name] = original;
  }
  return out;
}
