import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScenarioError, listScenarioNames, loadScenario } from '../../src/scenario/load.js';
import { expandVariants } from '../../src/scenario/expand.js';

const dir = mkdtempSync(join(tmpdir(), 'disco-scn-'));
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ScenarioError, `expected ScenarioError, got ${String(err)}`);
    assert.equal(err.exitCode, 2);
    return err.problems;
  }
  assert.fail('expected an error');
}

test('every shipped scenario loads and expands', () => {
  const names = listScenarioNames();
  assert.ok(names.includes('smoke'));
  for (const name of names) {
    const { scenario } = loadScenario(name);
    assert.ok(expandVariants(scenario, name).length >= 1, name);
  }
});

test('defaults fill in and durations become milliseconds', () => {
  const f = file('min.yaml', 'name: min\nworkloads:\n  dns: { duration: 2s }\n  churn: { interval: 150ms }\n');
  const { scenario } = loadScenario(f);
  assert.equal(scenario.provider, 'local');
  assert.equal(scenario.cluster.proxy, 'iptables');
  assert.equal(scenario.services.count, 100);
  assert.equal(scenario.workloads.dns?.duration, 2000);
  assert.equal(scenario.workloads.dns?.ndots, 5);
  assert.equal(scenario.workloads.churn?.interval, 150);
  assert.equal(scenario.workloads.http, undefined);
});

test('all problems are reported at once, each with file and dotted path', () => {
  const f = file('bad.yaml', [
    'name: bad',
    'cluster: { proxy: userspace, nodes: 0 }',
    'services: { count: -1, colour: blue }',
    'workloads:',
    '  dns: { duration: soon, ndots: [5, 16] }',
  ].join('\n'));
  const got = problems(() => loadScenario(f));
  const expected = [
    `${f}: cluster.proxy: must be one of "iptables", "ipvs", "nftables", "cilium"`,
    `${f}: cluster.nodes: must be an integer 1..100`,
    `${f}: services.count: must be an integer 0..50000`,
    `${f}: services.colour: unknown key "colour"`,
    `${f}: workloads.dns.duration: must be a duration like 200ms, 30s or 2m (got "soon")`,
    `${f}: workloads.dns.ndots[1]: must be an integer 0..15`,
  ];
  assert.deepEqual([...got].sort(), [...expected].sort());
});

test('--set overrides the file and its errors name the --set path', () => {
  const { scenario } = loadScenario('smoke', ['services.count=1000', 'workloads.dns.ndots=[5,1]']);
  assert.equal(scenario.services.count, 1000);
  assert.deepEqual(scenario.workloads.dns?.ndots, [5, 1]);
  assert.deepEqual(problems(() => loadScenario('smoke', ['cluster.proxy=bogus'])), ['--set cluster.proxy: must be one of "iptables", "ipvs", "nftables", "cilium"']);
  assert.deepEqual(problems(() => loadScenario('smoke', ['cluster.colour=1'])), ['--set cluster.colour: unknown key "colour"']);
});

test('YAML syntax errors name the file and line', () => {
  const f = file('syntax.yaml', 'name: x\ncluster: { proxy: iptables\n');
  const [p] = problems(() => loadScenario(f));
  assert.match(p!, new RegExp(`^${f.replace(/[.]/g, '\\.')}: line \\d+: `));
});

test('unknown scenario names list the known ones', () => {
  assert.throws(() => loadScenario('nope'), (err: unknown) => err instanceof Error && /unknown scenario "nope"/.test(err.message));
});

test('capacity search: defaults, all problems at once, and the ndots list as an implicit axis', () => {
  const ok = loadScenario(file('cap.yaml', 'name: cap\nworkloads:\n  capacity: { ndots: [5, 1] }\n'));
  const c = ok.scenario.workloads.capacity!;
  assert.deepEqual([c.start, c.factor, c.step, c.slo.p99, c.slo.failures, c.slo.tolerance, c.refine], [500, 2, 5000, 20, 0.001, 0.05, 3]);
  assert.deepEqual(expandVariants(ok.scenario, 'cap.yaml').map((v) => v.id), ['ndots=5', 'ndots=1']);
  const f = file('cap-bad.yaml', 'name: cap\nworkloads:\n  capacity: { factor: 1, slo: { p99: soon, failures: 2 }, inflight: 5 }\n');
  assert.deepEqual(problems(() => loadScenario(f)).sort(), [
    `${f}: workloads.capacity.factor: must be a number > 1`,
    `${f}: workloads.capacity.inflight: unknown key "inflight"`,
    `${f}: workloads.capacity.slo.failures: must be a number 0..1`,
    `${f}: workloads.capacity.slo.p99: must be a duration like 200ms, 30s or 2m (got "soon")`,
  ].sort());
  const short = file('cap-short.yaml', 'name: cap\nworkloads:\n  capacity: { start: 100, step: 2s }\n');
  assert.deepEqual(problems(() => loadScenario(short)), [`${short}: workloads.capacity.step: a step at the start rate (100/s for 2000 ms) holds 200 lookups; p99 needs at least 1000: raise start or step`]);
});
