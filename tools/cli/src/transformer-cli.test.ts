import { loadParams, saveParams } from '@weightspace/core';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, expectUserError } from './testing/run-cli';

/**
 * The transformers through the CLI as a user drives them: train two character GPTs on Moby-Dick,
 * align them in the canonical form (orthogonal stream) by weight and by learned matching,
 * interpolate an original model against a canonical aligned one, and the bad inputs named by the
 * architecture's contract.
 */
const dir = mkdtempSync(join(tmpdir(), 'ws-transformer-'));
const tiny = { vocabulary: 83, context: 64, tied: true, dim: 16, depth: 1, heads: 2, mlpWidth: 32, norm: 'layernorm' };
const file = (name: string) => join(dir, name);

/** `weightspace train --arch gpt --dataset moby-dick` with `config`, into `out`, with further flags. */
function trainGpt(config: object, out: string, ...flags: string[]) {
  return cli(
    'train',
    '--arch',
    'gpt',
    '--dataset',
    'moby-dick',
    '--config',
    JSON.stringify(config),
    '--out',
    file(out),
    ...flags,
  );
}

let trained: Promise<void> | undefined;
function trainedPair(): Promise<void> {
  trained ??= (async () => {
    for (const seed of [0, 1]) {
      const flags = [
        '--epochs',
        '1',
        '--batch-size',
        '32',
        '--lr',
        '0.003',
        '--train-limit',
        '1500',
        '--seed',
        String(seed),
      ];
      expect((await trainGpt(tiny, `g${seed}.safetensors`, ...flags)).code).toBe(0);
    }
  })();
  return trained;
}

/** What alignment.json records of a transformer alignment. */
interface StreamRecord {
  method: string;
  groups: { stream: number[][] };
}

/** `align` of the trained pair into `out`, with further flags. */
async function alignPair(out: string, ...flags: string[]) {
  await trainedPair();
  return cli('align', '--a', file('g0.safetensors'), '--b', file('g1.safetensors'), '--out', file(out), ...flags);
}

/** `weightspace interpolate` of checkpoints `a` and `b` (names in the test folder) on 40 test windows, as JSON. */
function interpolateText(a: string, b: string, out: string, points: number) {
  return cli(
    'interpolate',
    ...['--a', file(a), '--b', file(b), '--dataset', 'moby-dick', '--test-limit', '40'],
    ...['--points', String(points), '--out', file(out), '--json'],
  );
}

