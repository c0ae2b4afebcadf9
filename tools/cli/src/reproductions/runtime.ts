import { activateBackend, type Registry } from '@weightspace/core';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRegistry } from '../modules';

/** What every reproduction runs with: the CLI's registry, the active backend, and a log on stderr. */
export interface ReproductionRuntime {
  registry: Registry;
  backend: string;
  log: (line: string) => void;
}

/** The registry and the backend `--backend` asks for (else WEIGHTSPACE_BACKEND, else the default), activated. */
export async function reproductionRuntime(requested: string | undefined): Promise<ReproductionRuntime> {
  const registry = await createRegistry();
  const backend = await activateBackend(registry.backends(), requested ?? process.env.WEIGHTSPACE_BACKEND);
  return { registry, backend, log: (line) => process.stderr.write(`${line}\n`) };
}

/**
 * A reproduction's command line when it takes only the common flags: --out, --jobs, --smoke,
 * --backend, and --full for one that has a larger setting than its default.
 */
export interface CommonReproduction extends ReproductionRuntime {
  out: string;
  parallel: number;
  smoke: boolean;
  full: boolean;
}

/**
 * Parses the common flags (`--out` defaulting to `defaultOut`; `--full` only where `options.full`
 * says the reproduction has one, so elsewhere it is refused) and starts the runtime.
 */
export async function startReproduction(
  defaultOut: string,
  options: { full?: boolean } = {},
): Promise<CommonReproduction> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: defaultOut },
      jobs: { type: 'string', default: '2' },
      smoke: { type: 'boolean', default: false },
      backend: { type: 'string' },
      ...(options.full ? { full: { type: 'boolean' as const, default: false } } : {}),
    },
  });
  return {
    ...(await reproductionRuntime(values.backend)),
    out: resolve(values.out),
    parallel: Number(values.jobs),
    smoke: values.smoke,
    full: Boolean((values as { full?: boolean }).full),
  };
}
