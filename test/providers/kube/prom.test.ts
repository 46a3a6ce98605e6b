import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramDelta, histogramOf, maxBoundMs, meanMs, parsePrometheus, sumOf } from '../../../src/providers/kube/prom.js';
import { kubeProxyCaughtUp, kubeProxySnapshot, slowest, syncBetween } from '../../../src/providers/kube/proxy-metrics.js';
import { containerCpuSeconds } from '../../../src/providers/kube/resource-metrics.js';
import { kubeProxyMetrics } from './fakes.js';

test('parser: escapes, +Inf/NaN, timestamps, comments, TYPE lines', () => {
  const p = parsePrometheus([
    '# HELP x_total some "help" text',
    '# TYPE x_total counter',
    'x_total{a="q\\"uote",b="back\\\\slash",c="new\\nline"} 12.5 1700000000000',
    'x_total{a="other"} +Inf',
    'y NaN',
    '',
    'z{le="+Inf",} 3',
  ].join('\n'));
  assert.equal(p.types.get('x_total'), 'counter');
  assert.deepEqual(p.samples[0], { name: 'x_total', labels: { a: 'q"uote', b: 'back\\slash', c: 'new\nline' }, value: 12.5, timestampMs: 1700000000000 });
  assert.equal(p.samples[1]!.value, Infinity);
  assert.ok(Number.isNaN(p.samples[2]!.value));
  assert.deepEqual(p.samples[3]!.labels, { le: '+Inf' });
  assert.equal(sumOf(p, 'x_total', { a: 'q"uote' }), 12.5);
  assert.equal(sumOf(p, 'absent'), undefined);
  assert.throws(() => parsePrometheus('bad{a=1} 2'), /line 1: label a value is not quoted/);
  assert.throws(() => parsePrometheus('novalue'), /line 1/);
});

test('histogram delta -> the duration of the syncs in between', () => {
  const before = kubeProxySnapshot('kp', kubeProxyMetrics({ counts: [0, 2, 5, 5], sum: 0.02, count: 5, last: 100 }));
  // one more sync, of 0.300 s (lands in le=0.512)
  const after = kubeProxySnapshot('kp', kubeProxyMetrics({ counts: [0, 2, 5, 5, 5, 5, 5, 5, 5, 6], sum: 0.32, count: 6, last: 130, pending: 0 }));
  const d = histogramDelta(before.all, after.all!);
  assert.equal(d.count, 1);
  assert.ok(Math.abs(meanMs(d)! - 300) < 1e-6);
  assert.equal(maxBoundMs(d), 512);
  const f = syncBetween(before, after, 'partial')!;
  assert.equal(f.source, 'all');
  assert.equal(f.syncs, 1);
  assert.ok(Math.abs(f.durationMs - 300) < 1e-6);
  assert.equal(syncBetween(after, after, 'partial'), undefined, 'no sync in between: no figure');
  assert.ok(kubeProxyCaughtUp(after, 125));
  assert.ok(!kubeProxyCaughtUp(after, 131));
  assert.ok(!kubeProxyCaughtUp({ ...after, pending: 3 }, 125));
});

test('full-sync histogram preferred (iptables); counter reset after a restart uses the new counts; slowest node wins', () => {
  const fresh = kubeProxySnapshot('kp-new', kubeProxyMetrics({ counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2], sum: 2.5, count: 2, full: { sum: 1.75, count: 1 }, last: 200, rules: 40012 }));
  assert.equal(fresh.iptablesRules, 40019);
  const f = syncBetween(undefined, fresh, 'full')!;
  assert.equal(f.source, 'full');
  assert.equal(f.durationMs, 1750);
  const old = kubeProxySnapshot('kp', kubeProxyMetrics({ counts: [9], sum: 9, count: 9, last: 1 }));
  assert.equal(histogramDelta(old.all, fresh.all!).count, 2, 'reset: after alone');
  assert.equal(slowest([{ durationMs: 5, syncs: 1, source: 'all' }, undefined, { durationMs: 9, syncs: 1, source: 'all' }])!.durationMs, 9);
});