describe('transformers through the CLI', () => {
  it('align matches the stream as an orthogonal map in the canonical form, and interpolate reads original A against it', async () => {
    const aligned = await alignPair('weight', '--json');
    expect(aligned.code).toBe(0);
    const record = JSON.parse(aligned.out) as { plan: Record<string, string>; groups: Record<string, unknown> };
    expect(record.plan).toMatchObject({ stream: 'weight', 'heads.0': 'weight', 'qk.0': 'weight', 'mlp.0': 'weight' });
    const stream = record.groups.stream as number[][];
    expect(stream).toHaveLength(16);
    // An orthogonal matrix, not a permutation: rows of unit length with several non-zero entries.
    expect(stream[0].reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 5);
    expect(stream[0].filter((v) => Math.abs(v) > 1e-3).length).toBeGreaterThan(1);
    // The aligned B is written in the canonical form: no norm parameters.
    const written = loadParams(file('weight/b_aligned.safetensors'));
    expect(Object.keys(written.params)).not.toContain('transformer.h.0.ln_1.weight');
    expect(JSON.parse(written.metadata['weightspace.config'])).toMatchObject({ folded: true, norm: 'rmsnorm' });

    const curve = await interpolateText('g0.safetensors', 'weight/b_aligned.safetensors', 'curve', 5);
    expect(curve.code).toBe(0);
    const result = JSON.parse(curve.out) as { points: Array<{ loss: number }> };
    expect(result.points).toHaveLength(5);
    expect(result.points.every((p) => Number.isFinite(p.loss))).toBe(true);
  });

  it('align --method learned trains the maps on the training text and writes a function-preserving B', async () => {
    const r = await alignPair(
      'learned',
      '--method',
      'learned',
      '--dataset',
      'moby-dick',
      '--samples',
      '400',
      '--steps',
      '20',
      '--batch-size',
      '16',
    );
    expect(r.code).toBe(0);
    expect(existsSync(file('learned/b_aligned.safetensors'))).toBe(true);
    const record = JSON.parse(readFileSync(file('learned/alignment.json'), 'utf8')) as StreamRecord;
    expect(record.method).toBe('learned');
    // --lr reaches the optimiser: at a negligible rate the maps stay at weight matching's answer,
    // at the default they move off it.
    const learnedFlags = ['--method', 'learned', '--dataset', 'moby-dick', '--samples', '400', '--steps', '20'];
    const still = await alignPair('learned-still', ...learnedFlags, '--batch-size', '16', '--lr', '1e-9');
    const weight = await alignPair('learned-weight', '--json');
    expect([still.code, weight.code]).toEqual([0, 0]);
    const streamOf = (out: string) =>
      (JSON.parse(readFileSync(file(`${out}/alignment.json`), 'utf8')) as StreamRecord).groups.stream.flat();
    const gap = (x: number[], y: number[]) => Math.max(...x.map((v, i) => Math.abs(v - y[i])));
    expect(gap(streamOf('learned-still'), streamOf('learned-weight'))).toBeLessThan(1e-5);
    expect(gap(streamOf('learned'), streamOf('learned-weight'))).toBeGreaterThan(1e-3);
    expectUserError(await alignPair('learned-bad', ...learnedFlags, '--lr', '0'), /--lr must be a positive number/);
    // Without a dataset too.
    expectUserError(await alignPair('weight-bad', '--lr=-1'), /--lr must be a positive number, got '-1'/);
  });

  it('align --form circuits matches heads as whole circuits, and interpolate reads original A against the circuit-form B', async () => {
    const aligned = await alignPair('circuits', '--form', 'circuits', '--json');
    expect(aligned.code).toBe(0);
    const record = JSON.parse(aligned.out) as { plan: Record<string, string> };
    // The per-head maps are part of the circuits: no group of their own is left to match.
    expect(Object.keys(record.plan).sort()).toEqual(['heads.0', 'mlp.0', 'stream']);
    const written = loadParams(file('circuits/b_aligned.safetensors'));
    expect(written.params['transformer.h.0.attn.qk.weight'].shape).toEqual([2, 16, 16]);
    expect(JSON.parse(written.metadata['weightspace.config'])).toMatchObject({ circuits: true, folded: true });
    const curve = await interpolateText('g0.safetensors', 'circuits/b_aligned.safetensors', 'circuits-curve', 3);
    expect(curve.code).toBe(0);
    expectUserError(
      await alignPair('nonsense', '--form', 'tucker'),
      /--form tucker: 'gpt' has the forms canonical, original, circuits/,
    );
  });

  it('--orthogonal-as permutation matches the stream by a permutation matrix', async () => {
    const r = await alignPair('permutation', '--orthogonal-as', 'permutation', '--json');
    expect(r.code).toBe(0);
    const stream = (JSON.parse(r.out) as { groups: { stream: number[][] } }).groups.stream;
    for (const row of stream) expect(row.filter((v) => v !== 0)).toEqual([1]);
  });

  it('merge --method mergemany of two GPTs settles (its per-head maps to float noise) and writes a gpt', async () => {
    await trainedPair();
    const r = await cli(
      'merge',
      '--method',
      'mergemany',
      '--out',
      file('merged.safetensors'),
      file('g0.safetensors'),
      file('g1.safetensors'),
      '--json',
    );
    expect(r.code).toBe(0);
    const record = JSON.parse(r.out) as { rounds: number };
    expect(record.rounds).toBeLessThan(10);
    expect(loadParams(file('merged.safetensors')).metadata['weightspace.arch']).toBe('gpt');
    // An original model beside the canonical one `align` wrote: merged in canonical form.
    await alignPair('for-merge');
    const mixed = await cli(
      'merge',
      '--method',
      'average',
      '--out',
      file('mixed.safetensors'),
      file('g0.safetensors'),
      file('for-merge/b_aligned.safetensors'),
    );
    expect(mixed.code).toBe(0);
    expect(JSON.parse(loadParams(file('mixed.safetensors')).metadata['weightspace.config'])).toMatchObject({
      folded: true,
    });
  });

  it('interpolate, align and merge take a model of half the width, embedded into the wider one', async () => {
    await trainedPair();
    const half = { ...tiny, dim: 8, heads: 1, mlpWidth: 16 };
    const flags = ['--epochs', '1', '--batch-size', '32', '--lr', '0.003', '--train-limit', '1500', '--seed', '2'];
    expect((await trainGpt(half, 'half.safetensors', ...flags)).code).toBe(0);
    const curve = async (a: string, b: string, out: string) => {
      const r = await interpolateText(a, b, out, 5);
      expect(r.code).toBe(0);
      return { ...(JSON.parse(r.out) as { points: Array<{ loss: number }>; barriers: { loss: number } }), log: r.err };
    };
    // The embedded half-width model is still itself: the curve's end is its own loss.
    const itself = await curve('half.safetensors', 'half.safetensors', 'half-itself');
    const naive = await curve('g0.safetensors', 'half.safetensors', 'half-naive');
    expect(naive.log).toMatch(
      /note: .*half\.safetensors embedded into the wider model's width \(.*dim 8 → 16, heads 1 → 2, mlpWidth 16 → 32/,
    );
    expect(Math.abs(naive.points[4].loss - itself.points[0].loss)).toBeLessThan(1e-4);
    // Aligned to A at A's width, the barrier drops.
    const aligned = await cli(
      'align',
      '--a',
      file('g0.safetensors'),
      '--b',
      file('half.safetensors'),
      '--out',
      file('half-weight'),
    );
    expect(aligned.code).toBe(0);
    const after = await curve('g0.safetensors', 'half-weight/b_aligned.safetensors', 'half-aligned');
    expect(after.barriers.loss).toBeLessThan(naive.barriers.loss);
    const merged = await cli(
      'merge',
      '--method',
      'mergemany',
      '--out',
      file('merged-widths.safetensors'),
      file('half.safetensors'),
      file('g0.safetensors'),
      file('g1.safetensors'),
    );
    expect(merged.code).toBe(0);
    expect(JSON.parse(loadParams(file('merged-widths.safetensors')).metadata['weightspace.config'])).toMatchObject({
      dim: 16,
      mlpWidth: 32,
    });
    // Wider in the stream but narrower in the MLP than A: neither model can hold the other.
    expect(
      (await trainGpt({ ...tiny, dim: 32, mlpWidth: 16 }, 'odd.safetensors', '--epochs', '1', '--train-limit', '64'))
        .code,
    ).toBe(0);
    expectUserError(
      await cli(
        'interpolate',
        '--a',
        file('g0.safetensors'),
        '--b',
        file('odd.safetensors'),
        '--dataset',
        'moby-dick',
        '--out',
        file('odd'),
      ),
      /g0\.safetensors, .*odd\.safetensors: no one of these gpt models is at least as wide as the others/,
    );
  });

  it('refuses text for an image model, a head count that does not divide the width, and a missing or extra attention tensor', async () => {
    expectUserError(
      await cli('train', '--arch', 'vit', '--dataset', 'moby-dick', '--out', file('x.safetensors')),
      /dataset 'moby-dick' holds text \(token ids\), which 'vit' does not read/,
    );
    expectUserError(
      await cli('train', '--arch', 'gpt', '--dataset', 'mnist', '--out', file('x.safetensors')),
      /'gpt' reads token ids \(text\) but dataset 'mnist' holds feature values/,
    );
    expectUserError(await trainGpt({ ...tiny, heads: 3 }, 'x.safetensors'), /gpt: heads \(3\) must divide dim \(16\)/);
    await trainedPair();
    const saved = loadParams(file('g1.safetensors'));
    const missing = { ...saved.params };
    delete missing['transformer.h.0.attn.c_attn.weight'];
    saveParams(file('missing.safetensors'), missing, saved.metadata);
    expectUserError(
      await cli('align', '--a', file('g0.safetensors'), '--b', file('missing.safetensors'), '--out', file('m')),
      /'transformer\.h\.0\.attn\.c_attn\.weight' is in a gpt .* but not in .*missing\.safetensors/,
    );
    const extra = { ...saved.params, 'transformer.h.0.attn.bias_mask': saved.params['transformer.wpe.weight'] };
    saveParams(file('extra.safetensors'), extra, saved.metadata);
    expectUserError(
      await cli('align', '--a', file('g0.safetensors'), '--b', file('extra.safetensors'), '--out', file('e')),
      /'transformer\.h\.0\.attn\.bias_mask' is in .*extra\.safetensors/,
    );
    expect(existsSync(file('m'))).toBe(false);
    expect(existsSync(file('e'))).toBe(false);
  });

  it('reads a checkpoint without its config given --heads and --norm-epsilon, which shapes cannot tell, and refuses one that disagrees', async () => {
    await trainedPair();
    // As PyTorch would save it: the tensors alone (width 16, two heads of 8: not the default 64 per head).
    for (const seed of [0, 1])
      saveParams(file(`bare${seed}.safetensors`), loadParams(file(`g${seed}.safetensors`)).params, {});
    const curve = (a: string, b: string, out: string, ...flags: string[]) =>
      cli(
        ...['interpolate', '--arch', 'gpt', '--a', file(a), '--b', file(b), '--dataset', 'moby-dick'],
        ...['--points', '3', '--test-limit', '40', '--out', file(out), '--json', ...flags],
      );
    expectUserError(
      await curve('bare0.safetensors', 'bare1.safetensors', 'bare'),
      /gpt: the head count is not in the tensor shapes and width 16 is not a multiple of 64: give it \(--heads N\)/,
    );
    const given = await curve('bare0.safetensors', 'bare1.safetensors', 'bare', '--heads', '2');
    const recorded = await curve('g0.safetensors', 'g1.safetensors', 'recorded');
    expect(given.code).toBe(0);
    // The right head count gives the recorded models' curve exactly; a wrong one, other logits.
    const loss = (r: { out: string }) =>
      (JSON.parse(r.out) as { points: Array<{ loss: number }> }).points.map((p) => p.loss);
    expect(loss(given)).toEqual(loss(recorded));
    const four = await curve('bare0.safetensors', 'bare1.safetensors', 'four', '--heads', '4');
    expect(four.code).toBe(0);
    expect(loss(four)).not.toEqual(loss(recorded));
    expectUserError(
      await curve('bare0.safetensors', 'bare1.safetensors', 'x', '--heads', '3'),
      /gpt: heads \(3\) must divide dim \(16\)/,
    );
    expectUserError(
      await curve('g0.safetensors', 'g1.safetensors', 'y', '--heads', '4'),
      /g0\.safetensors: its config has heads 2, --heads says 4/,
    );
    // The norms' ε, which shapes cannot tell either: taken where no config is recorded.
    const epsilon = await curve(
      'bare0.safetensors',
      'bare1.safetensors',
      'eps',
      '--heads',
      '2',
      '--norm-epsilon',
      '1e-6',
    );
    expect(epsilon.code).toBe(0);
    expect(loss(epsilon)).not.toEqual(loss(recorded));
    expectUserError(
      await curve('g0.safetensors', 'g1.safetensors', 'z', '--norm-epsilon', '1e-6'),
      /g0\.safetensors: its config has no 'normEpsilon' \(given by --norm-epsilon\)/,
    );
  });
});
