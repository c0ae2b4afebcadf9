import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic-write';

describe('writeFileAtomic', () => {
  it('writes text and bytes in full, into a directory it creates, leaving no temporary', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'atomic-')), 'a', 'b');
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    writeFileAtomic(join(dir, 'big.bin'), big);
    writeJsonAtomic(join(dir, 'x.json'), { n: 1 });
    expect(Buffer.compare(readFileSync(join(dir, 'big.bin')), Buffer.from(big))).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'x.json'), 'utf8'))).toEqual({ n: 1 });
    expect(readdirSync(dir).sort()).toEqual(['big.bin', 'x.json']);
  });

  it('removes the temporaries a killed writer left for the same file, not those of running writers or other files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    // A process that has exited: its pid no longer runs.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = `m.safetensors.tmp-${gone}-1`;
    const running = `m.safetensors.tmp-${process.pid}-2`;
    const other = `n.safetensors.tmp-${gone}-3`;
    for (const name of [stale, running, other]) writeFileSync(join(dir, name), 'partial');
    writeFileAtomic(join(dir, 'm.safetensors'), 'whole');
    expect(existsSync(join(dir, stale))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['m.safetensors', other, running].sort());
    expect(readFileSync(join(dir, 'm.safetensors'), 'utf8')).toBe('whole');
  });
});
