/** A ReLU multilayer perceptron: `input` → hidden[0] → … → hidden[L-2] → `classes`. */
export interface MlpConfig {
  input: number;
  hidden: number[];
  classes: number;
  /** Whether the layers have biases (default true; false for the bias-free nets of LEWC). */
  bias?: boolean;
  /**
   * LayerNorm (over the units, with per-unit weight and bias `norms.{i}.*`) between each hidden
   * layer's linear map and its activation, as in Lim et al. 2024's MLPs (default false).
   */
  layerNorm?: boolean;
}

/** JSON Schema of the MLP config: `input` features, `hidden` widths, `classes`. */
export const mlpConfigSchema = {
  $id: 'weightspace/arch-mlp/config',
  type: 'object',
  additionalProperties: false,
  required: ['input', 'hidden', 'classes'],
  properties: {
    input: { type: 'integer', minimum: 1 },
    hidden: { type: 'array', items: { type: 'integer', minimum: 1 } },
    classes: { type: 'integer', minimum: 1 },
    bias: { type: 'boolean' },
    layerNorm: { type: 'boolean' },
  },
} as const;

/** Layer widths including input and output: [input, ...hidden, classes]. */
export function layerWidths(config: MlpConfig): number[] {
  return [config.input, ...config.hidden, config.classes];
}

export function hasBias(config: MlpConfig): boolean {
  return config.bias !== false;
}
