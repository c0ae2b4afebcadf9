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

/** The three networks compared, by architecture id, in the MLP family and the ResNet family. */
const KINDS: Record<string, Network> = {
  mlp: 'standard',
  'mlp.w-asym': 'W-asym',
  'mlp.sigma-asym': 'σ-asym',
  resnet20: 'standard',
  'resnet20.w-asym': 'W-asym',
  'resnet20.sigma-asym': 'σ-asym',
};
export type Network = 'standard' | 'W-asym' | 'σ-asym';
export type Family = 'MLP' | 'ResNet';
const NETWORKS: readonly Network[] = ['standard', 'W-asym', 'σ-asym'];
const familyOf = (arch: string): Family => (arch.startsWith('resnet') ? 'ResNet' : 'MLP');
/** The corrections of the interpolated model, as the table names them. */
const CORRECTIONS: Record<string, string> = { plain: '', 'bn-reset': ' + BN reset', repair: ' + REPAIR' };

/** The barriers of one interpolation curve, and its endpoints' mean test accuracy. */
export interface Barriers {
  midpoint: number;
  max: number;
  accuracy: number;
  endpointAccuracy: number;
}

/**
 * One seed pair of one network: its barriers as trained (naive); for standard nets also after
 * weight matching; for W-asymmetric ones the fraction of hidden units weight matching under the
 * standard MLP's permutations moves when run on them anyway.
 */
export interface PairRow {
  key: string;
  family: Family;
  kind: Network;
  /** A W-asymmetric net's κ where its cell sets one (` (κ 1)`), else ''. */
  variant: string;
  /** How the interpolated models were corrected (`plain`, or `bn-reset` for BatchNorm ResNets). */
  correction: string;
  pair: [number, number];
  naive?: Barriers;
  aligned?: Barriers;
  movedByMatching?: number;
}

/** What `weightspace interpolate` reports of a curve (the fields used here). */
interface CurveResult {
  barriers: { loss: number; midpointLoss: number; accuracy: number };
  endpoints: { a: { accuracy: number }; b: { accuracy: number } };
  points: Array<{ t: number; loss: number }>;
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

/** A network of a family under a correction, as the tables name it: `standard`, `ResNet W-asym (κ 1) + BN reset`. */
export function networkLabel(family: Family, kind: string, correction: string): string {
  return `${family === 'MLP' ? '' : `${family} `}${kind}${CORRECTIONS[correction] ?? ` + ${correction}`}`;
}

/** The κ a W-asymmetric model's config sets, as its label's suffix (` (κ 1)`); '' for the default. */
function variantOf(model: TrainJobInputs): string {
  const kappa = (model.config.wAsym as { kappa?: number } | undefined)?.kappa;
  return kappa === undefined ? '' : ` (κ ${kappa})`;
}

/**
 * The sweep's rows as one row per network, correction and seed pair (paths from initialisation
 * left out: see `mliRows`), ordered by family, correction, network, then pair.
 */
export function pairRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): PairRow[] {
  const found = new Map<string, PairRow>();
  const rowOf = (a: TrainJobInputs, b: TrainJobInputs, correction: string): PairRow => {
    const [family, kind, variant] = [familyOf(a.arch), KINDS[a.arch], variantOf(a)];
    const key = `${networkLabel(family, kind + variant, correction)}/${a.seed}-${b.seed}`;
    const row = found.get(key) ?? { key, family, kind, variant, correction, pair: [a.seed, b.seed] };
    found.set(key, row);
    return row;
  };
  for (const { inputs, align, a, b, metrics } of evaluationsOf(jobs, rows)) {
    if (a.train.epochs === 0) continue;
    const { barriers, endpoints } = metrics as unknown as CurveResult;
    const summary = {
      midpoint: barriers.midpointLoss,
      max: barriers.loss,
      accuracy: barriers.accuracy,
      endpointAccuracy: (endpoints.a.accuracy + endpoints.b.accuracy) / 2,
    };
    rowOf(a, b, inputs.correction)[align.method === 'none' ? 'naive' : 'aligned'] = summary;
  }
  // Alignments under another architecture's symmetry have no evaluation: their element is the result.
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const row of rows) {
    const inputs = row.inputs as AlignJobInputs;
    if (row.kind !== 'align' || row.status !== 'done' || !inputs.options?.arch) continue;
    const [a, b] = [byId.get(inputs.a)?.inputs, byId.get(inputs.b)?.inputs] as TrainJobInputs[];
    if (a && b) rowOf(a, b, 'plain').movedByMatching = movedFraction(row.metrics as unknown as AlignmentResult);
  }
  const order = (r: PairRow): Array<number | string> => [
    r.family === 'MLP' ? 0 : 1,
    Object.keys(CORRECTIONS).indexOf(r.correction),
    NETWORKS.indexOf(r.kind),
    r.variant,
    r.pair[0],
  ];
  return [...found.values()].sort((x, y) => {
    const [ox, oy] = [order(x), order(y)];
    const k = ox.findIndex((v, i) => v !== oy[i]);
    return k < 0 ? 0 : ox[k] < oy[k] ? -1 : 1;
  });
}

