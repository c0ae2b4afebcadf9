import { spawn } from 'node:child_process';

/**
 * Runs command lines as child processes, `parallel` at a time (one per core: the wasm backend
 * uses one core per process). Rejects with the first failure, naming the command.
 */
export async function runJobs(
  jobs: ReadonlyArray<{ label: string; command: string; args: string[] }>,
  parallel: number,
  log: (line: string) => void,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      log(`start ${job.label}`);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(job.command, job.args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let tail = '';
        child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-2000)));
        child.stdout.on('data', () => undefined);
        child.on('error', reject);
        child.on('close', (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`${job.label} exited with ${code}: ${tail.trim().split('\n').pop()}`)),
        );
      });
      log(`done  ${job.label}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
}
