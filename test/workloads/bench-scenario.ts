import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/results/model.js';
import { runCli } from '../cli/run-cli.js';
import { ourNetns } from '../e2e/host-state.js';

/** Runs `discobench bench` on a scenario given as YAML text; returns its run.json, after checking the run exited 0 and left no namespace behind. */
export async function benchScenario(yaml: string): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'disco-bench-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, yaml);
  const before = ourNetns();
  const r = await runCli(['bench', '--scenario', file, '--out', dir], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(ourNetns().filter((n) => !before.includes(n)), []);
  const [run] = readdirSync(dir).filter((d) => d !== 'scenario.yaml');
  return JSON.parse(readFileSync(join(dir, run!, 'run.json'), 'utf8')) as RunResult;
}
