import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { validateAgainst } from '@weightspace/core';
import { RUN_TS } from '../cli-process';
import { resultSchemas } from '../results/result-schemas';

/**
 * Each paper's reproduction in its smallest configuration (`--smoke`), run as a user runs it: a
 * process of its own that trains through the CLI in child processes. Checks the files it writes,
 * the structure of its results, and the direction of its main finding on this tiny budget.
 */

async function reproduce(name: string): Promise<{ out: string; results: Record<string, unknown>; stdout: string }> {
  const out = join(mkdtempSync(join(tmpdir(), `ws-reproduce-${name}-`)), 'out');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [RUN_TS, join(__dirname, `${name}.ts`), '--smoke', '--out', out, '--jobs', '2', '--backend', 'wasm'],
    {
      timeout: 240000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Record<string, unknown>;
  // Every results file names its reproduction and follows the reproduction schema.
  validateAgainst(resultSchemas.reproduction, results, join(out, 'results.json'));
  expect(results.reproduction).toBe(name);
  return { out, results, stdout };
}

function expectFiles(out: string, files: string[]): void {
  for (const file of files) expect([file, existsSync(join(out, file))]).toEqual([file, true]);
}

interface Barriers {
  midpoint: number;
  max: number;
  accuracy: number;
}

describe('reproductions, smallest configuration', () => {
  it('asymmetric: weight matching lowers the standard nets’ barrier, and the W-asymmetric nets have a lower one unaligned', async () => {
    const { out, results } = await reproduce('asymmetric');
    expectFiles(out, [
      'table.md',
      'asymmetric.svg',
      'models/mlp-s0.safetensors',
      'models/mlp.w-asym-s1.safetensors',
      'models/mlp.sigma-asym-s1.safetensors',
    ]);
    const rows = results.rows as Array<{ key: string; naive: Barriers; aligned?: Barriers; movedByMatching?: number }>;
    expect(rows.map((r) => r.key)).toEqual(['standard/0-1', 'W-asym/0-1', 'σ-asym/0-1']);
    const [standard, wAsym] = rows;
    expect(standard.aligned!.max).toBeLessThan(standard.naive.max);
    expect(wAsym.naive.max).toBeLessThan(standard.naive.max);
    expect(wAsym.movedByMatching).toBeGreaterThanOrEqual(0);
    expect(wAsym.movedByMatching).toBeLessThanOrEqual(1);
  });

  it('transformers: the orthogonal stream beats a permutation-only one, and learned matching beats vanilla averaging', async () => {
    const { out, results } = await reproduce('transformers');
    expectFiles(out, [
      'table.md',
      'transformers.svg',
      'models/gpt-s1.safetensors',
      'models/vit-s1.safetensors',
      'models/gpt-half-s1.safetensors',
    ]);
    const rows = results.rows as Array<{ model: string; method: string; barrier: number; endpoints: number[] }>;
    // 9 methods on each model, 5 on the width-heterogeneous pair.
    expect(rows).toHaveLength(23);
    const half = rows.filter((r) => r.model === 'gpt, B at half width');
    expect(half.map((r) => r.method)).toContain('learned matching (full)');
    // The embedded half-width B is the same model in every form: one endpoint loss for every row.
    for (const row of half) expect(row.endpoints[1]).toBeCloseTo(half[0].endpoints[1], 3);
    const halfBarrier = (method: string) => half.find((r) => r.method === method)!.barrier;
    expect(halfBarrier('learned matching (full)')).toBeLessThan(halfBarrier('vanilla averaging'));
    for (const model of ['gpt', 'vit']) {
      const barrier = (method: string) => rows.find((r) => r.model === model && r.method === method)!.barrier;
      expect(barrier('weight matching, canonical form, orthogonal stream')).toBeLessThan(
        barrier('weight matching, canonical form, permutation-only stream'),
      );
      expect(barrier('learned matching (full)')).toBeLessThan(barrier('vanilla averaging'));
    }
  });
});
