import { ConfigError } from '@weightspace/core';
import { cellsOf, parseSweepFile, type SweepFile } from './sweep-file';
import { canonicalJson, expandSweep, jobId, type TrainJobInputs } from './job-graph';
import { jobCommand } from './job-runner';

const base = {
  arch: 'mlp',
  config: { input: 784, hidden: [32], classes: 10 },
  dataset: 'mnist',
  train: { epochs: 1, batchSize: 128, learningRate: 0.001 },
  pairs: [[0, 1]],
};

describe('sweep files', () => {
  it('cross the listed cells with every grid combination, the first grid field varying slowest', () => {
    const sweep: SweepFile = {
      name: 'widths',
      base,
      grid: { 'config.hidden': [[32], [64]], 'train.epochs': [1, 3] },
      cells: [{ dataset: 'mnist' }, { dataset: 'fashion-mnist' }],
    };
    const cells = cellsOf(sweep);
    expect(cells).toHaveLength(8);
    expect(
      cells.map((c) => [
        c.dataset,
        (c.config as { hidden: number[] }).hidden[0],
        (c.train as { epochs: number }).epochs,
      ]),
    ).toEqual([
      ['mnist', 32, 1],
      ['mnist', 32, 3],
      ['mnist', 64, 1],
      ['mnist', 64, 3],
      ['fashion-mnist', 32, 1],
      ['fashion-mnist', 32, 3],
      ['fashion-mnist', 64, 1],
      ['fashion-mnist', 64, 3],
    ]);
    // The base is left as it was, and the other config fields stay in every cell.
    expect(base.config.hidden).toEqual([32]);
    expect(cells.every((c) => (c.config as { input: number }).input === 784)).toBe(true);
  });

  it('expands each part from the base with its own fields, grid and cells, after the file’s cells', () => {
    const sweep: SweepFile = {
      name: 'two models',
      base,
      grid: { 'config.hidden': [[32], [64]] },
      parts: [
        {
          base: { arch: 'resnet20', config: { input: [28, 28, 1], classes: 10, width: 1 } },
          grid: { 'config.width': [1, 2] },
          cells: [{ 'train.epochs': 2 }],
        },
      ],
    };
    const cells = cellsOf(sweep);
    expect(cells.map((c) => [c.arch, c.config, (c.train as { epochs: number }).epochs, c.dataset])).toEqual([
      ['mlp', { ...base.config, hidden: [32] }, 1, 'mnist'],
      ['mlp', { ...base.config, hidden: [64] }, 1, 'mnist'],
      ['resnet20', { input: [28, 28, 1], classes: 10, width: 1 }, 2, 'mnist'],
      ['resnet20', { input: [28, 28, 1], classes: 10, width: 2 }, 2, 'mnist'],
    ]);
    // A part's cell at fault is named with its part.
    const bad = { ...sweep, parts: [{ cells: [{ 'train.epochs': 0 }] }] };
    expect(() => parseSweepFile(bad, 'p.json')).toThrow(/^p\.json, cell 2 \(part=1, train\.epochs=0\)/);
  });

  it('fills in the defaults of a cell', () => {
    const { cells } = parseSweepFile({ name: 'one', base }, 'one.json');
    expect(cells[0]).toMatchObject({
      methods: ['none', 'weight'],
      corrections: ['plain'],
      metrics: ['barrier'],
      points: 25,
    });
  });

  it('names the file, the cell and the field at fault', () => {
    const bad = { name: 'bad', base, grid: { 'train.epochs': [1, 0] } };
    expect(() => parseSweepFile(bad, 'bad.json')).toThrow(ConfigError);
    expect(() => parseSweepFile(bad, 'bad.json')).toThrow(
      /^bad\.json, cell 1 \(train\.epochs=0\): \/train\/epochs must be >= 1$/,
    );
    expect(() => parseSweepFile({ name: 'x', base, grid: { 'config..hidden': [[1]] } }, 'x.json')).toThrow(
      /^x\.json: \/grid/,
    );
    expect(() => parseSweepFile({ name: 'x', base: { ...base, corrections: ['repiar'] } }, 'x.json')).toThrow(
      /cell 0 \(base\): \/corrections\/0 must be one of plain, bn-reset, repair/,
    );
    expect(() => parseSweepFile({ name: 'x', base, extra: 1 }, 'x.json')).toThrow(
      /^x\.json: \(root\) has unknown property 'extra'/,
    );
  });
});

