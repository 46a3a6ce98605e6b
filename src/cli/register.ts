import { registerProviders } from '../providers/all.js';
import { registerExporters } from '../report/register-exporters.js';
import { registerWorkloads } from '../workloads/all.js';

/** Fills every plug-in registry once (providers, workloads, measurements, exporters). */
export function registerAll(): void {
  registerProviders();
  registerWorkloads();
  registerExporters();
}
