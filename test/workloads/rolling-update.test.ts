import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../cli/run-cli.js';
import { benchScenario } from './bench-scenario.js';

const SCENARIO = `name: rolling-update-test
description: two Services x 2 endpoints rolled under load, keep-alive and not
provider: local
cluster: { clients: 1, backends: 2, proxy: iptables }
services: { count: 30, endpointsPerService: 1 }
workloads:
  rollingUpdate: { services: 2, replicas: 2, maxSurge: 1, maxUnavailable: 0, interval: 20ms, terminationGrace: 2s, batchInterval: 500ms, settle: 1s }
matrix:
  workloads.rollingUpdate.keepAlive: [true, false]
`;

test('a rollout under load on real kube-proxy: traffic moves to the new endpoints, new connections see no error, keep-alive ones only resets', async () => {
  const result = await benchScenario(SCENARIO);
  for (const v of result.variants) {
    // completed means the workload's own checks held: a new endpoint of each Service answered,
    // a replaced one answered before the rollout and never after its backend stopped
    assert.equal(v.status, 'completed', v.errors.join('; '));
    const m = v.metrics;
    assert.ok(m['rollout.requests']!.value > 100, `requests ${m['rollout.requests']!.value}`);
    assert.ok(m['rollout.convergence']!.count > 0, 'replaced endpoints answered before they were replaced');
    assert.equal(m['rollout.error_window']!.count, 2, 'one error window per rolled Service');
    const labels = (v.events ?? []).map((e) => e.label);
    assert.equal(labels.filter((l) => / ready$/.test(l)).length, 2, labels.join(' | '));
    assert.equal(labels.filter((l) => /removed$/.test(l)).length, 2, labels.join(' | '));
    assert.ok((v.series['timeline.rollout.errors'] ?? []).length > 20);
    const kinds = Object.keys(m).filter((k) => k.startsWith('rollout.errors.') && m[k]!.value > 0);
    if (v.params['workloads.rollingUpdate.keepAlive'] === false) {
      // kube-proxy drops a terminating endpoint from new connections well within the 2 s grace
      assert.equal(m['rollout.errors']!.value, 0, `new connections failed: ${kinds.join(', ')}`);
    } else {
      // a keep-alive connection stays on its endpoint (conntrack) until that backend stops
      assert.deepEqual(kinds.filter((k) => k !== 'rollout.errors.reset'), []);
    }
  }
});

test('a rollout that could never progress is refused before anything runs (exit 2)', async () => {
  const r = await runCli(['bench', '--scenario', 'rolling-update', '--dry-run', '--set', 'workloads.rollingUpdate.maxSurge=0', '--set', 'workloads.rollingUpdate.maxUnavailable=0']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /workloads\.rollingUpdate\.maxSurge: maxSurge and maxUnavailable are both 0/);
});
