import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

export interface LapTiming {
  ms: number;
  times: number[];
  total: number;
}

/**
 * SciPy's `linear_sum_assignment` in one long-lived python3 process (reference/lap_reference.py)
 * that times a matrix on request, so the bench can alternate its own timings with SciPy's and
 * both meet the same machine load.
 */
export class LapReference {
  private readonly lines: Interface;
  private readonly pending: Array<(line: string) => void> = [];

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = createInterface({ input: child.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
  }

  static start(): LapReference {
    const script = join(__dirname, '..', 'reference', 'lap_reference.py');
    return new LapReference(spawn('/usr/bin/python3', [script], { stdio: ['pipe', 'pipe', 'inherit'] }));
  }

  /** Times SciPy on the row-major float64 n × n matrix in `file`: the median of `runs` after a warm-up. */
  time(file: string, n: number, runs: number): Promise<LapTiming> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`lap_reference.py exited with ${code}`));
      this.child.once('exit', onExit);
      this.pending.push((line) => {
        this.child.off('exit', onExit);
        resolve(JSON.parse(line) as LapTiming);
      });
      this.child.stdin.write(`${JSON.stringify({ file, n, runs })}\n`);
    });
  }

  close(): void {
    this.lines.close();
    this.child.stdin.end();
  }
}
