const started = Date.now();

/**
 * Progress for long commands (bench, perf): stderr, stamped with seconds since the process
 * started, so stdout stays clean for what scripts read (the run directory, tables, JSON).
 */
export function log(message: string): void {
  process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);
}
