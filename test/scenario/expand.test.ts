import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ScenarioError, loadScenario } from '../../src/scenario/load.js';
import { clusterKey, expandVariants } from '../../src/scenario/expand.js';

const dir = mkdtempSync(join(tmpdir(), 'disco-exp-'));
const load = (text: string) => {
  const f = join(dir, `s${Math.random().toString(16).slice(2)}.yaml`);
  writeFileSync(f, text);
  return loadScenario(f).scenario;
};

test('matrix expands into the cartesian product, list-valued ndots is an implicit axis, repeat multiplies', () => {
  const s = load('name: m\nworkloads: { dns: { ndots: [5, 1] } }\nmatrix: { cluster.nodeLocalDNS: [false, true] }\nrepeat: 2\n');
  const v = expandVariants(s, 'm.yaml');
  assert.deepEqual(v.map((x) => x.id), [
    'nodeLocalDNS=false,ndots=5#1', 'nodeLocalDNS=false,ndots=5#2',
    'nodeLocalDNS=false,ndots=1#1', 'nodeLocalDNS=false,ndots=1#2',
    'nodeLocalDNS=true,ndots=5#1', 'nodeLocalDNS=true,ndots=5#2',
    'nodeLocalDNS=true,ndots=1#1', 'nodeLocalDNS=true,ndots=1#2',
  ]);
  assert.deepEqual(v[2]!.params, { 'cluster.nodeLocalDNS': false, 'workloads.dns.ndots': 1 });
  assert.equal(v[2]!.scenario.workloads.dns?.ndots, 1);
  assert.equal(v[4]!.scenario.cluster.nodeLocalDNS, true);
  // variants differing only in ndots share a cluster
  assert.equal(clusterKey(v[0]!), clusterKey(v[2]!));
  assert.notEqual(clusterKey(v[0]!), clusterKey(v[4]!));
});

test('a scenario without matrix is one variant named default', () => {
  const v = expandVariants(load('name: one\n'), 'one.yaml');
  assert.deepEqual(v.map((x) => [x.id, x.params]), [['default', {}]]);
});

test('a bad matrix value is reported with its matrix path', () => {
  const s = load('name: m\nmatrix: { services.count: [100, -5], cluster.proxy: [iptables] }\n');
  assert.throws(() => expandVariants(s, 'm.yaml'), (err: unknown) => {
    assert.ok(err instanceof ScenarioError);
    assert.deepEqual(err.problems, ['m.yaml: matrix.services.count[1] (services.count): must be an integer 0..50000']);
    return true;
  });
});

test('an unknown matrix field is rejected', () => {
  const s = load('name: m\nmatrix: { cluster.colour: [red] }\n');
  assert.throws(() => expandVariants(s, 'm.yaml'), /matrix\.cluster\.colour/);
});

test('--set on a field the matrix varies fixes it: that axis goes, the others stay', () => {
  const { scenario } = loadScenario('proxy-modes-5000', ['cluster.proxy=ipvs']);
  assert.equal(scenario.cluster.proxy, 'ipvs');
  assert.equal('cluster.proxy' in scenario.matrix, false);
  const variants = expandVariants(scenario, 'proxy-modes-5000');
  assert.ok(variants.every((v) => v.scenario.cluster.proxy === 'ipvs'));
});
