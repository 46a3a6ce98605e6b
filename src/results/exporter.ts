import type { RunResult } from './model.js';

export interface ExportFile {
  /** relative to the run directory, e.g. "metrics.csv" or "charts/dns.lookup.latency.png" */
  path: string;
  data: string | Uint8Array;
}

/**
 * Exporters are pure functions from a run's results to files (hyperfine's design); the writer
 * rewrites all of them atomically after every variant so an interrupted run keeps what it measured.
 * `final` exporters (slow ones, like PNG charts rendered by a browser) run once at the end of a
 * run and in `discobench report`.
 */
export interface Exporter {
  readonly name: string;
  readonly final?: boolean;
  render(run: RunResult): ExportFile[] | Promise<ExportFile[]>;
}
