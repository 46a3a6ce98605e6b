import type { ProviderEntry } from '../provider.js';
import { cleanLocalRun } from './cleanup.js';
import { LocalProvider } from './local-provider.js';
import { acquireLocalLock } from './lock.js';

/** The local provider's registry entry: one run per machine, cleaned by its namespaces' names. */
export const localProvider: ProviderEntry = {
  create: (ctx) => new LocalProvider(ctx),
  claim: (runId) => acquireLocalLock(runId),
  clean: (runId) => cleanLocalRun(runId),
};
