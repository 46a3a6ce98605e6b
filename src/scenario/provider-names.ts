/**
 * The registry's keys, in a module with no imports: the scenario schema's enum and the CLI's
 * --provider choices read them without loading any provider, and `registerProviders` must
 * register exactly these (a missing or extra entry does not compile).
 */
export const PROVIDER_NAMES = ['local', 'kind', 'existing'] as const;

export type ProviderName = (typeof PROVIDER_NAMES)[number];
