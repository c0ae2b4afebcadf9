// Prints a digest of fixed entries for a layer key: the child side of the cross-process test.
import { createHash } from 'node:crypto';
import { fixedEntries } from '../fixed-entries';
import { figluMatrix } from '../figlu';

const { mask, values } = fixedEntries('layers.1.weight', 64, 48, 12, 0.5, 7);
const f = figluMatrix('layers.0', 16, 7);
const digest = createHash('sha256')
  .update(Buffer.from(mask.buffer))
  .update(Buffer.from(values.buffer))
  .update(Buffer.from(f.buffer))
  .digest('hex');
process.stdout.write(`${digest}\n`);
