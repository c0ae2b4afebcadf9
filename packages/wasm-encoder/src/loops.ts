import { type Code, op } from './encoder';

/** Adds `bytes` to each of the i32 locals `cursors`. */
export function advance(cursors: readonly number[], bytes: number): Code {
  return cursors.map((c) => [op.get(c), op.i32(bytes), op.add(), op.set(c)]);
}

/**
 * A loop over the `n` entries (of `entryBytes` each) that `cursors` point at: `block` handles
 * four entries while four remain, `tail` one at a time after that; the cursors move past what
 * each handled. `j` (an i32 local) counts entries.
 */
export function fourThenOne(
  j: number,
  n: number,
  block: Code,
  tail: Code,
  cursors: readonly number[],
  entryBytes: number,
): Code {
  return [
    op.i32(0),
    op.set(j),
    op.block(),
    op.loop(),
    op.get(j),
    op.i32(4),
    op.add(),
    op.get(n),
    op.gtS(),
    op.brIf(1),
    block,
    advance(cursors, 4 * entryBytes),
    op.get(j),
    op.i32(4),
    op.add(),
    op.set(j),
    op.br(0),
    op.end(),
    op.end(),
    op.block(),
    op.loop(),
    op.get(j),
    op.get(n),
    op.geU(),
    op.brIf(1),
    tail,
    advance(cursors, entryBytes),
    op.get(j),
    op.i32(1),
    op.add(),
    op.set(j),
    op.br(0),
    op.end(),
    op.end(),
  ];
}
