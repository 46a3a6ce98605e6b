import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectResolveInfo } from '../../src/load/connect/contract.js';
import { failureBins, staleFigures, type Recreated } from '../../src/workloads/service-recreate.js';
import { runCli } from '../cli/run-cli.js';
import { benchScenario } from './bench-scenario.js';

const T0 = 1_000_000;
/** One Service: ok on the old address, deleted at +1000, old address failing until +2500, NXDOMAIN, recreated at +3000, new address from +3400. */
function info(): ConnectResolveInfo {
  return {
    mode: 'resolve', startedAt: T0, targets: ['svc-0.bench-0:80'], addresses: ['10.96.1.0', '10.96.1.200'], outcomes: ['ok', 'timeout', 'dns:ENOTFOUND'],
    attempts: [[
      [0, 0, 0, 2], [500, 0, 0, 2], [1200, 0, 1, 1000], [2500, 0, 1, 1000], [2700, -1, 2, 3], [3100, 0, 1, 1000], [3400, 1, 0, 2], [3500, 1, 0, 2],
    ]],
    skipped: 0, intervalMs: 50, attemptTimeoutMs: 1000, durationMs: 4000, interrupted: false,
  };
}
const R: Recreated = { name: 'svc-0.bench-0', oldIP: '10.96.1.0', newIP: '10.96.1.200', deletedAt: T0 + 1000, recreatedAt: T0 + 3000 };

test('staleFigures: windows from the deletion and the recreation, outcomes by which address the lookup gave', () => {
  const f = staleFigures(info(), 0, R);
  assert.equal(f.controlAttempts, 2);
  assert.equal(f.controlFailed, 0);
  assert.equal(f.attempts, 6);
  assert.equal(f.failed, 4);
  assert.equal(f.oldIPWindowMs, 2100, 'the last old answer began 2100 ms after the deletion');
  assert.equal(f.staleAfterRecreate, 1);
  assert.equal(f.staleAfterRecreateMs, 100);
  assert.equal(f.newIPDelayMs, 402, 'first connection through the new ClusterIP done 402 ms after the recreation');
  assert.deepEqual(f.outcomes, { 'old:timeout': 3, 'none:dns:ENOTFOUND': 1, 'new:ok': 2 });
});

test('failureBins: failed attempts per 100 ms by when they began, quiet bins as zero', () => {
  const bins = failureBins(info(), T0, T0 + 3999, (_ip, o) => o !== 'ok');
  assert.equal(bins.length, 40);
  assert.deepEqual(bins.filter(([, n]) => n > 0).map(([t]) => t - T0), [1200, 2500, 2700, 3100]);
});

const SCENARIO = `name: recreate-test
description: two Services deleted and recreated with new ClusterIPs while looked up by name
provider: local
cluster: { proxy: iptables, components: real, dnsServer: coredns }
services: { count: 20, endpointsPerService: 1, namespaces: 2 }
workloads:
  recreate: { services: 2, warmup: 2s, gap: 1s, settle: 6s, interval: 50ms }
`;

test('Services recreated under lookups by name: the old ClusterIP goes, the new one is reached, both changes on the time line', async () => {
  const v = (await benchScenario(SCENARIO)).variants[0]!;
  assert.equal(v.status, 'completed', v.errors.join('; '));
  const m = v.metrics;
  assert.ok(m['recreate.control.failed']!.count > 40, `control attempts ${m['recreate.control.failed']!.count}`);
  assert.equal(m['recreate.control.failed']!.value, 0, 'before the change every lookup + connection worked');
  assert.equal(m['recreate.new_ip_delay']!.count, 2, 'both Services were reached through their new ClusterIP');
  // kubeadm's Corefile does not cache cluster.local answers (cache 30 { disable success cluster.local }):
  // without NodeLocal the old address goes as soon as CoreDNS's watch sees the deletion, long before the 30 s TTL
  assert.ok(m['recreate.old_ip_window']!.max < 5000, `old ClusterIP still answered ${m['recreate.old_ip_window']!.max} ms after the deletion`);
  assert.ok(m['recreate.attempts.failed']!.value > 0, 'the 1 s without the Service failed');
  assert.equal((v.events ?? []).length, 2, JSON.stringify(v.events));
  assert.ok((v.series['timeline.recreate.failures'] ?? []).length > 50);
});

test('recreate off the local provider is refused before anything runs (exit 2)', async () => {
  const r = await runCli(['bench', '--scenario', 'stale-answers', '--provider', 'kind', '--dry-run']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /workloads\.recreate: runs on the local provider only/);
});
