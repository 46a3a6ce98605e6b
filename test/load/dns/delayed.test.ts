import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../../src/core/exec.js';
import { decode, SCALE } from '../../../src/metrics/histogram.js';
import { parseAgentOutput, type AgentOutput } from '../../../src/metrics/agent-output.js';
import { CLI_MAIN } from '../../../src/providers/local/agents.js';
import { deleteNetns, makeNetns } from '../../dns/resolver/netns.js';
import { startZoneServer } from '../../dns/resolver/zone-server.js';

/**
 * `delayed` (dns.churn.lookups.delayed) counts lookups that waited out a resolver timeout, not
 * lookups that were merely slow: under emulation a lookup of three search candidates, each
 * answered late but within the timeout, takes longer than the timeout and lost nothing.
 */
const NS = `disco-tdly${process.pid}`;
const IP = '10.76.0.1';
const dir = mkdtempSync(join(tmpdir(), 'disco-tdly-'));
const here = fileURLToPath(new URL('.', import.meta.url));
const DELAY_MS = 450;
let server: { stop(): void } | undefined;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

// ndots 5: `svc-1` is answered by its third candidate, `gone` never by its first
const resolv = file('resolv.conf', `nameserver ${IP}\nsearch a.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:1 attempts:2\n`);

async function agent(names: string, qps: number, duration: string): Promise<AgentOutput> {
  const res = await run(process.execPath, [CLI_MAIN, 'agent', 'dns', '--server', `${IP}:53`, '--names', file(`${names}.txt`, `${names} A\n`), '--resolv-conf', resolv, '--family', 'inet', '--qps', String(qps), '--duration', duration, '--json'], { netns: NS, timeoutMs: 30_000 });
  return parseAgentOutput(res.stdout);
}

before(async () => {
  await makeNetns(NS, { v4: IP });
  server = await startZoneServer({ netns: NS, ip: IP, dir, zone: { records: { 'svc-1.cluster.local': { A: ['10.96.1.1'] } }, drop: ['gone.a.svc.cluster.local'], delayMs: DELAY_MS } });
});

after(async () => {
  server?.stop();
  await deleteNetns(NS);
});

test('slow but answered: lookups longer than the resolver timeout are not delayed', async () => {
  const out = await agent('svc-1', 4, '3s');
  const info = out.info as { lookups: number; delayed: number; statuses: Record<string, number> };
  const latency = decode(out.metrics['dns.lookup.latency']!.hdr!);
  assert.ok(info.lookups >= 4, `lookups ${info.lookups}`);
  assert.deepEqual(info.statuses, { ok: info.lookups });
  // three candidates answered 450 ms late each: every lookup took longer than timeout:1
  assert.ok(latency.minNonZeroValue / SCALE >= 1000, `fastest lookup ${latency.minNonZeroValue / SCALE} ms`);
  assert.equal(out.metrics['dns.queries.timeouts']!.value, 0);
  assert.equal(info.delayed, 0);
});

test('a query unanswered: the lookup waited out the timeout and is delayed', async () => {
  const out = await agent('gone', 2, '3s');
  const info = out.info as { lookups: number; delayed: number };
  assert.ok(info.lookups >= 2, `lookups ${info.lookups}`);
  assert.ok(out.metrics['dns.queries.timeouts']!.value! >= info.lookups);
  assert.equal(info.delayed, info.lookups);
});

test('an answer that arrived while the process stalled past the timeout is read, not timed out (glibc polls first)', async () => {
  const res = await run(process.execPath, [join(here, 'fixtures/stall.js'), IP, '1600'], { netns: NS, timeoutMs: 20_000 });
  const l = JSON.parse(res.stdout) as { status: string; timeouts: number; queries: number; ms: number };
  assert.ok(l.ms >= 1600, `the lookup ended after the stall (${l.ms} ms)`);
  assert.deepEqual({ status: l.status, timeouts: l.timeouts, queries: l.queries }, { status: 'ok', timeouts: 0, queries: 1 });
});
