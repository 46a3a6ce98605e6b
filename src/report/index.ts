/** The report exporters, in the order the run writer and `discobench report` apply them. */
import type { Exporter } from '../results/exporter.js';
import { summaryExporter } from './summary.js';
import { htmlExporter } from './html.js';
import { pngExporter } from './png.js';

export { summaryExporter, htmlExporter, pngExporter };
export const reportExporters: Exporter[] = [summaryExporter, htmlExporter, pngExporter];
