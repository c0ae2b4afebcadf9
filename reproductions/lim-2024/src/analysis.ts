import type {
  AlignJobInputs,
  ReproductionAnalysis,
  ReproductionInput,
  ResultRow,
  SweepJob,
  TrainJobInputs,
} from '@weightspace/cli';
import { evaluationsOf, markdownTable } from '@weightspace/cli';
import { linePlotSvg, meanStd } from '@weightspace/core';

/** The three networks compared, by architecture id. */
const KINDS: Record<string, Network> = { mlp: 'standard', 'mlp.w-asym': 'W-asym', 'mlp.sigma-asym': 'σ-asym' };
export type Network = 'standard' | 'W-asym' | 'σ-asym';

/** The barriers of one interpolation curve. */
export interface Barriers {
  midpoint: number;
  max: number;
  accuracy: number;
}

/**
 * One seed pair of one network: its barriers as trained (naive); for standard nets also after
 * weight matching; for W-asymmetric ones the fraction of hidden units weight matching under the
 * standard MLP's permutations moves when run on them anyway.
 */
export interface PairRow {
  key: string;
  kind: Network;
  pair: [number, number];
  naive?: Barriers;
  aligned?: Barriers;
  movedByMatching?: number;
}

/** What `weightspace interpolate` reports of a curve (the fields used here). */
interface CurveResult {
  barriers: { loss: number; midpointLoss: number; accuracy: number };
}

/**
 * What `weightspace align` reports (the fields used here): the element found, per group, as JSON
 * (a permutation is an array of unit indices; matrices are arrays of rows, batched values objects).
 */
interface AlignmentResult {
  groups: Record<string, unknown>;
}

/** Whether a group's JSON value is a permutation: a flat array of indices. */
function isPermutation(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

/** The fraction of units an alignment's permutations move (over every permutation group). */
export function movedFraction(alignment: AlignmentResult): number {
  const perms = Object.values(alignment.groups).filter(isPermutation);
  const units = perms.reduce((n, p) => n + p.length, 0);
  return units ? perms.reduce((n, p) => n + p.filter((target, i) => target !== i).length, 0) / units : 0;
}

/** The sweep's rows as one row per network and seed pair, in the order of the networks, then pairs. */
export function pairRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): PairRow[] {
  const found = new Map<string, PairRow>();
  const rowOf = (a: TrainJobInputs, b: TrainJobInputs): PairRow => {
    const kind = KINDS[a.arch];
    const key = `${kind}/${a.seed}-${b.seed}`;
    const row = found.get(key) ?? { key, kind, pair: [a.seed, b.seed] };
    found.set(key, row);
    return row;
  };
  for (const { align, a, b, metrics } of evaluationsOf(jobs, rows)) {
    const { barriers } = metrics as unknown as CurveResult;
    const summary = { midpoint: barriers.midpointLoss, max: barriers.loss, accuracy: barriers.accuracy };
    rowOf(a, b)[align.method === 'none' ? 'naive' : 'aligned'] = summary;
  }
  // Alignments under another architecture's symmetry have no evaluation: their element is the result.
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const row of rows) {
    const inputs = row.inputs as AlignJobInputs;
    if (row.kind !== 'align' || row.status !== 'done' || !inputs.options?.arch) continue;
    const [a, b] = [byId.get(inputs.a)?.inputs, byId.get(inputs.b)?.inputs] as TrainJobInputs[];
    if (a && b) rowOf(a, b).movedByMatching = movedFraction(row.metrics as unknown as AlignmentResult);
  }
  const order = (r: PairRow) => `${Object.values(KINDS).indexOf(r.kind)}/${String(r.pair[0]).padStart(4, '0')}`;
  return [...found.values()].sort((x, y) => order(x).localeCompare(order(y)));
}

/** The table's groups: each network's naive barriers, and the standard nets' weight-matched ones. */
function groupsOf(rows: readonly PairRow[]): Array<[string, Barriers[]]> {
  const of = (kind: Network, pick: (r: PairRow) => Barriers | undefined) =>
    rows.filter((r) => r.kind === kind).flatMap((r) => (pick(r) ? [pick(r) as Barriers] : []));
  return [
    ['standard, naive', of('standard', (r) => r.naive)],
    ['standard, weight-matched', of('standard', (r) => r.aligned)],
    ['W-asym, naive', of('W-asym', (r) => r.naive)],
    ['σ-asym, naive', of('σ-asym', (r) => r.naive)],
  ];
}

