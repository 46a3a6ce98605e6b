import { stringify } from 'csv-stringify/sync';
import type { Exporter } from '../exporter.js';
import type { RunResult } from '../model.js';

const STATS = ['count', 'min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max', 'value'] as const;

/** One row per variant and metric; params flattened into their dotted-path columns. */
export function metricsCsv(run: RunResult): string {
  const paramKeys = [...new Set(run.variants.flatMap((v) => Object.keys(v.params)))].sort();
  const rows: unknown[][] = [['run_id', 'scenario', 'variant', 'repeat', 'status', ...paramKeys, 'metric', 'unit', ...STATS]];
  for (const v of run.variants) {
    for (const [name, m] of Object.entries(v.metrics)) {
      rows.push([run.runId, run.scenario.name, v.id, v.repeat, v.status, ...paramKeys.map((k) => v.params[k] ?? ''), name, m.unit, ...STATS.map((s) => m[s])]);
    }
  }
  return stringify(rows);
}

export function timeseriesCsv(run: RunResult): string {
  const rows: unknown[][] = [['run_id', 'variant', 'metric', 't_seconds', 'value']];
  for (const v of run.variants) {
    for (const [name, points] of Object.entries(v.series)) for (const [t, value] of points) rows.push([run.runId, v.id, name, t, value]);
  }
  return stringify(rows);
}

export const csvExporter: Exporter = {
  name: 'csv',
  render: (run) => [
    { path: 'metrics.csv', data: metricsCsv(run) },
    { path: 'timeseries.csv', data: timeseriesCsv(run) },
  ],
};
