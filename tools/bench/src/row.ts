/** One line of the bench table: our median, the reference's, and ours / reference (below 1 is faster). */
export interface Row {
  name: string;
  oursMs: number;
  referenceMs?: number;
  ratio: number | null;
  detail?: Record<string, unknown>;
}
