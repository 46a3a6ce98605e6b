import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import { decode, SCALE } from '../../src/metrics/histogram.js';
import { parseAgentOutput, type AgentOutput } from '../../src/load/agent-output.js';
import { deleteNetns, makeNetns } from './netns.js';
import { startUnbound, type TestUnbound } from './unbound.js';

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

async function agent(args: string[]): Promise<AgentOutput> {
  const res = await run('node', [join(here, 'fixtures/run-agent.js'), '--server', `${IP}:53`, '--json', ...args], { netns: NS, timeoutMs: 30_000 });
  return parseAgentOutput(res.stdout);
}

function perLookup(out: AgentOutput): { min: number; max: number; count: number } {
  const h = decode(out.metrics['dns.queries_per_lookup']!.hdr!);
  return { min: Math.round(h.minNonZeroValue / SCALE), max: Math.round(h.maxValue / SCALE), count: h.totalCount };
}

/** Runs the agent and checks Unbound counted exactly the queries the agent reports sending. */
async function counted(args: string[]): Promise<AgentOutput> {
  const before = await unbound!.queries();
  const out = await agent(args);
  const after = await unbound!.queries();
  assert.equal(after - before, out.info!.queriesSent, 'queries seen by Unbound == queries the agent sent');
  return out;
}

before(async () => {
  await makeNetns(NS, { v4: IP });
  unbound = await startUnbound(NS, IP, dir, records, ['cluster.local', 'example.com']);
});

after(async () => {
  unbound?.stop();
  await deleteNetns(NS);
});

test('raw mode: one query per line, every one answered', async () => {
  const out = await counted(['--names', fqdn, '--raw', '--inflight', '16', '--duration', '1s']);
  assert.deepEqual(perLookup(out).min, 1);
  assert.deepEqual(perLookup(out).max, 1);
  assert.ok(out.metrics['dns.queries.rate']!.value! > 100);
  assert.equal(out.metrics['dns.queries.timeouts']!.value, 0);
  assert.deepEqual(Object.keys(out.info!.rcodes as object), ['NOERROR']);
});

test('resolver mode: an FQDN costs one candidate (A only: 1 query; A+AAAA: 2)', async () => {
  const inet = await counted(['--names', fqdn, '--resolv-conf', resolv, '--family', 'inet', '--inflight', '8', '--duration', '1s']);
  assert.deepEqual([perLookup(inet).min, perLookup(inet).max], [1, 1]);
  const unspec = await counted(['--names', fqdn, '--resolv-conf', resolv, '--inflight', '8', '--duration', '1s', '--expect-found']);
  assert.deepEqual([perLookup(unspec).min, perLookup(unspec).max], [2, 2]);
  assert.equal(unspec.metrics['dns.lookups.failed']!.value, 0);
});

test('resolver mode, ndots 5, 3-entry search list: external name = 4 candidates = 8 queries; short name = 2', async () => {
  const ext = await counted(['--names', external, '--resolv-conf', resolv, '--inflight', '8', '--duration', '1s', '--expect-found']);
  assert.deepEqual([perLookup(ext).min, perLookup(ext).max], [8, 8]);
  assert.equal(ext.metrics['dns.lookups.failed']!.value, 0);
  const rc = ext.info!.rcodes as Record<string, number>;
  assert.ok(rc.NXDOMAIN! > rc.NOERROR!, 'the search list mostly yields NXDOMAIN');
  const sh = await counted(['--names', short, '--resolv-conf', resolv, '--inflight', '8', '--duration', '1s', '--expect-found']);
  assert.deepEqual([perLookup(sh).min, perLookup(sh).max], [2, 2]);
});

test('two workers merge exactly; open loop holds the offered rate', async () => {
  const two = await counted(['--names', external, '--resolv-conf', resolv, '--inflight', '8', '--workers', '2', '--duration', '1s']);
  const lookups = two.metrics['dns.lookups.rate']!.count!;
  assert.equal(decode(two.metrics['dns.lookup.latency']!.hdr!).totalCount >= lookups, true);
  assert.equal(perLookup(two).count >= lookups, true);
  assert.equal(two.info!.workers, 2);
  const open = await counted(['--names', fqdn, '--resolv-conf', resolv, '--qps', '300', '--duration', '1s']);
  const n = open.metrics['dns.lookups.rate']!.count!;
  assert.ok(n >= 270 && n <= 301, `open loop at 300/s for 1 s did ${n} lookups`);
});
