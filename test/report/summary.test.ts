import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSummary } from '../../src/report/summary.js';
import { encode, newHistogram, record } from '../../src/metrics/histogram.js';
import { gauge, run, scalingRun, variant } from './fixtures.js';

/** 1..100 ms once each: p50 50, p99 99, mean 50.5 (exact in an HDR histogram at 3 digits). */
function oneToHundred() {
  const h = newHistogram();
  for (let i = 1; i <= 100; i++) record(h, i);
  return { unit: 'ms', count: 100, min: 1, mean: 50.5, p50: 50, p90: 90, p99: 99, p999: 100, max: 100, value: 50.5, hdr: encode(h) };
}

test('summary.md: header, environment, distribution and value tables with exact figures, errors', () => {
  const failed = variant('ndots=1-r1', { 'workloads.dns.ndots': 1 }, 1, {});
  failed.status = 'failed';
  failed.errors = ['unbound did not start | exit 1'];
  const r = run('smoke', [
    variant('ndots=5-r1', { 'workloads.dns.ndots': 5 }, 1, { 'dns.lookup.latency': oneToHundred(), 'dns.lookups.rate': gauge(1234.5, '1/s') }),
    variant('ndots=5-r2', { 'workloads.dns.ndots': 5 }, 2, { 'dns.lookup.latency': oneToHundred(), 'dns.lookups.rate': gauge(1000, '1/s') }),
    failed,
  ]);
  const md = renderSummary(r);
  const lines = md.split('\n');
  assert.equal(lines[0], '# discobench: smoke');
  assert.ok(lines.includes('- run: `20261129-100000-smoke`, provider: local, status: **completed** (42 s)'));
  assert.ok(lines.includes('- variants: 2 (3 runs: 2 completed, 1 failed, 0 skipped)'));
  assert.ok(lines.includes('- environment: kernel 6.1.0-test, 2 CPUs, 8 GiB, node v20.0.0; iptables 1.8.9, unbound 1.17.1'));
  // one matrix axis: metrics down, its values across; the failed variant measured nothing
  assert.ok(lines.includes('| metric | unit | ndots=1 | ndots=5 |'), md);
  // two repeats merged: the same 1..100 twice
  assert.ok(lines.includes('| dns.lookup.latency ↓ | ms | – | 50 / 99 |'), md);
  assert.ok(lines.includes('| dns.lookups.rate ↑ | 1/s | – | 1,117 (1,000..1,235) |'), md);
  assert.ok(lines.includes('- `ndots=1-r1` (failed): unbound did not start \\| exit 1'), md);
  assert.ok(lines.length < 30, `${lines.length} lines`);
});

test('summary.md of a scaling run carries projections, headroom and the caveat', () => {
  const md = renderSummary(scalingRun());
  assert.match(md, /### Capacity projection/);
  assert.match(md, /- proxy\.sync\.duration \(cluster\.proxy=iptables\) at 50,000 Services ~ [\d.]+ s \(quadratic fit, adj\. R² 1\.000, 6 points, 1\.7× the largest count measured\)/);
  assert.match(md, /- largest Service count with tcp\.connect\.latency p99 under 1 ms \(cluster\.proxy=iptables\): ~ [\d,]+ /);
  assert.match(md, /> Projections extrapolate/);
});

test('summary.md of a one-variant run keeps the long tables with exact figures', () => {
  const r = run('single', [variant('default', {}, 1, { 'dns.lookup.latency': oneToHundred(), 'dns.lookups.rate': gauge(1234.5, '1/s') })]);
  const lines = renderSummary(r).split('\n');
  assert.ok(lines.includes('| dns.lookup.latency ↓ | ms | default | 1 | 50 | 99 | 50.5 | 100 |'), lines.join('\n'));
  assert.ok(lines.includes('| dns.lookups.rate ↑ | 1/s | default | 1,235 |'), lines.join('\n'));
});

test('summary.md pivots a two-axis matrix: one table per metric, services.count down, proxy across', () => {
  const md = renderSummary(scalingRun());
  const lines = md.split('\n');
  assert.ok(lines.includes('| services.count ↓ · proxy → | proxy=iptables | proxy=nftables |'), md);
  assert.ok(lines.includes('| 30000 | 240,000 | 90,000 |'), md);
  assert.equal(lines.filter((l) => l.startsWith('**proxy.rules**')).length, 1);
});
