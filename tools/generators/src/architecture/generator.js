// `npx nx g @weightspace/tools:architecture <name>`: writes packages/arch-<name> in the MLP's shape
// on @weightspace/layers (config and schema, spec, plugin, module, index, test, README,
// package.json with its tag, tsconfig, jest config), registers it in the CLI and in the build,
// and links it into node_modules, so that `npm run build`, `weightspace list` and `npm test`
// (whose conformance suite then covers it) work right after.
'use strict';
const { existsSync, mkdirSync, symlinkSync } = require('node:fs');
const path = require('node:path');
const { formatFiles, generateFiles, names, updateJson } = require('@nx/devkit');

const RESERVED = new Set(['mlp', 'resnet20', 'transformer', 'moe']);

function normalise(options) {
  const name = String(options.name || '');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    throw new Error(`architecture name '${name}' must be lower case letters and digits, words joined by dashes`);
  }
  if (RESERVED.has(name)) throw new Error(`architecture name '${name}' is taken`);
  const { className, propertyName } = names(name);
  return {
    name,
    className,
    propertyName,
    description: options.description || 'a new architecture (edit its description)',
  };
}

/** Adds `import { exported } from 'pkg'` and `exported` to allModules in the CLI's modules.ts. */
function registerInCli(tree, pkg, exported) {
  const file = 'tools/cli/src/modules.ts';
  let text = tree.read(file, 'utf-8');
  if (text.includes(`'${pkg}'`)) return;
  const imports = text.match(/^import .*;$/gm);
  const last = imports[imports.length - 1];
  text = text.replace(last, `${last}\nimport { ${exported} } from '${pkg}';`);
  text = text.replace(
    /export const allModules = \[([\s\S]*?)\];/,
    (_, body) => `export const allModules = [${body.replace(/,?\s*$/, ',')}\n  ${exported},\n];`,
  );
  tree.write(file, text);
}

async function architectureGenerator(tree, options) {
  const o = normalise(options);
  const root = `packages/arch-${o.name}`;
  if (tree.exists(root)) throw new Error(`${root} exists already`);
  const pkg = `@weightspace/arch-${o.name}`;
  generateFiles(tree, path.join(__dirname, 'files'), root, { ...o, tmpl: '' });
  updateJson(tree, 'tools/cli/package.json', (json) => {
    json.dependencies = Object.fromEntries(Object.entries({ ...json.dependencies, [pkg]: '0.1.0' }).sort());
    return json;
  });
  updateJson(tree, 'tools/cli/tsconfig.json', (json) => {
    json.references.push({ path: `../../${root}` });
    return json;
  });
  updateJson(tree, 'tsconfig.build.json', (json) => {
    const cli = json.references.findIndex((r) => r.path === 'tools/cli');
    json.references.splice(cli < 0 ? json.references.length : cli, 0, { path: root });
    return json;
  });
  registerInCli(tree, pkg, `arch${o.className}Module`);
  await formatFiles(tree);
  return () => {
    // What npm would link on the next install: the workspace package under node_modules.
    const link = path.join(tree.root, 'node_modules', '@weightspace', `arch-${o.name}`);
    if (!existsSync(link)) {
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join('..', '..', root), link);
    }
  };
}

module.exports = architectureGenerator;
module.exports.default = architectureGenerator;
