import { existingProviderFactory } from './existing/provider.js';
import { providers } from './index.js';
import { kindProviderFactory } from './kind/provider.js';
import { LocalProvider } from './local/local-provider.js';

let done = false;

/** Registers every built-in provider once. */
export function registerProviders(): void {
  if (done) return;
  done = true;
  providers.register('local', (ctx) => new LocalProvider(ctx));
  providers.register('kind', kindProviderFactory);
  providers.register('existing', existingProviderFactory);
}
