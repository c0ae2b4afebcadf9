import { CheckpointError, loadParams, type Params } from '@weightspace/core';

/**
 * `fresh` with every tensor that `file` holds under the same name and shape taken from the file
 * (fresh's own released); logs how many were taken and which were kept fresh. A CheckpointError
 * naming the file when it shares no tensor with the model.
 */
export function warmStarted(fresh: Params, file: string, log: (line: string) => void): Params {
  const { params: saved } = loadParams(file);
  const out: Params = {};
  const taken: string[] = [];
  for (const [name, tensor] of Object.entries(fresh)) {
    const from = saved[name];
    if (from && from.shape.join() === tensor.shape.join()) {
      out[name] = from;
      taken.push(name);
      tensor.dispose();
    } else out[name] = tensor;
  }
  for (const [name, tensor] of Object.entries(saved)) if (!taken.includes(name)) tensor.dispose();
  if (!taken.length)
    throw new CheckpointError(`--warm-start ${file}: no tensor of it has a name and shape of this model`);
  const kept = Object.keys(fresh).filter((name) => !taken.includes(name));
  log(
    `warm start from ${file}: ${taken.length} tensors taken, ${kept.length} fresh (${kept.slice(0, 4).join(', ')}${kept.length > 4 ? ', …' : ''})`,
  );
  return out;
}
