import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseOnly } from '../../src/cli/commands/perf.js';
import type { PerfReport } from '../../src/perf/run.js';
import { median, summarize } from '../../src/perf/stats.js';
import { perfJson, renderPerfTable } from '../../src/perf/table.js';
import { ratio, verdict } from '../../src/perf/targets.js';

test('ratio is ours / reference, rounded to 3 decimals; nothing measured gives NaN', () => {
  assert.equal(ratio(8000, 10000), 0.8);
  assert.equal(ratio(7999, 10000), 0.8); // 0.7999 rounds to 0.8: the table and the verdict agree
  assert.equal(ratio(11_000, 10_000), 1.1);
  assert.equal(ratio(2, 3), 0.667);
  assert.ok(Number.isNaN(ratio(0, 10)));
  assert.ok(Number.isNaN(ratio(10, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 10)));
});

test('rates pass at >= 0.8, durations at <= 1.1, edges included; NaN fails', () => {
  assert.equal(verdict('dns.agent_vs_dnsperf', 0.8), 'PASS');
  assert.equal(verdict('dns.agent_vs_dnsperf', 0.799), 'FAIL');
  assert.equal(verdict('http.agent_vs_wrk', 1.7), 'PASS');
  assert.equal(verdict('http.agent_vs_wrk', 0.409), 'FAIL');
  assert.equal(verdict('sync.iptables_10k_vs_restore', 1.1), 'PASS');
  assert.equal(verdict('sync.iptables_10k_vs_restore', 1.101), 'FAIL');
  assert.equal(verdict('sync.nftables_10k_vs_nft', 0.97), 'PASS');
  assert.equal(verdict('sync.nftables_10k_vs_nft', NaN), 'FAIL');
});

test('medians and spreads of alternating rounds', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.deepEqual(summarize([7524.61, 7280.22, 7769], 1), { median: 7524.6, min: 7280.2, max: 7769, runs: [7524.6, 7280.2, 7769] });
});

test('--only takes short and full names, in the fixed order, and rejects others with a hint', () => {
  assert.deepEqual(parseOnly(undefined), ['dns.agent_vs_dnsperf', 'http.agent_vs_wrk', 'sync.iptables_10k_vs_restore', 'sync.nftables_10k_vs_nft', 'run.smoke_seconds', 'run.local_5000_seconds', 'memory.harness_rss_30k_mib']);
  assert.deepEqual(parseOnly('rss,smoke,dns'), ['dns.agent_vs_dnsperf', 'run.smoke_seconds', 'memory.harness_rss_30k_mib']);
  assert.deepEqual(parseOnly('nftables,dns'), ['dns.agent_vs_dnsperf', 'sync.nftables_10k_vs_nft']);
  assert.deepEqual(parseOnly('http.agent_vs_wrk'), ['http.agent_vs_wrk']);
  assert.throws(() => parseOnly('dns,ipvs'), (e: unknown) => e instanceof UsageError && /ipvs/.test(e.message) && /nftables/.test(e.hint ?? ''));
  assert.throws(() => parseOnly(','), UsageError);
});

const report: PerfReport = {
  ratios: { 'dns.agent_vs_dnsperf': 0.502, 'sync.iptables_10k_vs_restore': 1.12, 'sync.nftables_10k_vs_nft': null },
  budgets: { 'run.smoke_seconds': 21.4 },
  verdicts: { 'dns.agent_vs_dnsperf': 'FAIL', 'sync.iptables_10k_vs_restore': 'FAIL', 'sync.nftables_10k_vs_nft': 'FAIL', 'run.smoke_seconds': 'PASS' },
  details: {
    'dns.agent_vs_dnsperf': { agentQps: { median: 8908 }, dnsperfQps: { median: 17733 } },
    'sync.iptables_10k_vs_restore': { services: 2000, tool: 'iptables-nft-restore -w 5', oursMs: { median: 7524.6 }, toolMs: { median: 6718 }, overheadMs: { median: 120.5 }, wallRatio: 1.12 },
    'sync.nftables_10k_vs_nft': { error: 'nft failed (exit 1)' },
  },
};

test('the table has one line per measured ratio and budget with its target, verdict and figures', () => {
  const lines = renderPerfTable(report).trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[4]!, /^run\.smoke_seconds\s+21\.4\s+< 60 s\s+PASS\s+`bench --scenario smoke`/);
  assert.match(lines[1]!, /^dns\.agent_vs_dnsperf\s+0\.502\s+>= 0\.8\s+FAIL\s+agent 8908 qps vs dnsperf 17733 qps$/);
  assert.match(lines[2]!, /^sync\.iptables_10k_vs_restore\s+1\.120\s+<= 1\.1\s+FAIL\s+2000 Services: iptables-nft-restore 6718 ms \+ our overhead 120\.5 ms \(wall: ours 7524\.6 ms, ratio 1\.12\)$/);
  assert.match(lines[3]!, /^sync\.nftables_10k_vs_nft\s+n\/a\s+<= 1\.1\s+FAIL\s+error: nft failed/);
  assert.ok(!lines.some((l) => l.startsWith('http.')));
});

test('the JSON is { ratios, budgets, details } with the verdicts inside details', () => {
  const j = perfJson(report);
  assert.deepEqual(Object.keys(j), ['ratios', 'budgets', 'details']);
  assert.equal(j.budgets['run.smoke_seconds'], 21.4);
  assert.equal(j.ratios['sync.nftables_10k_vs_nft'], null);
  assert.deepEqual(j.details.verdicts, report.verdicts);
  assert.equal(JSON.parse(JSON.stringify(j)).ratios['dns.agent_vs_dnsperf'], 0.502);
});
