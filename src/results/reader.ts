import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { RunResult } from './model.js';
import { runProblems } from './schema.js';

/** Loads RUN_DIR/run.json and checks it against the schema; any problem is a UsageError (exit 2) naming the path. */
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
  const problems = runProblems(run);
  if (problems.length > 0) {
    const other = problems[0]!.startsWith('schemaVersion:');
    throw new UsageError(
      `${path}: ${other ? problems[0] : `not a valid discobench run.json (${problems.length} problem(s), first: ${problems[0]})`}`,
      other ? 'render it with the discobench version that wrote it' : 'pass a run directory written by `discobench bench`',
      problems.map((p) => `${path}: ${p}`),
    );
  }
  return run as RunResult;
}
