import { reportExporters } from './index.js';
import { exporters } from '../results/exporters.js';
import { csvExporter } from '../results/exporters/csv.js';

let done = false;

/** Registers every built-in exporter once: CSV, summary.md, report.html, charts/*.png (final). */
export function registerExporters(): void {
  if (done) return;
  done = true;
  exporters.register(csvExporter.name, csvExporter);
  for (const e of reportExporters) exporters.register(e.name, e);
}
