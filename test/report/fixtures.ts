/** Run fixtures with real HDR histograms, generated from a seeded PRNG so figures are reproducible. */
import { distributionOf, encode, newHistogram, record } from '../../src/metrics/histogram.js';
import { mulberry32 as prng } from '../../src/core/prng.js';
import type { MetricResult, RunResult, VariantResult } from '../../src/results/model.js';

/** A latency metric from samples drawn as base · (1 + exponential tail). */
export function latencyMetric(rand: () => number, base: number, n = 2000, tail = 0.5): MetricResult {
  const h = newHistogram();
  for (let i = 0; i < n; i++) record(h, base * (1 + tail * -Math.log(1 - rand())));
  const d = distributionOf(h);
  return { unit: 'ms', ...d, value: d.mean, hdr: encode(h) };
}

export function gauge(value: number, unit: string, count = 1): MetricResult {
  return { unit, count, min: value, mean: value, p50: value, p90: value, p99: value, p999: value, max: value, value };
}

export function variant(id: string, params: Record<string, unknown>, repeat: number, metrics: Record<string, MetricResult>, series: VariantResult['series'] = {}): VariantResult {
  return { id, params, repeat, status: 'completed', errors: [], startedAt: '2026-11-29T10:00:00.000Z', finishedAt: '2026-11-29T10:00:10.000Z', metrics, series };
}

export function run(name: string, variants: VariantResult[]): RunResult {
  return {
    schemaVersion: 1,
    runId: `20261129-100000-${name}`,
    scenario: { name, description: `${name} fixture` },
    provider: 'local',
    status: 'completed',
    startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: '2026-11-29T10:00:42.000Z',
    environment: { kernel: '6.1.0-test', cpus: 2, memory: 8 * 1024 ** 3, node: 'v20.0.0', tools: { iptables: '1.8.9', unbound: '1.17.1' } },
    variants,
  };
}

/** ndots 5 vs 1, `repeats` repeats each; dnsFactor scales dns.lookup.latency of every variant. */
export function smokeRun(seed = 1, repeats = 1, dnsFactor = 1): RunResult {
  const rand = prng(seed);
  const vs: VariantResult[] = [];
  for (const ndots of [5, 1]) {
    for (let r = 1; r <= repeats; r++) {
      const rate = 20000 / (ndots === 5 ? 2.5 : 1) * (1 + 0.02 * (rand() - 0.5));
      const series: Array<[number, number]> = Array.from({ length: 30 }, (_, i) => [i * 0.5, rate * (0.9 + 0.2 * rand())]);
      vs.push(variant(`ndots=${ndots}-r${r}`, { 'workloads.dns.ndots': ndots }, r, {
        'dns.lookup.latency': latencyMetric(rand, (ndots === 5 ? 0.8 : 0.3) * dnsFactor),
        'tcp.connect.latency': latencyMetric(rand, 0.12),
        'dns.lookups.rate': gauge(rate, '1/s', 1000),
        'dns.lookups.failed': gauge(0, 'count'),
      }, { 'dns.queries.rate': series }));
    }
  }
  return run('smoke', vs);
}

export const SCALING_COUNTS = [1000, 2000, 5000, 10000, 20000, 30000];

/** iptables (quadratic sync) vs nftables (linear sync) across Service counts. */
export function scalingRun(seed = 2): RunResult {
  const rand = prng(seed);
  const vs: VariantResult[] = [];
  for (const proxy of ['iptables', 'nftables']) {
    for (const count of SCALING_COUNTS) {
      const sync = proxy === 'iptables' ? 20 + 0.01 * count + 1e-6 * count * count : 15 + 0.02 * count;
      vs.push(variant(`proxy=${proxy},services.count=${count}-r1`, { 'cluster.proxy': proxy, 'services.count': count }, 1, {
        'proxy.sync.duration': latencyMetric(rand, sync, 20, 0.05),
        'tcp.connect.latency': latencyMetric(rand, proxy === 'iptables' ? 0.1 + count * 2e-5 : 0.1 + count * 2e-6),
        'proxy.rules': gauge(count * (proxy === 'iptables' ? 8 : 3), 'count'),
      }));
    }
  }
  return run('scaling-iptables-vs-nftables', vs);
}
