import { Registry } from '../core/registry.js';
import type { ProviderFactory } from './provider.js';

export const providers = new Registry<ProviderFactory>('provider');
