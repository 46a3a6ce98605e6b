import { Registry } from '../core/registry.js';
import type { Exporter } from './exporter.js';

export const exporters = new Registry<Exporter>('exporter');
