import type { BackendProvider, Registry } from '@weightspace/core';
import { chooseBackend, type CommandContext } from './command';
import { UsageError } from './usage-error';

/** Two stand-in backends: one that reads synchronously, one that cannot (as webgpu in Node). */
function context(): { context: CommandContext; activated: string[]; log: string[] } {
  const activated: string[] = [];
  const log: string[] = [];
  const provider = (id: string, preference: number, extra: Partial<BackendProvider>): BackendProvider => ({
    id,
    description: id,
    preference,
    available: () => true,
    activate: async () => {
      activated.push(id);
    },
    ...extra,
  });
  const providers = [provider('sync', 30, {}), provider('gpu', 10, { explicitOnly: true, readsSynchronously: false })];
  const registry = { backends: () => providers } as Pick<Registry, 'backends'> as Registry;
  return { context: { registry, print: () => undefined, log: (l) => log.push(l), env: {} }, activated, log };
}

describe('chooseBackend', () => {
  it('gives a command the backend asked for when it reads synchronously', async () => {
    const c = context();
    expect(await chooseBackend({ flags: { backend: 'sync' }, positionals: [] }, c.context, { command: 'align' })).toBe(
      'sync',
    );
    expect(c.activated).toEqual(['sync']);
    expect(c.log).toEqual(['backend: sync']);
  });

  it('gives a worker-thread command a backend that cannot read synchronously, with the main thread on one that can', async () => {
    const c = context();
    expect(
      await chooseBackend({ flags: { backend: 'gpu' }, positionals: [] }, c.context, {
        command: 'run',
        workerThreads: true,
      }),
    ).toBe('gpu');
    // Activated in that order: the main thread ends on the synchronous backend.
    expect(c.activated).toEqual(['gpu', 'sync']);
    expect(c.log).toEqual([
      'backend: gpu in the worker threads, sync on the main thread (gpu cannot read synchronously in Node)',
    ]);
  });

  it('refuses it for a main-thread command, naming the command and what to use instead', async () => {
    const c = context();
    await expect(
      chooseBackend({ flags: { backend: 'gpu' }, positionals: [] }, c.context, { command: 'align' }),
    ).rejects.toThrow(UsageError);
    await expect(
      chooseBackend({ flags: { backend: 'gpu' }, positionals: [] }, c.context, { command: 'align' }),
    ).rejects.toThrow(
      "backend 'gpu' cannot read tensors synchronously in Node, which 'align' does on its main thread; use --backend wasm (run and demo train and evaluate in worker threads on 'gpu')",
    );
  });
});