const TABLE_HEADER = ['network', 'pairs', 'midpoint loss barrier', 'max loss barrier', 'accuracy barrier (pts)'];

/** Mean ± std (over pairs, population std) of a group's barriers, with `digits` decimals. */
function meanAndSpread(values: number[], digits = 4): string {
  const { mean, std } = meanStd(values);
  return `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

/** The table of barriers per network, mean ± std over seed pairs. */
export function barrierTable(rows: readonly PairRow[]): string {
  return markdownTable(
    TABLE_HEADER,
    groupsOf(rows)
      .filter(([, xs]) => xs.length)
      .map(([name, xs]) => [
        name,
        xs.length,
        meanAndSpread(xs.map((x) => x.midpoint)),
        meanAndSpread(xs.map((x) => x.max)),
        meanAndSpread(
          xs.map((x) => x.accuracy * 100),
          2,
        ),
      ]),
  );
}

/** Midpoint loss and accuracy barriers: mean ± std per network, and each seed pair on its own. */
export function asymmetricFigure(rows: readonly PairRow[]): string {
  const groups = groupsOf(rows).filter(([, xs]) => xs.length);
  const names = groups.map(([name]) => name.replace(', naive', '').replace(', weight-matched', ' + WM'));
  const pairs = [...new Set(rows.map((r) => r.pair.join('–')))];
  const overPairs = (title: string, yLabel: string, value: (x: Barriers) => number) => ({
    title,
    xLabel: 'network',
    yLabel,
    categories: names,
    series: [
      {
        name: `mean ± std over ${pairs.length} seed pairs`,
        markersOnly: true,
        xs: names.map((_, k) => k),
        ys: groups.map(([, xs]) => meanStd(xs.map(value)).mean),
        errors: groups.map(([, xs]) => meanStd(xs.map(value)).std),
      },
    ],
  });
  const perPair = (title: string, yLabel: string, value: (x: Barriers) => number) => ({
    title,
    xLabel: 'seed pair',
    yLabel,
    categories: pairs,
    series: groups.map(([name, xs]) => ({ name, xs: xs.map((_, i) => i), ys: xs.map(value) })),
  });
  const midpoint = (x: Barriers) => x.midpoint;
  const accuracy = (x: Barriers) => x.accuracy * 100;
  return linePlotSvg(
    [
      overPairs('midpoint test-loss barrier', 'loss barrier', midpoint),
      overPairs('accuracy barrier', 'points', accuracy),
      perPair('midpoint test-loss barrier, per pair', 'loss barrier', midpoint),
      perPair('accuracy barrier, per pair', 'points', accuracy),
    ],
    'Linear mode connectivity with reduced symmetry (MNIST MLP)',
    { columns: 2 },
  );
}

/** The reproduction's analysis: table.md and asymmetric.svg from the sweep's rows. */
export function lim2024Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = pairRows(input.jobs, input.rows);
  const { config, train, testLimit, points } = input.cells[0];
  const width = (config.hidden as number[]).join('-');
  const moved = rows.flatMap((r) => (r.movedByMatching === undefined ? [] : [r.movedByMatching * 100]));
  const note = [
    `MLP 784-${width}-10 with LayerNorm, ${train.epochs} epochs of AdamW (lr ${train.learningRate}, decoupled weight decay ${train.weightDecay}, batch ${train.batchSize})${train.trainLimit ? ` on the first ${train.trainLimit} training images` : ''};`,
    `${points}-point paths on ${(testLimit ?? 10000).toLocaleString('en')} test images; mean ± std over seed pairs.`,
    moved.length
      ? `Weight matching under the standard MLP's permutations, run on the W-asymmetric pairs, moves ${meanStd(moved).mean.toFixed(1)} % of the hidden units (per pair: ${moved.map((m) => m.toFixed(1)).join(', ')} %).`
      : '',
  ].join(' ');
  const text = `${barrierTable(rows)}\n\n${note.trim()}\n`;
  return { rows, text, files: { 'table.md': text, 'asymmetric.svg': asymmetricFigure(rows) } };
}
