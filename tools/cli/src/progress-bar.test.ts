import { progressBar, type ProgressStream } from './progress-bar';

/**
 * A terminal that keeps a screen of lines and understands what the bars write: text, \n, \r,
 * erase to the end of the line (ESC [K), cursor up and down (ESC [nA, ESC [nB).
 */
function terminal(): ProgressStream & { screen: string[] } {
  const screen: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string) => {
    const line = screen[row].padEnd(col);
    screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  return {
    isTTY: true,
    columns: 200,
    screen,
    write(text: string) {
      for (let k = 0; k < text.length; k++) {
        const ch = text[k];
        const escape = /^\x1b\[(\d*)([ABK])/.exec(text.slice(k));
        if (escape) {
          const n = Number(escape[1] || 1);
          if (escape[2] === 'A') row = Math.max(0, row - n);
          if (escape[2] === 'B') row += n;
          if (escape[2] === 'K') screen[row] = screen[row].slice(0, col);
          while (screen.length <= row) screen.push('');
          k += escape[0].length - 1;
        } else if (ch === '\n') {
          row++;
          col = 0;
          while (screen.length <= row) screen.push('');
        } else if (ch === '\r') col = 0;
        else put(ch);
      }
    },
  };
}

describe('progress bars', () => {
  it('give tasks that run at once a line each on a terminal, each ending at its last state', () => {
    const tty = terminal();
    const bar = progressBar(tty);
    // Two trainings report in turn, as two worker threads do.
    for (let step = 1; step <= 10; step++) {
      bar({ task: 'train seed 0', done: step, total: 10 });
      if (step <= 8) bar({ task: 'train seed 1', done: step, total: 8 });
    }
    const lines = tty.screen.filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^train seed 0 .* 100% 10\/10/);
    expect(lines[1]).toMatch(/^train seed 1 .* 100% 8\/8/);
  });

  it('start a new block below once every task on the board has finished', () => {
    const tty = terminal();
    const bar = progressBar(tty);
    bar({ task: 'first', done: 1, total: 1 });
    bar({ task: 'second', done: 1, total: 2 });
    bar({ task: 'second', done: 2, total: 2 });
    expect(tty.screen.filter((l) => l.trim() !== '').map((l) => l.split(' ')[0])).toEqual(['first', 'second']);
  });

  it('print plain lines, at the start and every 10% of each task, when not on a terminal', () => {
    const written: string[] = [];
    const bar = progressBar({ isTTY: false, write: (t: string) => written.push(t) });
    for (let step = 1; step <= 100; step++) bar({ task: 'curve', done: step, total: 100 });
    expect(written).toHaveLength(11);
    expect(written.every((l) => l.endsWith('\n') && !l.includes('\x1b'))).toBe(true);
  });
});
