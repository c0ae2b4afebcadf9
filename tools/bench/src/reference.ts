import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(__dirname, '..', 'reference', 'reference.py');

/** Whether Debian's python3 has torch and scipy; installs them with apt when run as root. */
export function ensureReference(log: (line: string) => void): boolean {
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch, scipy'], { stdio: 'ignore' }).status === 0;
  if (probe()) return true;
  if (process.getuid?.() !== 0) {
    log('reference: python3-torch / python3-scipy missing and not root: reference timings skipped');
    return false;
  }
  log('reference: installing python3-torch and python3-scipy with apt-get');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'python3-torch', 'python3-scipy'], { stdio: 'inherit', env });
  return probe();
}

/** Runs one reference job (see reference/reference.py) and returns its result. */
export function runReference<T>(
  job: object,
  threads: number,
): { torch: string; threads: number; result: T; peak_rss_mb: number } {
  const output = execFileSync(PYTHON, [SCRIPT, JSON.stringify({ ...job, threads })], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) },
  });
  return JSON.parse(output) as { torch: string; threads: number; result: T; peak_rss_mb: number };
}
