import { exporters } from '../exporters.js';
import { csvExporter } from './csv.js';

let done = false;

/** Registers every built-in exporter once. */
export function registerExporters(): void {
  if (done) return;
  done = true;
  exporters.register(csvExporter.name, csvExporter);
}
