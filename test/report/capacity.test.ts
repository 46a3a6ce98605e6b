import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary } from '../../src/report/summary.js';
import { renderReportHtml } from '../../src/report/html.js';
import { buildCharts } from '../../src/report/charts.js';
import { compareRuns } from '../../src/report/compare.js';
import type { CapacityResult, CapacityStep } from '../../src/results/capacity.js';
import type { RunResult } from '../../src/results/model.js';
import { gauge, run, variant } from './fixtures.js';

function step(offered: number, limit: number, cpuPerKilo: number): CapacityStep {
  const ok = offered <= limit;
  const achieved = ok ? offered : limit;
  return {
    phase: 'ramp', t: 0, offered, achieved, lookups: achieved * 4, unfinished: 0, p50: 1, p99: ok ? 5 : 80, failedRatio: 0, timeoutRatio: 0,
    serverQueriesRate: achieved * 3, agentQueriesRate: achieved * 3, serverCpu: (achieved / 1000) * cpuPerKilo, agentCpu: 0.2, agentSaturation: 0.2,
    ok, broke: ok ? [] : ['p99 80 ms > 20 ms'],
  };
}

/**
 * ndots 5 and 1 without NodeLocal: capacities 4000 and 8000 lookups/s, 0.25 and 0.1 cores per
 * 1000 lookups/s; `repeats` copies, the k-th with its figures scaled by jitter[k].
 */
function capacityRun(scale = 1, jitter: number[] = [1]): RunResult {
  const vs = jitter.flatMap((j, k) => [[5, 4000, 0.25], [1, 8000, 0.1]].map(([ndots, limit, cpu]) => {
    const steps = [1000, 2000, 4000, 8000, 16000].filter((r) => r <= limit * 2).map((r) => step(r, limit!, cpu!));
    const good = steps.findIndex((s) => s.offered === limit);
    const record: CapacityResult = { slo: { p99Ms: 20, failures: 0.001, tolerance: 0.05 }, stepMs: 4000, ndots: ndots!, nodeLocalDNS: false, dnsServer: 'coredns', dnsReplicas: 1, agentThreads: 1, peak: 20000, outcome: 'slo', good, bad: good + 1, steps };
    const v = variant(`ndots=${ndots}`, { 'workloads.capacity.ndots': ndots }, k + 1, {
      'dns.capacity.lookups_rate': gauge(limit! * scale * j, '1/s'),
      'dns.capacity.lookups_per_core': gauge((1000 / cpu!) * scale * j, '1/s/core'),
    });
    v.capacity = record;
    return v;
  }));
  return run('dns-capacity', vs);
}

test('the Capacity section opens summary.md with measured and extrapolated figures said as such', () => {
  const md = renderSummary(capacityRun());
  const lines = md.split('\n');
  const first = lines.findIndex((l) => l.startsWith('### '));
  assert.equal(lines[first], '### Capacity');
  assert.ok(lines.includes('- Within p99 <= 20 ms, cluster DNS took 4,000 at ndots 5 and 10,000 at ndots 1 lookups/s per core (measured); ndots 5 costs 2.5x the DNS CPU per lookup of ndots 1.'), md);
  assert.ok(lines.includes('- At a peak of 20,000 lookups/s (workloads.capacity.peak) that is, in replicas of the measured size: ndots=5: 5 (1 cores each); ndots=1: 3 (0.8 cores each). Extrapolated: it assumes capacity adds up linearly across replicas, which this run did not measure.'), md);
  assert.ok(lines.some((l) => l.startsWith('- ndots=5: 4,000 lookups/s met the SLO (measured; p99 5 ms at that step, 8,000/s broke it: p99 80 ms > 20 ms); the cluster DNS servers saw 12,000 queries/s at 1 cores: 4,000 lookups/s per core, 4,000 per replica (1 measured).')), md);
  assert.ok(lines.includes('| ndots=1 | 8,000 | 24,000 | 0.8 | 10,000 | 8,000 | 5 | 16,000/s broke it: p99 80 ms > 20 ms |'), md);
});

test('a load-generator limit is said, never reported as the server capacity', () => {
  const r = capacityRun();
  const rec = r.variants[0]!.capacity!;
  rec.outcome = 'client-limit';
  rec.steps[rec.bad!]!.agentSaturation = 0.97;
  delete r.variants[0]!.metrics['dns.capacity.lookups_rate'];
  const md = renderSummary(r);
  assert.match(md, /- ndots=5: no server capacity: the load generator was the limit \(load generator: agent CPU 97% of its thread at 8,000\/s \(cluster DNS 1 cores\)\), so its ceiling is not reported as the server's\. The server took at least 4,000 lookups\/s \(measured\), a lower bound/);
  assert.doesNotMatch(md, /\| ndots=5 \| 4,000 \|/);
});

test('report.html: Capacity first, with one ramp chart per variant (offered vs achieved, p99 with the SLO line)', () => {
  const r = capacityRun();
  const html = renderReportHtml(r);
  assert.ok(html.indexOf('<h2>Capacity</h2>') < html.indexOf('<h2>Key figures'), 'Capacity before the key figures');
  const ramps = buildCharts(r).filter((c) => c.id.startsWith('capacity-'));
  assert.deepEqual(ramps.map((c) => c.id), ['capacity-ndots_5', 'capacity-ndots_1']);
  const labels = (ramps[0]!.config as { data: { datasets: Array<{ label: string }> } }).data.datasets.map((d) => d.label);
  assert.deepEqual(labels, ['offered = achieved', 'achieved lookups/s', 'p99 (ms)', 'SLO p99 20 ms', 'capacity 4,000/s']);
  assert.match(html, /<canvas id="chart-capacity-ndots_5">/);
});

test('compare: one capacity search per side is not tested (no spread); over repeats Welch flags a 30% cut and not a re-run within the spread', () => {
  const single = compareRuns(capacityRun(), capacityRun(0.7), { thresholdPct: 10 });
  assert.equal(single.regressions.length, 0);
  assert.ok(single.rows.filter((r) => r.metric.startsWith('dns.capacity.')).every((r) => r.test === 'n/a'), 'a single search says nothing of its run-to-run spread');
  // three repeats per side, spread +-6% (what repeated searches here showed)
  const base = capacityRun(1, [0.94, 1, 1.06]);
  const rerun = compareRuns(base, capacityRun(1, [1.05, 0.96, 1.01]), { thresholdPct: 10 });
  assert.equal(rerun.regressions.length, 0);
  const cut = compareRuns(base, capacityRun(0.7, [1.05, 0.96, 1.01]), { thresholdPct: 10 });
  assert.deepEqual(cut.regressions.map((x) => `${x.metric} ${x.variant} ${x.test}`).sort(), [
    'dns.capacity.lookups_per_core workloads.capacity.ndots=1 welch', 'dns.capacity.lookups_per_core workloads.capacity.ndots=5 welch',
    'dns.capacity.lookups_rate workloads.capacity.ndots=1 welch', 'dns.capacity.lookups_rate workloads.capacity.ndots=5 welch',
  ]);
});
