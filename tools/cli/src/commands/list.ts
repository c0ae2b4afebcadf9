import { parse } from '../args';
import type { Command } from '../command';

export const listCommand: Command = {
  name: 'list',
  summary: 'registered architectures, variants, matchers, datasets and backends',
  usage: 'weightspace list',
  async run(argv, { registry, print }) {
    parse(argv, {});
    const section = (title: string, rows: string[]) => {
      print(`${title}:`);
      for (const row of rows.length ? rows : ['(none)']) print(`  ${row}`);
    };
    section(
      'architectures',
      registry.architectures().map((a) => `${a.id.padEnd(20)} ${a.description}`),
    );
    section(
      'variants',
      registry.variants().map((v) => `${v.id.padEnd(20)} ${v.description} (of ${v.base})`),
    );
    section(
      'matchers',
      registry.matchers().map((m) => `${m.id.padEnd(20)} ${m.description} [${m.kinds.join(', ')}]`),
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
