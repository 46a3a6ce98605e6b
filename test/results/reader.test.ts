import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { readRun } from '../../src/results/reader.js';
import { runProblems } from '../../src/results/schema.js';
import { ROOT } from '../cli/run-cli.js';

const EXAMPLES = ['smoke', 'scaling-small'].map((d) => join(ROOT, 'results', 'example', d));

test('the shipped example runs (written by bench) pass the schema', async () => {
  for (const dir of EXAMPLES) {
    const run = await readRun(dir);
    assert.ok(run.variants.length > 0, dir);
  }
});

async function withRun(mutate: (run: Record<string, any>) => void): Promise<string> {
  const run = JSON.parse(await readFile(join(EXAMPLES[0]!, 'run.json'), 'utf8')) as Record<string, any>;
  mutate(run);
  const dir = await mkdtemp(join(tmpdir(), 'disco-reader-'));
  await writeFile(join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

test('a run.json of another schema version is refused in one line naming both versions (exit 2)', async () => {
  const dir = await withRun((r) => { r.schemaVersion = 2; });
  await assert.rejects(readRun(dir), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && /this discobench reads version 1, the file is version 2/.test(err.message) && !err.message.includes('\n'));
});

test('a damaged metric is named by its path', async () => {
  const dir = await withRun((r) => {
    const m = r.variants[0].metrics;
    m[Object.keys(m)[0]!].p99 = 'fast';
  });
  await assert.rejects(readRun(dir), (err: unknown) => err instanceof UsageError && /variants\.0\.metrics\..+\.p99: /.test(err.message));
});

test('fields a later harness adds are kept, not refused', () => {
  const problems = runProblems({ schemaVersion: 1, runId: 'x', scenario: { name: 's', description: '', extra: 1 }, provider: 'local', status: 'completed', startedAt: '', environment: { kernel: '', cpus: 2, memory: 1, node: '', tools: {} }, variants: [], futureField: true });
  assert.deepEqual(problems, []);
});
