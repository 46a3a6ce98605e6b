import { Registry } from '../core/registry.js';
import type { ProviderEntry } from './provider.js';

export { PROVIDER_NAMES, type ProviderName } from '../scenario/provider-names.js';

export const providers = new Registry<ProviderEntry>('provider');
