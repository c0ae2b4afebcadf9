import { CheckpointError, loadParams, type Params } from '@weightspace/core';
import { type CheckpointNames, mapTensorNames } from './checkpoint-names';

/**
 * `fresh` with every tensor that `file` holds (its names mapped as `names` says) under the same
 * name and shape taken from the file (fresh's own released); logs how many were taken and which
 * were kept fresh. A CheckpointError naming the file when it shares no tensor with the model.
 */
export function warmStarted(fresh: Params, file: string, names: CheckpointNames, log: (line: string) => void): Params {
  const saved = mapTensorNames(loadParams(file).params, names, file);
  const out: Params = {};
  const taken = new Set<string>();
  for (const [name, tensor] of Object.entries(fresh)) {
    const from = saved[name];
    if (from && from.shape.join() === tensor.shape.join()) {
      out[name] = from;
      taken.add(name);
      tensor.dispose();
    } else out[name] = tensor;
  }
  for (const [name, tensor] of Object.entries(saved)) if (!taken.has(name)) tensor.dispose();
  if (!taken.size)
    throw new CheckpointError(`--warm-start ${file}: no tensor of it has a name and shape of this model`);
  const kept = Object.keys(fresh).filter((name) => !taken.has(name));
  log(
    `warm start from ${file}: ${taken.size} tensors taken, ${kept.length} fresh (${kept.slice(0, 4).join(', ')}${kept.length > 4 ? ', …' : ''})`,
  );
  return out;
}
