import { runCli } from '../cli';

/** Runs the CLI in-process on the wasm backend; returns the exit code and what it printed and logged. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    print: (l) => out.push(l),
    log: (l) => err.push(l),
    env: { WEIGHTSPACE_BACKEND: 'wasm' },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A user error: exit code 2, one line naming the command, the message, no stack trace. */
export function expectUserError(result: { code: number; err: string }, message: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.err).toMatch(message);
  expect(result.err.split('\n').filter((l) => l.startsWith('weightspace'))).toHaveLength(1);
  expect(result.err).not.toMatch(/^\s+at /m);
}
