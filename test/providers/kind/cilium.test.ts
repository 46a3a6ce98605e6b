import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { LB_MAP_DEFAULT, lbMapMax, renderCiliumValues } from '../../../src/providers/kind/cilium.js';
import { kindUpPlan } from '../../../src/providers/kind/plan.js';
import { clusterDemand } from '../../../src/providers/provider.js';
import { ClusterSpec, ScenarioSpec } from '../../../src/scenario/schema.js';

test('bpf.lbMapMax holds every Service frontend plus one slot per backend, sized from the scenario', () => {
  // 50k Services x 2 endpoints: 150k entries, past the chart default the old values.yaml kept
  const big = lbMapMax({ proxiedServices: 50_000, portsPerService: 1, endpointsPerService: 2 });
  assert.ok(big >= 50_000 * 3, `${big}`);
  assert.equal(big, 262144);
  assert.equal(lbMapMax({ proxiedServices: 5000, portsPerService: 1, endpointsPerService: 3 }), LB_MAP_DEFAULT);
  // endpoints are distinct backend pods, at most 64 of them
  assert.equal(lbMapMax({ proxiedServices: 1000, portsPerService: 1, endpointsPerService: 1000 }), 2 ** Math.ceil(Math.log2(1000 * 65 + 1024)));
  assert.equal(lbMapMax(undefined), LB_MAP_DEFAULT);
});

test('the kind plan for a Cilium matrix sizes the maps for its largest variant, churn included', () => {
  const scenario = ScenarioSpec.parse({ name: 's', cluster: { proxy: 'cilium' }, services: { count: 30_000, endpointsPerService: 2 }, workloads: { churn: { create: 100 } }, matrix: { 'services.count': [1000, 30_000] } });
  const demand = clusterDemand([scenario, { ...scenario, services: { ...scenario.services, count: 1000 } }]);
  assert.deepEqual(demand, { proxiedServices: 30_100, portsPerService: 1, endpointsPerService: 2 });
  const steps = kindUpPlan({ cluster: ClusterSpec.parse({ proxy: 'cilium' }), demand, runId: 'a1', workDir: '/tmp/x' });
  const values = parse(steps.find((s) => s.file?.name === 'cilium-values.yaml')!.file!.content);
  assert.ok(values.bpf.lbMapMax >= 30_100 * 3);
  assert.equal(parse(renderCiliumValues('c', { nodeLocalDNS: false })).bpf.lbMapMax, LB_MAP_DEFAULT);
});