test('Cilium implementation delay histogram', () => {
  const text = [
    'cilium_service_implementation_delay_bucket{action="update",le="0.005"} 3',
    'cilium_service_implementation_delay_bucket{action="update",le="+Inf"} 4',
    'cilium_service_implementation_delay_sum{action="update"} 0.04',
    'cilium_service_implementation_delay_count{action="update"} 4',
    'cilium_service_implementation_delay_bucket{action="delete",le="0.005"} 1',
    'cilium_service_implementation_delay_bucket{action="delete",le="+Inf"} 1',
    'cilium_service_implementation_delay_sum{action="delete"} 0.002',
    'cilium_service_implementation_delay_count{action="delete"} 1',
  ].join('\n');
  const h = histogramOf(parsePrometheus(text), 'cilium_service_implementation_delay')!;
  assert.equal(h.count, 5);
  assert.deepEqual(h.buckets, [[0.005, 4], [Infinity, 5]]);
  assert.ok(Math.abs(meanMs(h)! - 8.4) < 1e-9);
});

test('kubelet resource metrics: CPU seconds of the named containers only', () => {
  const text = [
    '# TYPE container_cpu_usage_seconds_total counter',
    'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-a"} 12.5 1700000000000',
    'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-b"} 7.5 1700000000000',
    'container_cpu_usage_seconds_total{container="kube-proxy",namespace="kube-system",pod="kube-proxy-x"} 3 1700000000000',
    'node_cpu_usage_seconds_total 999',
  ].join('\n');
  const r = containerCpuSeconds(text, [
    { namespace: 'kube-system', pod: 'coredns-a', container: 'coredns' },
    { namespace: 'kube-system', pod: 'coredns-b', container: 'coredns' },
  ]);
  assert.deepEqual(r, { seconds: 20, found: 2, timeMs: 1700000000000 });
});

test('dual-stack kube-proxy: only the IPv4 proxier\'s syncs count (its IPv6 twin syncs nothing in no time)', () => {
  const fam = (f: string, sum: number, count: number, last: number, queued: number) => [
    `kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="${f}",le="0.001"} ${f === 'IPv6' ? count : 0}`,
    `kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="${f}",le="+Inf"} ${count}`,
    `kubeproxy_sync_proxy_rules_duration_seconds_sum{ip_family="${f}"} ${sum}`,
    `kubeproxy_sync_proxy_rules_duration_seconds_count{ip_family="${f}"} ${count}`,
    `kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="${f}"} ${last}`,
    `kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds{ip_family="${f}"} ${queued}`,
  ];
  const text = (v4: [number, number, number, number], v6: [number, number, number, number]) =>
    [...fam('IPv4', ...v4), ...fam('IPv6', ...v6), 'kubeproxy_sync_proxy_rules_endpoint_changes_pending 0'].join('\n');
  const before = kubeProxySnapshot('kp', text([10, 1, 100, 99], [0.0005, 1, 100, 99]));
  // a change queued at 120 by both; the IPv6 proxier is done at 121, the IPv4 one still works
  const midway = kubeProxySnapshot('kp', text([10, 1, 100, 120], [0.001, 2, 121, 120]));
  assert.equal(midway.lastSync, 100);
  assert.equal(midway.pending, undefined, 'the shared pending gauge is the last proxier\'s: not read');
  assert.equal(kubeProxyCaughtUp(midway, 119, 119), false, 'not caught up while the IPv4 proxier has not synced');
  assert.equal(syncBetween(before, midway, 'partial'), undefined, 'no IPv4 sync yet');
  const done = kubeProxySnapshot('kp', text([16, 2, 126, 120], [0.001, 2, 121, 120]));
  assert.ok(kubeProxyCaughtUp(done, 119, 119));
  assert.equal(syncBetween(before, done, 'partial')?.durationMs, 6000, 'the IPv4 sync alone, not averaged with the IPv6 one');
});
