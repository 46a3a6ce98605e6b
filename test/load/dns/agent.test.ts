import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../../src/core/exec.js';
import { decode, SCALE } from '../../../src/metrics/histogram.js';
import type { AgentOutput } from '../../../src/metrics/agent-output.js';
import { deleteNetns, makeNetns } from '../../dns/resolver/netns.js';
import { startUnbound, type TestUnbound } from '../../dns/resolver/unbound.js';

/**
 * The agent against a real Unbound serving a cluster-like local zone: search-list amplification
 * is what glibc would send, and the server counts exactly the queries the agent says it sent.
 */
const NS = `disco-tdnsa${process.pid}`;
const IP = '10.79.0.1';
const dir = mkdtempSync(join(tmpdir(), 'disco-tdnsa-'));
const here = fileURLToPath(new URL('.', import.meta.url));
let unbound: TestUnbound | undefined;

const records: Record<string, string[]> = {};
for (let i = 0; i < 50; i++) records[`svc-${i}.bench-${i % 5}.svc.cluster.local`] = [`10.96.1.${i}`];
for (let x = 0; x < 20; x++) records[`api-${x}.example.com`] = [`192.0.2.${x + 1}`];

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const fqdn = file('fqdn.txt', Array.from({ length: 50 }, (_, i) => `svc-${i}.bench-${i % 5}.svc.cluster.local. A`).join('\n') + '\n');
const external = file('external.txt', Array.from({ length: 20 }, (_, x) => `api-${x}.example.com A`).join('\n') + '\n');
const short = file('short.txt', Array.from({ length: 10 }, (_, k) => `svc-${k * 5}`).join('\n') + '\n');
const resolv = file('resolv.conf', `nameserver ${IP}\nsearch bench-0.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`);


function perLookup(out: AgentOutput): { min: number; max: number; count: number } {
  const h = decode(out.metrics['dns.queries_per_lookup']!.hdr!);
  return { min: Math.round(h.minNonZeroValue / SCALE), max: Math.round(h.maxValue / SCALE), count: h.totalCount };
}

const D = ['--duration', '600ms'];
const CASES: Record<string, string[]> = {
  raw: ['--names', fqdn, '--raw', '--inflight', '16', ...D],
  inet: ['--names', fqdn, '--resolv-conf', resolv, '--family', 'inet', '--inflight', '8', ...D],
  unspec: ['--names', fqdn, '--resolv-conf', resolv, '--inflight', '8', '--expect-found', ...D],
  external: ['--names', external, '--resolv-conf', resolv, '--inflight', '8', '--expect-found', ...D],
  short: ['--names', short, '--resolv-conf', resolv, '--inflight', '8', '--expect-found', ...D],
  workers: ['--names', external, '--resolv-conf', resolv, '--inflight', '8', '--workers', '2', ...D],
  open: ['--names', fqdn, '--resolv-conf', resolv, '--qps', '300', ...D],
  slow: ['--names', fqdn, '--resolv-conf', resolv, '--qps', '10', '--duration', '1s'],
};
const results: Record<string, { out: AgentOutput }> = {};
let serverQueries = NaN;

before(async () => {
  await makeNetns(NS, { v4: IP });
  unbound = await startUnbound(NS, IP, dir, records, ['cluster.local', 'example.com']);
  const names = Object.keys(CASES);
  const casesFile = file('cases.json', JSON.stringify(names.map((n) => ['--server', `${IP}:53`, '--json', ...CASES[n]!])));
  const res = await run('node', [join(here, '../../dns/resolver/fixtures/agent-cases.js'), casesFile, unbound.conf], { netns: NS, timeoutMs: 40_000 });
  const parsed = JSON.parse(res.stdout) as { results: AgentOutput[]; serverQueries: number };
  parsed.results.forEach((out, i) => { results[names[i]!] = { out }; });
  serverQueries = parsed.serverQueries;
});

after(async () => {
  unbound?.stop();
  await deleteNetns(NS);
});

/** Unbound counted exactly the queries the agent reports sending, over all the runs. */
test('server-side query count matches the agent', () => {
  const sent = Object.values(results).reduce((a, r) => a + (r.out.info!.queriesSent as number), 0);
  assert.ok(sent > 1000);
  assert.equal(serverQueries, sent);
});

test('raw mode: one query per line, every one answered', () => {
  const out = results.raw!.out;
  assert.deepEqual(perLookup(out).min, 1);
  assert.deepEqual(perLookup(out).max, 1);
  assert.ok(out.metrics['dns.queries.rate']!.value! > 100);
  assert.equal(out.metrics['dns.queries.timeouts']!.value, 0);
  assert.deepEqual(Object.keys(out.info!.rcodes as object), ['NOERROR']);
});

test('resolver mode: an FQDN costs one candidate (A only: 1 query; A+AAAA: 2)', () => {
  const inet = results.inet!.out;
  assert.deepEqual([perLookup(inet).min, perLookup(inet).max], [1, 1]);
  const unspec = results.unspec!.out;
  assert.deepEqual([perLookup(unspec).min, perLookup(unspec).max], [2, 2]);
  assert.equal(unspec.metrics['dns.lookups.failed']!.value, 0);
});

test('resolver mode, ndots 5, 3-entry search list: external name = 4 candidates = 8 queries; short name = 2', () => {
  const ext = results.external!.out;
  assert.deepEqual([perLookup(ext).min, perLookup(ext).max], [8, 8]);
  assert.equal(ext.metrics['dns.lookups.failed']!.value, 0);
  const rc = ext.info!.rcodes as Record<string, number>;
  assert.ok(rc.NXDOMAIN! > rc.NOERROR!, 'the search list mostly yields NXDOMAIN');
  const sh = results.short!.out;
  assert.deepEqual([perLookup(sh).min, perLookup(sh).max], [2, 2]);
});

test('two workers merge exactly; open loop holds the offered rate', () => {
  const two = results.workers!.out;
  const lookups = two.metrics['dns.lookups.rate']!.count!;
  assert.ok(decode(two.metrics['dns.lookup.latency']!.hdr!).totalCount >= lookups);
  assert.ok(perLookup(two).count >= lookups);
  assert.equal(two.info!.workers, 2);
  const open = results.open!.out;
  const n = open.metrics['dns.lookups.rate']!.count!;
  assert.ok(n >= 160 && n <= 181, `open loop at 300/s for 0.6 s did ${n} lookups`);
});

test('open loop: a lookup is timed from its own due time, not the next one (no 1/qps added)', () => {
  const slow = results.slow!.out;
  const h = decode(slow.metrics['dns.lookup.latency']!.hdr!);
  assert.equal(h.totalCount, 10);
  // at 10/s an interval is 100 ms; a local Unbound answers in well under that
  assert.ok(h.getValueAtPercentile(50) / SCALE < 50, `p50 ${h.getValueAtPercentile(50) / SCALE} ms at 10 lookups/s`);
});