/**
 * The table's groups, per family and correction: each network's naive barriers, and the standard
 * nets' weight-matched ones.
 */
function groupsOf(rows: readonly PairRow[]): Array<[string, Barriers[]]> {
  const settings = [...new Map(rows.map((r) => [`${r.family}/${r.correction}`, r])).values()];
  return settings.flatMap(({ family, correction }) => {
    const mine = rows.filter((r) => r.family === family && r.correction === correction);
    const of = (kind: Network, pick: (r: PairRow) => Barriers | undefined, variant = '') =>
      mine
        .filter((r) => r.kind === kind && r.variant === variant)
        .flatMap((r) => (pick(r) ? [pick(r) as Barriers] : []));
    const name = (kind: string) => networkLabel(family, kind, correction);
    const variants = [...new Set(mine.filter((r) => r.kind === 'W-asym').map((r) => r.variant))].sort();
    return [
      [`${name('standard')}, naive`, of('standard', (r) => r.naive)],
      [`${name('standard')}, weight-matched`, of('standard', (r) => r.aligned)],
      ...variants.map((v) => [`${name(`W-asym${v}`)}, naive`, of('W-asym', (r) => r.naive, v)]),
      [`${name('σ-asym')}, naive`, of('σ-asym', (r) => r.naive)],
    ] as Array<[string, Barriers[]]>;
  });
}

const TABLE_HEADER = [
  'network',
  'pairs',
  'endpoint accuracy (%)',
  'midpoint loss barrier',
  'max loss barrier',
  'accuracy barrier (pts)',
];

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
        meanAndSpread(
          xs.map((x) => x.endpointAccuracy * 100),
          1,
        ),
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
export function asymmetricFigure(rows: readonly PairRow[], title: string): string {
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
    title,
    { columns: 2 },
  );
}

/**
 * One path from a seed's initialisation to its trained model (monotonic linear interpolation,
 * Lucas et al. 2021): the test loss along it, its largest rise Δ = max over t < t' of
 * L(t') − L(t) (0 when the loss never rises), and whether it is monotone and convex.
 */
export interface MliRow {
  family: Family;
  kind: Network;
  seed: number;
  ts: number[];
  losses: number[];
  delta: number;
  monotone: boolean;
  convex: boolean;
}

/** Rises and curvature below this are float rounding of a mean loss over the test set, not shape. */
const SHAPE_TOLERANCE = 1e-6;

/** Δ, monotonicity and convexity of a loss curve sampled at increasing t (see `MliRow`). */
export function pathShape(losses: readonly number[]): Pick<MliRow, 'delta' | 'monotone' | 'convex'> {
  let lowest = Infinity;
  let delta = 0;
  for (const loss of losses) {
    delta = Math.max(delta, loss - lowest);
    lowest = Math.min(lowest, loss);
  }
  // Equally spaced points: convex when no second difference is negative.
  const convex = losses.every(
    (loss, i) => i === 0 || i === losses.length - 1 || losses[i - 1] - 2 * loss + losses[i + 1] >= -SHAPE_TOLERANCE,
  );
  return { delta, monotone: delta <= SHAPE_TOLERANCE, convex };
}

/** The sweep's paths from initialisation (`initPaths`), by family, network and seed. */
export function mliRows(jobs: readonly SweepJob[], rows: readonly ResultRow[]): MliRow[] {
  const out: MliRow[] = [];
  for (const { inputs, a, metrics } of evaluationsOf(jobs, rows)) {
    if (a.train.epochs !== 0 || inputs.metric !== 'barrier' || inputs.correction !== 'plain') continue;
    const { points } = metrics as unknown as CurveResult;
    const losses = points.map((p) => p.loss);
    out.push({
      family: familyOf(a.arch),
      kind: KINDS[a.arch],
      seed: a.seed,
      ts: points.map((p) => p.t),
      losses,
      ...pathShape(losses),
    });
  }
  return out.sort(
    (x, y) =>
      x.family.localeCompare(y.family) || NETWORKS.indexOf(x.kind) - NETWORKS.indexOf(y.kind) || x.seed - y.seed,
  );
}

