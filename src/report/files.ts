/** Reading run.json and writing outputs atomically (tmp + rename), so readers never see half a file. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../results/atomic.js';
import { UsageError } from '../core/errors.js';
import type { ExportFile } from '../results/exporter.js';
import type { RunResult } from '../results/model.js';

/** Writes export files under dir and returns their full paths. */
export async function writeExports(dir: string, files: readonly ExportFile[]): Promise<string[]> {
  const paths: string[] = [];
  for (const f of files) {
    paths.push(writeAtomic(dir, f.path, f.data));
  }
  return paths;
}

/** Loads RUN_DIR/run.json; any problem is a UsageError naming the path. */
export async function readRun(dir: string): Promise<RunResult> {
  const path = join(dir, 'run.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'pass a run directory written by `discobench bench` (it holds run.json)');
  }
  let run: unknown;
  try {
    run = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid JSON (${(err as Error).message})`, 'the file is damaged; re-run the benchmark');
  }
  const r = run as Partial<RunResult>;
  const problems: string[] = [];
  if (!r || typeof r !== 'object') problems.push('not an object');
  else {
    if (r.schemaVersion !== 1) problems.push(`schemaVersion: expected 1, got ${JSON.stringify(r.schemaVersion)}`);
    if (!Array.isArray(r.variants)) problems.push('variants: must be an array');
    if (typeof r.runId !== 'string') problems.push('runId: must be a string');
    if (!r.scenario || typeof r.scenario.name !== 'string') problems.push('scenario.name: must be a string');
    if (!r.environment || typeof r.environment !== 'object') problems.push('environment: must be an object');
  }
  if (problems.length > 0) throw new UsageError(`${path}: not a discobench run.json (${problems.join('; ')})`, 'pass a run directory written by `discobench bench`', problems.map((p) => `${path}: ${p}`));
  return run as RunResult;
}
