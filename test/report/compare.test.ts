import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns } from '../../src/report/compare.js';
import { renderCompareMarkdown } from '../../src/report/compare-render.js';
import { gauge, run, smokeRun, variant } from './fixtures.js';

test('a run compared with itself: nothing changes, no regression', () => {
  const r = smokeRun(1, 3);
  const c = compareRuns(r, r, { thresholdPct: 10 });
  assert.equal(c.regressions.length, 0);
  assert.ok(c.rows.length > 0);
  assert.ok(c.rows.every((x) => x.changePct === 0 && x.verdict === 'unchanged'));
  assert.match(renderCompareMarkdown(c), /\*\*No regression\*\*/);
});

test('dns.lookup.latency 60% worse over 3 repeats: flagged by Welch, other metrics not', () => {
  const c = compareRuns(smokeRun(1, 3), smokeRun(7, 3, 1.6), { thresholdPct: 10 });
  const regs = c.regressions.map((r) => `${r.metric} ${r.stat} ${r.variant}`).sort();
  assert.deepEqual(regs, [
    'dns.lookup.latency mean workloads.dns.ndots=1', 'dns.lookup.latency mean workloads.dns.ndots=5',
    'dns.lookup.latency p50 workloads.dns.ndots=1', 'dns.lookup.latency p50 workloads.dns.ndots=5',
    'dns.lookup.latency p99 workloads.dns.ndots=1', 'dns.lookup.latency p99 workloads.dns.ndots=5',
  ]);
  for (const r of c.regressions) {
    assert.equal(r.test, 'welch');
    assert.ok(r.changePct > 45 && r.changePct < 75, `${r.changePct}`);
  }
  const md = renderCompareMarkdown(c);
  assert.match(md, /\*\*6 regressions: dns\.lookup\.latency\*\*/);
  assert.match(md, /- dns\.lookup\.latency p50 \[workloads\.dns\.ndots=5\]: /);
});

test('noise between two runs of the same system stays within the threshold', () => {
  const c = compareRuns(smokeRun(1, 3), smokeRun(99, 3), { thresholdPct: 10 });
  assert.equal(c.regressions.length, 0);
  assert.ok(c.rows.some((r) => r.changePct !== 0));
});

test('a large but non-significant change is not a regression', () => {
  const mk = (vals: number[]) => run('x', vals.map((v, i) => variant(`v-r${i + 1}`, { 'cluster.proxy': 'iptables' }, i + 1, { 'dns.server.cpu': gauge(v, 'cores') })));
  const c = compareRuns(mk([1.0, 1.5, 0.5]), mk([1.3, 0.6, 2.0]), { thresholdPct: 10 });
  const row = c.rows[0]!;
  assert.equal(row.test, 'welch');
  assert.ok(row.changePct > 29 && row.changePct < 31);
  assert.ok(row.p! > 0.05);
  assert.equal(row.verdict, 'worse, not significant');
  assert.equal(c.regressions.length, 0);
});

test('single repeat: the histogram quantile test flags a 60% worse latency; gauges are n/a', () => {
  const c = compareRuns(smokeRun(1, 1), smokeRun(3, 1, 1.6), { thresholdPct: 10 });
  const p50 = c.rows.find((r) => r.metric === 'dns.lookup.latency' && r.stat === 'p50' && r.variant.endsWith('=5'))!;
  assert.equal(p50.test, 'hdr');
  assert.equal(p50.regression, true);
  const meanRow = c.rows.find((r) => r.metric === 'dns.lookup.latency' && r.stat === 'mean' && r.variant.endsWith('=1'))!;
  assert.equal(meanRow.test, 'hdr');
  assert.equal(meanRow.regression, true);
  const rate = c.rows.find((r) => r.metric === 'dns.lookups.rate')!;
  assert.equal(rate.test, 'n/a');
  assert.equal(rate.regression, false);
  const tcp = c.rows.filter((r) => r.metric === 'tcp.connect.latency');
  assert.ok(tcp.every((r) => !r.regression));
});

test('higher-is-better metrics regress when they drop; variants match by params whatever their ids', () => {
  const mk = (rate: number[], prefix: string) => run('x', rate.map((v, i) => variant(`${prefix}${i}`, { 'workloads.dns.ndots': 5 }, i + 1, { 'dns.lookups.rate': gauge(v, '1/s') })));
  const c = compareRuns(mk([1000, 1010, 990], 'a'), mk([700, 710, 690], 'b'), { thresholdPct: 10 });
  assert.equal(c.regressions.length, 1);
  assert.equal(c.regressions[0]!.better, 'higher');
  const better = compareRuns(mk([700, 710, 690], 'a'), mk([1000, 1010, 990], 'b'), { thresholdPct: 10 });
  assert.equal(better.regressions.length, 0);
  assert.equal(better.rows[0]!.verdict, 'improvement');
});