/** Per network: paths, how many are monotone and convex, Δ mean ± std and largest, initial and final loss. */
export function mliTable(paths: readonly MliRow[]): string {
  const networks = [...new Map(paths.map((p) => [`${p.family}/${p.kind}`, p])).values()];
  return markdownTable(
    ['network', 'paths', 'monotone', 'convex', 'Δ (largest rise)', 'largest Δ', 'loss at init', 'loss trained'],
    networks.map(({ family, kind }) => {
      const mine = paths.filter((p) => p.family === family && p.kind === kind);
      return [
        networkLabel(family, kind, 'plain'),
        mine.length,
        `${mine.filter((p) => p.monotone).length} of ${mine.length}`,
        `${mine.filter((p) => p.convex).length} of ${mine.length}`,
        meanAndSpread(mine.map((p) => p.delta)),
        Math.max(...mine.map((p) => p.delta)).toFixed(4),
        meanAndSpread(
          mine.map((p) => p.losses[0]),
          3,
        ),
        meanAndSpread(
          mine.map((p) => p.losses[p.losses.length - 1]),
          3,
        ),
      ];
    }),
  );
}

/** The test loss from initialisation to trained model: mean ± std over seeds per network, and each seed's Δ. */
export function mliFigure(paths: readonly MliRow[]): string {
  const networks = [...new Map(paths.map((p) => [`${p.family}/${p.kind}`, p])).values()];
  const curves = networks.map(({ family, kind }) => {
    const mine = paths.filter((p) => p.family === family && p.kind === kind);
    const stats = mine[0].ts.map((_, i) => meanStd(mine.map((p) => p.losses[i])));
    return {
      name: networkLabel(family, kind, 'plain'),
      xs: mine[0].ts,
      ys: stats.map((s) => s.mean),
      errors: stats.map((s) => s.std),
    };
  });
  const seeds = [...new Set(paths.map((p) => p.seed))].sort((x, y) => x - y);
  const deltas = networks.map(({ family, kind }) => {
    const mine = paths.filter((p) => p.family === family && p.kind === kind);
    return {
      name: networkLabel(family, kind, 'plain'),
      markersOnly: true,
      xs: mine.map((p) => seeds.indexOf(p.seed)),
      ys: mine.map((p) => p.delta),
    };
  });
  return linePlotSvg(
    [
      {
        title: 'test loss from initialisation (t = 0) to trained (t = 1)',
        xLabel: 't',
        yLabel: 'cross-entropy',
        series: curves,
      },
      {
        title: 'largest rise Δ along each path',
        xLabel: 'seed',
        yLabel: 'Δ',
        categories: seeds.map(String),
        series: deltas,
      },
    ],
    'Monotonic linear interpolation: standard vs W-asymmetric MLPs',
  );
}

/**
 * The reproduction's analysis: table.md, asymmetric.svg (MLPs), asymmetric-resnet.svg and mli.svg
 * from the sweep's rows, the figures of the parts the sweep has.
 */
export function lim2024Analysis(input: ReproductionInput): ReproductionAnalysis {
  const rows = pairRows(input.jobs, input.rows);
  const paths = mliRows(input.jobs, input.rows);
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
  const resnet = input.cells.find((c) => familyOf(c.arch) === 'ResNet' && c.pairs.length);
  const resnetNote = resnet
    ? `ResNets: depth ${String(resnet.config.depth)}, width ${String(resnet.config.width)}, ${String(resnet.config.norm)}, on ${resnet.dataset} (${resnet.train.trainLimit ?? 'all'} training images, ${resnet.train.epochs} epochs, Adam ${resnet.train.learningRate}, batch ${resnet.train.batchSize}); ${resnet.points}-point paths on ${resnet.testLimit ?? 'all'} test images; BN reset on ${resnet.statSamples ?? 'all'} training images; weight matching with statistics=${resnet.align?.matcherOptions?.statistics ?? 'default'}.`
    : '';
  const mli = paths.length
    ? `\nPaths from initialisation to the trained model (${paths[0].ts.length} points, test loss):\n\n${mliTable(paths)}\n`
    : '';
  const text = `${barrierTable(rows)}\n\n${`${note.trim()} ${resnetNote}`.trim()}\n${mli}`;
  const figures: Record<string, string> = {
    'asymmetric.svg': asymmetricFigure(
      rows.filter((r) => r.family === 'MLP'),
      'Linear mode connectivity with reduced symmetry (MNIST MLP)',
    ),
  };
  if (rows.some((r) => r.family === 'ResNet'))
    figures['asymmetric-resnet.svg'] = asymmetricFigure(
      rows.filter((r) => r.family === 'ResNet'),
      `Linear mode connectivity with reduced symmetry (ResNet, ${resnet?.dataset ?? ''})`,
    );
  if (paths.length) figures['mli.svg'] = mliFigure(paths);
  return { rows: { pairs: rows, paths }, text, files: { 'table.md': text, ...figures } };
}
