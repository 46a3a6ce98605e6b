import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsServerCpu } from '../../../src/workloads/dns-server-cpu.js';
import { MetricSink } from '../../../src/metrics/sink.js';
import { containerCpuSeconds, criCpuSeconds } from '../../../src/providers/kube/resource-metrics.js';
import type { ProviderSample } from '../../../src/providers/provider.js';
import type { WorkloadContext } from '../../../src/workloads/workload.js';

const refs = [{ namespace: 'kube-system', pod: 'coredns-1', container: 'coredns' }];

test('kubelet resource metrics: CPU with the samples\' own timestamps', () => {
  const text = [
    '# TYPE container_cpu_usage_seconds_total counter',
    'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-1"} 12.5 1764720000000',
    'container_cpu_usage_seconds_total{container="kube-proxy",namespace="kube-system",pod="kube-proxy-x"} 3 1764720004000',
  ].join('\n');
  assert.deepEqual(containerCpuSeconds(text, refs), { seconds: 12.5, found: 1, timeMs: 1764720000000 });
});

test('crictl stats JSON (CRI ContainerStats, 64-bit integers as strings): live CPU per container', () => {
  const json = JSON.stringify({ stats: [
    { attributes: { id: 'a', metadata: { name: 'coredns' }, labels: { 'io.kubernetes.container.name': 'coredns', 'io.kubernetes.pod.name': 'coredns-1', 'io.kubernetes.pod.namespace': 'kube-system' } }, cpu: { timestamp: '1764720000500000000', usageCoreNanoSeconds: { value: '2500000000' } } },
    { attributes: { id: 'b', metadata: { name: 'other' }, labels: { 'io.kubernetes.container.name': 'other', 'io.kubernetes.pod.name': 'x', 'io.kubernetes.pod.namespace': 'default' } }, cpu: { timestamp: '1764720000500000000', usageCoreNanoSeconds: { value: '9' } } },
  ] });
  assert.deepEqual(criCpuSeconds(json, refs), { seconds: 2.5, found: 1, timeMs: 1764720000500 });
});

test('dns.server.cpu from cached kubelet stats uses their timestamps, not the scrape clock', async () => {
  // CoreDNS burns 0.5 core; the kubelet refreshes its stats once a second here (10-15 s for real)
  const t0 = Date.now();
  const stampAt = (wall: number) => t0 - 1000 + Math.floor((wall - t0 + 1000) / 1000) * 1000;
  const sample = async (): Promise<ProviderSample> => {
    const now = Date.now();
    const stamp = stampAt(now);
    return { time: now, cpuTime: stamp, dnsServerCpuSeconds: 100 + 0.5 * ((stamp - t0) / 1000), dnsServerQueries: now - t0 + 1 };
  };
  const sink = new MetricSink();
  const ctx = { provider: { sample }, sink, log: () => {} } as unknown as WorkloadContext;
  const m = new DnsServerCpu();
  await m.start(ctx);
  await new Promise((r) => setTimeout(r, 2300));
  await m.stop(ctx);
  assert.equal(sink.get('dns.server.cpu'), 0.5);
});
