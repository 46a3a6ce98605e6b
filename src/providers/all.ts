import { existingProvider } from './existing/provider.js';
import { providers, type ProviderName } from './index.js';
import { kindProvider } from './kind/provider.js';
import { localProvider } from './local/entry.js';
import type { ProviderEntry } from './provider.js';

let done = false;

/** Registers every built-in provider once; the key type makes this list match PROVIDER_NAMES. */
export function registerProviders(): void {
  if (done) return;
  done = true;
  const all: Record<ProviderName, ProviderEntry> = { local: localProvider, kind: kindProvider(), existing: existingProvider() };
  for (const [name, entry] of Object.entries(all)) providers.register(name, entry);
}
