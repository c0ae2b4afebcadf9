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

/** A reproduction's command line when it takes only the common flags: --out, --jobs, --smoke, --backend. */
export interface CommonReproduction extends ReproductionRuntime {
  out: string;
  parallel: number;
  smoke: boolean;
}

/** Parses the common flags (`--out` defaulting to `defaultOut`) and starts the runtime. */
export async function startReproduction(defaultOut: string): Promise<CommonReproduction> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: defaultOut },
      jobs: { type: 'string', default: '2' },
      smoke: { type: 'boolean', default: false },
      backend: { type: 'string' },
    },
  });
  return {
    ...(await reproductionRuntime(values.backend)),
    out: resolve(values.out),
    parallel: Number(values.jobs),
    smoke: values.smoke,
  };
}
