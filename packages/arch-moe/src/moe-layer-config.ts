/**
 * One Mixture-of-Experts layer (Tran et al. 2025): a softmax gate over `experts` experts, each a
 * one-hidden-layer ReLU MLP of `expertWidth` units, and optionally `sharedExperts` experts that are
 * always active (DeepSeek style).
 */
export interface MoeLayerConfig {
  experts: number;
  expertWidth: number;
  /**
   * Sparse gating: only the k highest gate scores are kept (ties go to the lower index) and the
   * softmax is taken over them. Dense gating (a softmax over all experts) when omitted.
   */
  topK?: number;
  /** Experts added to every output with weight 1, beside the routed ones (0 when omitted). */
  sharedExperts?: number;
  /**
   * How the routed experts are saved: `per-expert` (default), one tensor family per expert
   * (`experts.{k}.fc1.weight`, as Mixtral-style state dicts), or `stacked` [experts, …] tensors
   * (`experts.fc1.weight`).
   */
  layout?: 'per-expert' | 'stacked';
}

/** The JSON Schema properties of an MoE layer's config, for the configs of models that hold one. */
export const moeLayerConfigProperties = {
  experts: { type: 'integer', minimum: 1 },
  expertWidth: { type: 'integer', minimum: 1 },
  topK: { type: 'integer', minimum: 2 },
  sharedExperts: { type: 'integer', minimum: 0 },
  layout: { enum: ['per-expert', 'stacked'] },
} as const;

/** Whether the layer's routed experts are saved as stacked tensors. */
export function isStacked(config: MoeLayerConfig): boolean {
  return config.layout === 'stacked';
}
