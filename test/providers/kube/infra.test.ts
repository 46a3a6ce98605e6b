import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { INFRA_DIR, REPO_ROOT } from '../../../src/providers/kube/infra.js';

test('agent image runs the same CLI entry point the package exposes', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  const dockerfile = readFileSync(join(INFRA_DIR, 'agent', 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^FROM node:20-slim$/m);
  const entry = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)![1]!;
  assert.deepEqual(JSON.parse(entry), ['node', pkg.bin.discobench]);
  assert.match(dockerfile, /npm prune --omit=dev/);
  // the agents' socket I/O addon travels with dist/
  assert.match(dockerfile, /^COPY native\/build\/Release\/netio\.node \.\/native\/build\/Release\/netio\.node$/m);
});

test('nightly workflow: kind via helm/kind-action, bench on kind, compare with --fail-on-regression, job summary', () => {
  const wf = parse(readFileSync(join(INFRA_DIR, 'github', 'nightly.yml'), 'utf8')) as any;
  assert.ok(wf.on.schedule[0].cron);
  const steps: any[] = wf.jobs.bench.steps;
  const kind = steps.find((s) => String(s.uses ?? '').startsWith('helm/kind-action@'));
  assert.equal(kind.with.install_only, true);
  assert.ok(steps.some((s) => s.run === 'npm run setup'));
  const bench = steps.find((s) => s.id === 'bench');
  assert.match(bench.run, /--provider kind/);
  const compare = steps.find((s) => /compare/.test(s.name));
  assert.match(compare.run, /--fail-on-regression/);
  assert.match(compare.run, /GITHUB_STEP_SUMMARY/);
  assert.match(compare.run, /results\/baselines\//);
  // the summary and comparison matter most when bench failed: compare runs whenever there is a run dir
  assert.match(compare.if, /^always\(\) && /);
  // compare writes compare.md/.html/.json into the run directory: upload only after it
  const upload = steps.findIndex((s) => String(s.uses ?? '').startsWith('actions/upload-artifact@'));
  assert.ok(upload > steps.indexOf(compare), 'the artifact is uploaded after compare wrote its files');
  assert.match(steps[upload].if, /^always\(\)/);
});
