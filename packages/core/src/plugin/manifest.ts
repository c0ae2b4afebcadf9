/** What a package provides, validated (JSON Schema, ajv) when the registry loads it. */
export interface PluginManifest {
  /** npm package name, e.g. '@weightspace/arch-mlp'. */
  package: string;
  version: string;
  description: string;
  /** Papers the package implements, as citations. */
  papers: string[];
  provides: {
    architectures?: string[];
    variants?: string[];
    matchers?: string[];
    datasets?: string[];
    backends?: string[];
  };
}

const idList = { type: 'array', items: { type: 'string', pattern: '^[a-z0-9][a-z0-9.-]*$' } };

/** JSON Schema of a package manifest: its package name, version, description and what it provides. */
export const manifestSchema = {
  $id: 'weightspace/plugin-manifest',
  type: 'object',
  additionalProperties: false,
  required: ['package', 'version', 'description', 'papers', 'provides'],
  properties: {
    package: { type: 'string', pattern: '^@?[a-z0-9][a-z0-9./-]*$' },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+' },
    description: { type: 'string', minLength: 1 },
    papers: { type: 'array', items: { type: 'string' } },
    provides: {
      type: 'object',
      additionalProperties: false,
      properties: { architectures: idList, variants: idList, matchers: idList, datasets: idList, backends: idList },
    },
  },
} as const;
