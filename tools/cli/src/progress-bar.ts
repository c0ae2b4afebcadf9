import type { ProgressEvent, ProgressSink } from '@weightspace/core';

/** The part of a stream a progress bar draws on; process.stderr by default. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/**
 * The tasks being drawn on one terminal: one line each, in the order they started, the cursor
 * kept on the line below them. A task redraws its own line; when every task on the board has
 * finished, the board is left as it is and the next task starts a new one.
 */
interface Board {
  tasks: string[];
  finished: Set<string>;
}

const boards = new WeakMap<ProgressStream, Board>();

/**
 * Draws progress events on stderr, one bar per task with rate and ETA. On a terminal each task
 * keeps its own line, so tasks that run at once (two models trained in parallel) never draw over
 * each other; elsewhere (CI logs, a file) it prints a plain line per task every 10%.
 */
export function progressBar(stream: ProgressStream = process.stderr): ProgressSink {
  const started = new Map<string, number>();
  const lastDecile = new Map<string, number>();
  return (event: ProgressEvent) => {
    const now = Date.now();
    if (!started.has(event.task) || event.done <= 1) {
      started.set(event.task, now);
      lastDecile.delete(event.task);
    }
    const text = barText(event, (now - (started.get(event.task) as number)) / 1000);
    if (stream.isTTY) {
      drawOnBoard(stream, event.task, text.slice(0, (stream.columns ?? 120) - 1), event.done >= event.total);
      return;
    }
    const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
    const decile = Math.floor(fraction * 10);
    if (decile > (lastDecile.get(event.task) ?? -1)) {
      lastDecile.set(event.task, decile);
      stream.write(`${text}\n`);
    }
  };
}

function drawOnBoard(stream: ProgressStream, task: string, text: string, finished: boolean): void {
  let board = boards.get(stream);
  if (!board || board.tasks.every((t) => board?.finished.has(t))) {
    board = { tasks: [], finished: new Set() };
    boards.set(stream, board);
  }
  const line = board.tasks.indexOf(task);
  if (line === -1) {
    // A new task takes a new line at the bottom.
    board.tasks.push(task);
    stream.write(`${text}\x1b[K\n`);
  } else {
    const up = board.tasks.length - line;
    stream.write(`\x1b[${up}A\r${text}\x1b[K\x1b[${up}B\r`);
  }
  if (finished) board.finished.add(task);
  else board.finished.delete(task);
}

function barText(event: ProgressEvent, elapsed: number): string {
  const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
  const eta = fraction > 0 && event.done > 1 ? (elapsed / fraction) * (1 - fraction) : NaN;
  const bar = barOf(fraction, 24);
  const timing = `${formatSeconds(elapsed)}${Number.isFinite(eta) ? ` eta ${formatSeconds(eta)}` : ''}`;
  return `${event.task.padEnd(16)} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${event.done}/${event.total} ${timing}${event.info ? `  ${event.info}` : ''}`;
}

/** A bar of `width` cells, the first `fraction` of them full. */
export function barOf(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}
