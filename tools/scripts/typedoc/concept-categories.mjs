// A TypeDoc plugin that groups each package's API by concept: a declaration without its own
// @category tag gets the category of the folder it is defined in (core's symmetry/, matching/,
// metrics/, …), so the site lists "Symmetry algebra", "Matchers", "Metrics" instead of one flat
// list of functions. Packages without folders keep TypeDoc's grouping by kind.
//
// It also makes source links point into the checkout the site was built from: typedoc.json's
// each source link is written as `source:PATH#Lline` from the repository root, then made relative
// to each page (the site is built into docs-site/, one level below the root).
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Comment, CommentTag, Converter, PageEvent, ReflectionKind } from 'typedoc';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Folder under a package's src/ → the concept it holds. */
const CONCEPTS = {
  backend: 'Backends',
  conformance: 'Conformance suites',
  data: 'Datasets',
  errors: 'Errors',
  features: 'Features and taps',
  io: 'Checkpoints and files',
  matching: 'Matchers and plans',
  merge: 'Merging',
  metrics: 'Metrics: barriers, LLFC, LEWC',
  normalisation: 'Normalisation: BN reset, REPAIR',
  parallel: 'Worker threads',
  params: 'Params',
  plot: 'Plots',
  plugin: 'Plugin contract',
  progress: 'Progress',
  random: 'Randomness',
  registry: 'Registry',
  robustness: 'Robustness',
  schema: 'Schemas',
  symmetry: 'Symmetry specs and algebra',
  testing: 'Test fixtures',
  train: 'Training',
  commands: 'Commands',
  results: 'Result files',
  reproductions: 'Reproductions',
  gemm: 'Kernels',
  kernels: 'Kernels',
  vector: 'Kernels',
};

const TOP_LEVEL =
  ReflectionKind.Function |
  ReflectionKind.Class |
  ReflectionKind.Interface |
  ReflectionKind.TypeAlias |
  ReflectionKind.Variable |
  ReflectionKind.Enum;

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(
    Converter.EVENT_RESOLVE_BEGIN,
    (context) => {
      for (const reflection of context.project.getReflectionsByKind(TOP_LEVEL)) {
        if (!reflection.parent?.kindOf(ReflectionKind.Module | ReflectionKind.Project)) continue;
        const file = reflection.sources?.[0]?.fullFileName ?? '';
        const folder = /\/src\/([^/]+)\//.exec(file)?.[1];
        const concept = folder && CONCEPTS[folder];
        if (!concept) continue;
        const comment = (reflection.comment ??= new Comment());
        if (comment.blockTags.some((tag) => tag.tag === '@category')) continue;
        const signatureTagged = reflection.signatures?.some((s) =>
          s.comment?.blockTags.some((tag) => tag.tag === '@category'),
        );
        if (!signatureTagged) comment.blockTags.push(new CommentTag('@category', [{ kind: 'text', text: concept }]));
      }
    },
    200,
  );
  // Each source link: the file's path from the repository root and its line.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    for (const reflection of Object.values(context.project.reflections)) {
      for (const source of reflection.sources ?? []) {
        if (source.fullFileName) source.url = `source:${relative(ROOT, source.fullFileName)}#L${source.line}`;
      }
    }
  });
  app.renderer.on(PageEvent.END, (page) => {
    if (!page.contents) return;
    const depth = relative(app.options.getValue('out'), page.filename).split(/[\\/]/).length - 1;
    page.contents = page.contents.replaceAll('href="source:', `href="${'../'.repeat(depth + 1)}`);
  });
}
