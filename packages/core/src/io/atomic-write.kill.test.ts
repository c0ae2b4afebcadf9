import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Rng } from '../random/rng';
import { writeFileAtomic } from './atomic-write';

/**
 * kill -9 at seeded moments of a process that rewrites one file with writeFileAtomic in a loop:
 * afterwards the file is absent (killed before its first rename) or one whole version, never a
 * mix; and the next write removes every temporary the killed writer left.
 */
const REGISTER = resolve(__dirname, '..', '..', '..', '..', 'tools', 'scripts', 'ts-register.js');
const SIZE = 2 * 1024 * 1024;

/** Version v of the file: its number in the first 4 bytes, then SIZE − 4 bytes of v mod 251. */
const writer = `
const { writeFileAtomic } = require(${JSON.stringify(resolve(__dirname, 'atomic-write.ts'))});
const file = process.argv[1];
process.send('ready');
for (let v = 1; ; v++) {
  const bytes = Buffer.alloc(${SIZE}, v % 251);
  bytes.writeUInt32LE(v, 0);
  writeFileAtomic(file, bytes);
}`;

/** The version a file holds, or an explanation of why it is not a whole version. */
function versionOf(file: string): number | string {
  const bytes = readFileSync(file);
  if (bytes.length !== SIZE) return `${bytes.length} bytes, not ${SIZE}`;
  const v = bytes.readUInt32LE(0);
  for (let k = 4; k < SIZE; k++) if (bytes[k] !== v % 251) return `byte ${k} is ${bytes[k]} in version ${v}`;
  return v;
}

function killAfter(file: string, delayMs: number): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-r', REGISTER, '-e', writer, file], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('error', fail);
    child.once('message', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
    child.once('exit', () => done());
  });
}

describe('writeFileAtomic under kill -9', () => {
  it('leaves the old file or the new one, never a part, and no temporary after the next write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-kill-'));
    const rng = new Rng(17);
    const moments = 24;
    const broken: string[] = [];
    let versions = 0;
    let midWrite = 0;
    for (let k = 0; k < moments; k++) {
      const file = join(dir, `m${k % 4}.bin`);
      await killAfter(file, Math.floor(rng.next() * 200));
      // A kill mid-write leaves this file's temporary (the next writer of the file removes it).
      if (readdirSync(dir).some((name) => name.startsWith(`m${k % 4}.bin.tmp-`))) midWrite++;
      if (existsSync(file)) {
        const v = versionOf(file);
        if (typeof v === 'string') broken.push(`moment ${k}: ${v}`);
        else versions++;
      }
    }
    for (let f = 0; f < 4; f++) writeFileAtomic(join(dir, `m${f}.bin`), 'after');
    const left = readdirSync(dir).filter((name) => name.includes('.tmp-'));
    process.stdout.write(
      `kill -9 of an atomic writer: ${moments} moments, ${midWrite} mid-write, ${versions} whole versions found, ${broken.length} broken files, ${left.length} temporaries left after the next write\n`,
    );
    expect(broken).toEqual([]);
    expect(left).toEqual([]);
    expect(versions).toBeGreaterThan(0);
    expect(midWrite).toBeGreaterThan(0);
  }, 120_000);
});
