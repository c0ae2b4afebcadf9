import type { ProgressEvent, ProgressSink } from '@weightspace/core';

/**
 * Draws progress events as one bar per task on stderr, with rate and ETA. On a terminal the bar
 * redraws in place; elsewhere (CI logs) it prints a line every 10% so logs stay short.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const started = new Map<string, number>();
  const lastDecile = new Map<string, number>();
  return (event: ProgressEvent) => {
    const now = Date.now();
    if (!started.has(event.task) || event.done <= 1) {
      started.set(event.task, now);
      lastDecile.delete(event.task);
    }
    const elapsed = (now - (started.get(event.task) as number)) / 1000;
    const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
    const eta = fraction > 0 && event.done > 1 ? (elapsed / fraction) * (1 - fraction) : NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const timing = `${formatSeconds(elapsed)}${Number.isFinite(eta) ? ` eta ${formatSeconds(eta)}` : ''}`;
    const text = `${event.task.padEnd(16)} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${event.done}/${event.total} ${timing}${event.info ? `  ${event.info}` : ''}`;
    if (stream.isTTY) {
      const finished = event.done >= event.total;
      stream.write(`\r${text.slice(0, (stream.columns ?? 120) - 1)}\x1b[K${finished ? '\n' : ''}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile > (lastDecile.get(event.task) ?? -1)) {
      lastDecile.set(event.task, decile);
      stream.write(`${text}\n`);
    }
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  return `${Math.floor(s / 60)}m${Math.round(s % 60)
    .toString()
    .padStart(2, '0')}s`;
}
