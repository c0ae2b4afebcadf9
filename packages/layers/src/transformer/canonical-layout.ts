/** Where a transformer's norms, the layers that read them and the writers of its residual stream are. */

/**
 * A linear layer that reads a norm's output: its weight [out, dim] and bias [out], or a stack of
 * them ([experts, out, dim] and [experts, out]: the norm is read on the weight's last axis).
 */
export interface NormReader {
  weight: string;
  bias: string;
  /** Where the weight is read from when it is shared (a tied embedding); `weight` when omitted. */
  source?: string;
}

/** A parameter that writes the residual stream, with the axis that holds the stream. */
export interface StreamWriter {
  param: string;
  axis: number;
}

/** Where a transformer's norms and residual writers are, for `foldNorms`. */
export interface CanonicalLayout {
  /** Each norm layer (`${norm}.weight`, and `${norm}.bias` for LayerNorm) with the layers reading it. */
  norms: ReadonlyArray<{ norm: string; readers: readonly NormReader[] }>;
  /** Every parameter that writes the residual stream, with the axis that holds the stream. */
  writers: readonly StreamWriter[];
}

/** The linear layer `name` as a norm's reader (its weight and bias). */
export function normReader(name: string): NormReader {
  return { weight: `${name}.weight`, bias: `${name}.bias` };
}

/** A linear layer `name` as a writer of the stream: its weight's rows (`axis`) and its bias. */
export function writerRows(name: string, axis = 0): StreamWriter[] {
  return [
    { param: `${name}.weight`, axis },
    { param: `${name}.bias`, axis: 0 },
  ];
}
