/**
 * Progress of a long operation, reported as plain events so the math stays free of any terminal
 * code: the CLI draws bars from them, tests ignore them.
 */
export interface ProgressEvent {
  /** What is running, e.g. 'train A' or 'weight matching'. */
  task: string;
  done: number;
  total: number;
  /** A short status such as the current loss. */
  info?: string;
}

/** Where long computations report progress; the CLI draws bars from it. */
export type ProgressSink = (event: ProgressEvent) => void;

/** The sink that drops every event. */
export const silentProgress: ProgressSink = () => undefined;
