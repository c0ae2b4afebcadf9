import { mlp } from '@weightspace/arch-mlp';
import { ConfigError, saveParams, validateAgainst } from '@weightspace/core';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from '../testing/run-cli';
import { RESULT_KINDS, type ResultKind, SCHEMA_VERSION } from './result-files';
import { resultSchemas } from './result-schemas';

/** Every JSON file the commands write follows its schema, and the schemas refuse what breaks them. */
const dir = mkdtempSync(join(tmpdir(), 'ws-results-'));
const fits = { input: 16, hidden: [8], classes: 4 };
const [a, b] = [0, 1].map((seed) => {
  const file = join(dir, `${'ab'[seed]}.safetensors`);
  saveParams(file, mlp.init(fits, seed), { 'weightspace.arch': 'mlp', 'weightspace.config': JSON.stringify(fits) });
  return file;
});
const pair = ['--a', a, '--b', b, '--dataset', 'blobs'];
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

const written: Array<[ResultKind, string[], string]> = [
  ['alignment', ['align', '--a', a, '--b', b, '--out', join(dir, 'align')], join(dir, 'align', 'alignment.json')],
  ['curve', ['interpolate', ...pair, '--points', '3', '--out', join(dir, 'curve')], join(dir, 'curve', 'curve.json')],
  ['llfc', ['llfc', ...pair, '--out', join(dir, 'llfc')], join(dir, 'llfc', 'llfc.json')],
  ['lewc', ['lewc', ...pair, '--points', '3', '--out', join(dir, 'lewc')], join(dir, 'lewc', 'lewc.json')],
  [
    'robustness',
    ['robustness', '--model', a, '--dataset', 'blobs', '--attack-limit', '8', '--out', join(dir, 'robust')],
    join(dir, 'robust', 'robustness.json'),
  ],
  ['merge', ['merge', '--method', 'mergemany', '--out', join(dir, 'm.safetensors'), a, b], join(dir, 'm.json')],
];

describe('result files', () => {
  it.each(written)('%s: the file a command writes follows its schema, header first', async (kind, args, file) => {
    const r = await cli(...args);
    expect(r.code).toBe(0);
    const result = read(file);
    expect(Object.keys(result).slice(0, 2)).toEqual(['schema', 'schemaVersion']);
    expect([result.schema, result.schemaVersion]).toEqual([`weightspace/${kind}`, SCHEMA_VERSION]);
    expect(() => validateAgainst(resultSchemas[kind], result, file)).not.toThrow();
  });

  it('report: a run writes a report.json that follows its schema', async () => {
    const experiment = join(dir, 'experiment.json');
    const out = join(dir, 'run');
    writeFileSync(
      experiment,
      JSON.stringify({
        arch: 'mlp',
        config: fits,
        dataset: 'blobs',
        seeds: [0, 1],
        train: { epochs: 1, batchSize: 64, learningRate: 0.01 },
        interpolate: { points: 3 },
        out,
      }),
    );
    expect((await cli('run', experiment)).code).toBe(0);
    expect(() => validateAgainst(resultSchemas.report, read(join(out, 'report.json')), 'report.json')).not.toThrow();
  });

  it.each(written.map(([kind, , file]) => [kind, file] as const))(
    '%s: a file without a required field, with another kind or version, is refused',
    (kind, file) => {
      const result = read(file);
      const schema = resultSchemas[kind] as { required: string[] };
      for (const field of schema.required) {
        const { [field]: _, ...missing } = result;
        expect(() => validateAgainst(schema, missing, file)).toThrow(ConfigError);
      }
      expect(() => validateAgainst(schema, { ...result, schemaVersion: SCHEMA_VERSION + 1 }, file)).toThrow(
        ConfigError,
      );
      const other = RESULT_KINDS.find((k) => k !== kind) as ResultKind;
      expect(() => validateAgainst(schema, { ...result, schema: `weightspace/${other}` }, file)).toThrow(ConfigError);
    },
  );
});
