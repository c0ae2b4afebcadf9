import type { AnyArchitecture, Matcher } from '@weightspace/core';
import { parse } from '../args';
import type { Command } from '../command';
import { jsonFlags } from '../flags';

/** The forms `align --form` takes for an architecture: as saved, and its canonical and further forms. */
function formsOf(plugin: AnyArchitecture): string[] {
  return ['original', ...(plugin.canonicalize ? ['canonical'] : []), ...(plugin.forms ?? []).map((f) => f.name)];
}

export const listCommand: Command = {
  name: 'list',
  summary: 'registered architectures, variants, matchers, datasets and backends',
  flags: jsonFlags,
  async run(argv, { registry, print }) {
    const parsed = parse(argv, jsonFlags);
    if (parsed.flags.json) {
      print(
        JSON.stringify(
          {
            architectures: registry.architectures().map((a) => ({
              id: a.id,
              description: a.description,
              forms: formsOf(a),
            })),
            variants: registry.variants().map((v) => ({ id: v.id, description: v.description, base: v.base })),
            matchers: registry.matchers().map((m) => ({
              id: m.id,
              description: m.description,
              kinds: m.kinds,
              batched: m.batched,
              options: m.options ?? {},
            })),
            datasets: registry.datasets().map((d) => ({ id: d.id, description: d.description })),
            backends: registry
              .backends()
              .map((b) => ({ id: b.id, description: b.description, available: b.available() })),
            packages: registry.manifests.map((m) => ({
              package: m.package,
              version: m.version,
              description: m.description,
            })),
          },
          null,
          2,
        ),
      );
      return;
    }
    const section = (title: string, rows: string[]) => {
      print(`${title}:`);
      for (const row of rows.length ? rows : ['(none)']) print(`  ${row}`);
    };
    section(
      'architectures',
      registry.architectures().map((a) => {
        const forms = formsOf(a);
        return `${a.id.padEnd(20)} ${a.description}${forms.length > 1 ? ` [forms: ${forms.join(', ')}]` : ''}`;
      }),
    );
    section(
      'variants',
      registry.variants().map((v) => `${v.id.padEnd(20)} ${v.description} (of ${v.base})`),
    );
    section(
      'matchers',
      registry.matchers().map((m) => `${m.id.padEnd(20)} ${m.description} [${matcherTakes(m)}]`),
    );
    section(
      'datasets',
      registry.datasets().map((d) => `${d.id.padEnd(20)} ${d.description}`),
    );
    section(
      'backends',
      registry.backends().map((b) => `${b.id.padEnd(20)} ${b.description}${b.available() ? '' : ' (not installed)'}`),
    );
    section(
      'packages',
      registry.manifests.map((m) => `${m.package.padEnd(32)} ${m.version}  ${m.description}`),
    );
  },
};

/** The group kinds a matcher takes (batched ones too, where it does) and its options with their values. */
function matcherTakes(m: Matcher): string {
  const kinds = `${m.kinds.join(', ')}${m.batched ? ', batched' : ''}`;
  const options = Object.entries(m.options ?? {}).map(([k, o]) => `${k}=${o.values.join('|')}`);
  return options.length ? `${kinds}; --matcher-option ${options.join(' ')}` : kinds;
}
