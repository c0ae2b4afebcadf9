import { type Code, op, type ValueType } from './encoder';

/** Adds `bytes` to each of the i32 locals `cursors`. */
export function advance(cursors: readonly number[], bytes: number): Code {
  return cursors.map((c) => [op.get(c), op.i32(bytes), op.add(), op.set(c)]);
}

/**
 * A loop that handles four entries at a time while four remain of the `n` (of `entryBytes` each)
 * that `cursors` point at: `block` handles four, then the cursors move past them. `j` (an i32
 * local, set to 0 first) counts the entries handled; what is left (fewer than four) stays for the
 * caller.
 */
export function whileFourRemain(
  j: number,
  n: number,
  block: Code,
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
  ];
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
    whileFourRemain(j, n, block, cursors, entryBytes),
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

/** Runs `body` for i (an i32 local) = 0, 1, … while i < the i32 local `n`. */
export function countUp(i: number, n: number, body: Code): Code {
  return [
    op.i32(0),
    op.set(i),
    op.block(),
    op.loop(),
    op.get(i),
    op.get(n),
    op.geU(),
    op.brIf(1),
    body,
    op.get(i),
    op.i32(1),
    op.add(),
    op.set(i),
    op.br(0),
    op.end(),
    op.end(),
  ];
}

/**
 * A function's locals after its parameters, handed out in order as code asks for them: `add`
 * returns the new local's index and `types` is the FunctionSpec's `locals`.
 */
export class Locals {
  readonly types: ValueType[] = [];
  constructor(private next: number) {}
  add(type: ValueType): number {
    this.types.push(type);
    return this.next++;
  }
}