describe('the job graph of a sweep', () => {
  const { cells } = parseSweepFile(
    {
      name: 'methods and widths',
      base: {
        ...base,
        pairs: [
          [0, 1],
          [0, 2],
        ],
        methods: ['none', 'weight'],
        corrections: ['plain', 'repair'],
      },
      grid: { 'config.hidden': [[32], [64]] },
    },
    'sweep.json',
  );
  const jobs = expandSweep(cells);

  it('trains each model once, however many pairs and methods use it', () => {
    const train = jobs.filter((j) => j.kind === 'train');
    // Seeds 0, 1, 2 at two widths: seed 0 serves both of its pairs.
    expect(train).toHaveLength(6);
    expect(jobs.filter((j) => j.kind === 'align')).toHaveLength(2 * 2 * 2);
    expect(jobs.filter((j) => j.kind === 'evaluate')).toHaveLength(2 * 2 * 2 * 2);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(jobs.length);
  });

  it('lists every job after the jobs it depends on, and depends only on jobs of the graph', () => {
    const seen = new Set<string>();
    for (const job of jobs) {
      for (const dependency of job.dependsOn) expect(seen.has(dependency)).toBe(true);
      seen.add(job.id);
    }
  });

  it('gives the same work the same id whatever the key order, and different work another', () => {
    const again = expandSweep(cells.map((c) => JSON.parse(canonicalJson(c))));
    expect(again.map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(jobId('train', { a: 1, b: { c: 2, d: 3 } })).toBe(jobId('train', { b: { d: 3, c: 2 }, a: 1 }));
    expect(jobId('train', { a: 1 })).not.toBe(jobId('train', { a: 2 }));
    expect(jobId('train', { a: 1 })).not.toBe(jobId('align', { a: 1 }));
    // A cell repeated (here by a grid of one value twice) adds no job.
    const doubled = parseSweepFile({ name: 'twice', base, grid: { 'train.epochs': [1, 1] } }, 'twice.json');
    expect(expandSweep(doubled.cells)).toHaveLength(expandSweep(doubled.cells.slice(0, 1)).length);
  });

  it('merges each set by each method after its models, and measures the robustness of models and merges once each', () => {
    const { cells: merging } = parseSweepFile(
      {
        name: 'merges',
        base: {
          ...base,
          pairs: [],
          merges: {
            sets: [
              [0, 1],
              [0, 1, 2, 3],
            ],
            methods: ['average', 'mergemany'],
          },
          robustness: { eps: [0.1] },
        },
      },
      'merges.json',
    );
    const graph = expandSweep(merging);
    const of = (kind: string) => graph.filter((j) => j.kind === kind);
    expect(of('train')).toHaveLength(4);
    expect(of('merge')).toHaveLength(2 * 2);
    // Four models (seeds 0 and 1 measured once though in both sets) and four merges.
    expect(of('robustness')).toHaveLength(4 + 4);
    const trained = new Set(of('train').map((j) => j.id));
    for (const merge of of('merge')) expect(merge.dependsOn.every((d) => trained.has(d))).toBe(true);
    expect(of('merge').map((j) => (j.inputs as { matcher?: string }).matcher)).toEqual([
      undefined,
      'weight',
      undefined,
      'weight',
    ]);
  });

  it('spawns every model of a cell from one parent trained first, which the children depend on', () => {
    const { cells: spawning } = parseSweepFile(
      { name: 'spawned', base: { ...base, pairs: [[11, 12]], spawn: { seed: 10, epochs: 1 } } },
      'spawned.json',
    );
    const trains = expandSweep(spawning).filter((j) => j.kind === 'train');
    expect(trains.map((j) => (j.inputs as { seed: number }).seed)).toEqual([10, 11, 12]);
    const [parent, ...children] = trains;
    expect((parent.inputs as { train: { epochs: number }; init?: string }).init).toBeUndefined();
    expect((parent.inputs as { train: { epochs: number } }).train.epochs).toBe(1);
    for (const child of children) {
      expect(child.dependsOn).toEqual([parent.id]);
      expect((child.inputs as { init?: string }).init).toBe(parent.id);
    }
  });

  it('trains B with configB: a pair of two widths, each model its own job', () => {
    const { cells: twoWidths } = parseSweepFile(
      { name: 'two widths', base: { ...base, pairs: [[0, 1]], configB: { hidden: [16] } } },
      'widths.json',
    );
    const jobs = expandSweep(twoWidths);
    const configs = jobs.filter((j) => j.kind === 'train').map((j) => (j.inputs as { config: unknown }).config);
    expect(configs).toEqual([base.config, { ...base.config, hidden: [16] }]);
  });

  it('matches with the cell’s form, orthogonal groups, sweeps and architecture, and keeps `none` one job', () => {
    const options = {
      form: 'circuits',
      orthogonalAs: 'permutation',
      maxIterations: 20,
      arch: 'mlp',
      learningRate: 3e-4,
    };
    const { cells: matched } = parseSweepFile(
      { name: 'forms', base: { ...base, methods: ['none', 'weight'], metrics: [], align: options } },
      'forms.json',
    );
    const jobs = expandSweep(matched);
    const aligns = jobs.filter((j) => j.kind === 'align');
    expect(aligns.map((j) => (j.inputs as { options?: unknown }).options)).toEqual([undefined, options]);
    expect(jobs.filter((j) => j.kind === 'evaluate')).toEqual([]);
    const byId = new Map(jobs.map((j) => [j.id, j]));
    expect(jobCommand(aligns[1], byId, '/store', 'wasm')).toEqual(
      expect.arrayContaining(['--form', 'circuits', '--orthogonal-as', 'permutation', '--arch', 'mlp']),
    );
    expect(jobCommand(aligns[1], byId, '/store', 'wasm')?.join(' ')).toContain('--max-iterations 20');
    expect(jobCommand(aligns[1], byId, '/store', 'wasm')?.join(' ')).toContain('--lr 0.0003');
  });

  it('measures the training-loss barrier on the samples the models were trained on, or on as many as asked', () => {
    const commandsOf = (cell: Record<string, unknown>) => {
      const jobs = expandSweep(parseSweepFile({ name: 'fit', base: { ...base, ...cell } }, 'fit.json').cells);
      const byId = new Map(jobs.map((j) => [j.id, j]));
      return jobs.filter((j) => j.kind === 'evaluate').map((j) => jobCommand(j, byId, '/s', 'wasm')!.join(' '));
    };
    const trainedOnPart = { ...base.train, trainLimit: 1000 };
    const [test, train] = commandsOf({
      methods: ['none'],
      metrics: ['barrier', 'train-barrier'],
      train: trainedOnPart,
    });
    expect(test).not.toContain('--split');
    expect(train).toContain('interpolate');
    expect(train).toContain('--split train --train-limit 1000');
    const [asked] = commandsOf({ methods: ['none'], metrics: ['train-barrier'], trainBarrierSamples: 300 });
    expect(asked).toContain('--split train --train-limit 300');
    // No limit anywhere: the whole training split.
    const [whole] = commandsOf({ methods: ['none'], metrics: ['train-barrier'], testLimit: 50 });
    expect(whole).toContain('--split train');
    expect(whole).not.toMatch(/--train-limit|--test-limit/);
  });

  it('refuses metrics on an alignment under another architecture’s symmetry, naming the cell', () => {
    expect(() =>
      parseSweepFile({ name: 'w', base: { ...base, align: { arch: 'mlp' }, metrics: ['barrier'] } }, 'w.json'),
    ).toThrow(/w\.json, cell 0 \(base\): align\.arch matches under mlp's symmetry.*give "metrics": \[\]/);
  });

  it('warm-starts children from a parent of another config, and passes matcher options and brute force to align', () => {
    const { cells: warm } = parseSweepFile(
      {
        name: 'warm',
        base: {
          ...base,
          pairs: [[1, 2]],
          config: { ...base.config, bias: false },
          spawn: { seed: 0, epochs: 1, config: { hidden: [8], bias: null } },
          methods: ['weight'],
          align: { matcherOptions: { expertCost: 'gram', stages: 'both' }, bruteForce: { points: 3, testLimit: 50 } },
        },
      },
      'warm.json',
    );
    const jobs = expandSweep(warm);
    const [parent, ...children] = jobs.filter((j) => j.kind === 'train');
    expect((parent.inputs as { config: unknown }).config).toEqual({ ...base.config, hidden: [8] });
    for (const child of children) {
      expect(child.inputs).toMatchObject({ config: { ...base.config, bias: false }, warmStart: parent.id });
      expect((child.inputs as { init?: string }).init).toBeUndefined();
    }
    const byId = new Map(jobs.map((j) => [j.id, j]));
    expect(jobCommand(children[0], byId, '/s', 'wasm')).toEqual(
      expect.arrayContaining(['--warm-start', `/s/models/${parent.id}.safetensors`]),
    );
    const align = jobs.find((j) => j.kind === 'align')!;
    const command = jobCommand(align, byId, '/s', 'wasm')!.join(' ');
    expect(command).toContain('--matcher-option expertCost=gram,stages=both');
    expect(command).toContain('--brute-force --points 3 --test-limit 50');
  });

  it('refuses a cell with neither pairs nor merges nor models nor initPaths, naming it', () => {
    expect(() => parseSweepFile({ name: 'empty', base: { ...base, pairs: [] } }, 'empty.json')).toThrow(
      /empty\.json, cell 0 \(base\): give pairs to compare, merges to make, models to train or initPaths to measure/,
    );
    const spawned = { ...base, spawn: { seed: 9, epochs: 1 }, initPaths: [0] };
    expect(() => parseSweepFile({ name: 'spawned', base: spawned }, 'spawned.json')).toThrow(
      /spawned\.json, cell 0 \(base\): initPaths start at a seed's own initialisation/,
    );
  });

  it('measures the path from each seed of initPaths’ initialisation to its trained model, sharing the trained model', () => {
    const { cells } = parseSweepFile({ name: 'mli', base: { ...base, initPaths: [0, 2] } }, 'mli.json');
    const graph = expandSweep(cells);
    const byId = new Map(graph.map((j) => [j.id, j]));
    const trained = graph.filter((j) => j.kind === 'train').map((j) => j.inputs as TrainJobInputs);
    // Seeds 0 and 1 for the pair, seed 2 for a path, and the initialisations of seeds 0 and 2.
    expect(trained.map((t) => `${t.seed}@${t.train.epochs}`).sort()).toEqual(['0@0', '0@1', '1@1', '2@0', '2@1']);
    const paths = graph.filter(
      (j) =>
        j.kind === 'align' && (byId.get((j.inputs as { a: string }).a)!.inputs as TrainJobInputs).train.epochs === 0,
    );
    expect(paths.map((j) => (j.inputs as { method: string }).method)).toEqual(['none', 'none']);
    for (const path of paths) {
      const { a, b } = path.inputs as { a: string; b: string };
      const [start, end] = [a, b].map((id) => byId.get(id)!.inputs as TrainJobInputs);
      expect([start.seed, start.train.epochs, end.train.epochs]).toEqual([end.seed, 0, 1]);
      expect(
        graph.filter((j) => j.kind === 'evaluate' && (j.inputs as { align: string }).align === path.id),
      ).toHaveLength(1);
      const command = jobCommand(byId.get(a)!, byId, '/s', 'wasm')!.join(' ');
      expect(command).toContain(`--seed ${start.seed} --epochs 0`);
    }
  });

  it('trains the models of `models` on their own and measures each one’s robustness, sharing jobs with merges', () => {
    const merges = { sets: [[0, 1]], methods: ['average'] };
    const { cells } = parseSweepFile(
      {
        name: 'models',
        base: { ...base, pairs: [], robustness: { eps: [0.1] } },
        cells: [{ models: [1, 2] }, { merges }, { models: [0], 'train.epochs': 2 }],
      },
      'models.json',
    );
    const graph = expandSweep(cells);
    const of = (kind: string) => graph.filter((j) => j.kind === kind);
    // Seeds 0, 1, 2 at the base's epochs (seed 1 shared with the merge) and seed 0 at two epochs.
    const trained = of('train').map((j) => j.inputs as TrainJobInputs);
    expect(trained.map((t) => `${t.seed}@${t.train.epochs}`).sort()).toEqual(['0@1', '0@2', '1@1', '2@1']);
    expect(of('robustness')).toHaveLength(4 + 1);
    expect(of('align')).toHaveLength(0);
  });
});
