import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { haveTool, run } from '../../../src/core/exec.js';
import { deleteNetns, makeNetns } from './netns.js';
import { startZoneServer } from './zone-server.js';

/**
 * The emulation must send exactly the queries the real glibc sends: each case runs `getent ahosts`
 * (glibc getaddrinfo) and the emulation in the same namespace against the same logging server,
 * and the two query logs must be identical.
 */
const NS = `disco-tdns${process.pid}`;
const IP = '10.77.0.1';
const dir = mkdtempSync(join(tmpdir(), 'disco-tdns-'));
const here = fileURLToPath(new URL('.', import.meta.url));
const LOG = join(dir, 'queries.log');
let server: { stop(): void } | undefined;

const SEARCH = 'search default.svc.cluster.local svc.cluster.local cluster.local';
const zone = {
  records: {
    'svc-1.default.svc.cluster.local': { A: ['10.96.1.1'] },
    'svc-2.bench-0.svc.cluster.local': { A: ['10.96.1.2'] },
    'headless-0.bench-0.svc.cluster.local': { A: ['10.244.0.1', '10.244.0.2'] },
    'api-1.example.com': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
    'v4only.example.com': { A: ['192.0.2.9'] },
    'v6only.example.com': { AAAA: ['2001:db8::9'] },
    'alias.example.com': { CNAME: 'api-1.example.com' },
  },
  servfail: ['sf.example.com', 'sf2.default.svc.cluster.local'],
  drop: ['slow.example.com.default.svc.cluster.local'],
};

const NAMES = [
  'svc-1', 'svc-2.bench-0', 'svc-2.bench-0.svc', 'svc-2.bench-0.svc.cluster.local', 'svc-2.bench-0.svc.cluster.local.',
  'headless-0.bench-0', 'api-1.example.com', 'api-1.example.com.', 'v4only.example.com', 'v6only.example.com',
  'alias.example.com', 'nosuch', 'nosuch.example.com', 'svc', 'sf.example.com', 'sf2',
];

interface Case { conf: string; name: string; flavor?: 'glibc' | 'musl' }
const cases: Case[] = [];
for (const ndots of [5, 2, 1]) for (const name of NAMES) cases.push({ conf: `nameserver ${IP}\n${SEARCH}\noptions ndots:${ndots} timeout:1 attempts:1\n`, name });
for (const opt of ['single-request', 'single-request-reopen', 'edns0', 'no-aaaa', 'no-tld-query']) {
  // SERVFAIL under single-request costs a full timeout (glibc never sends the AAAA): once is enough
  const names = opt === 'single-request' ? ['svc-1', 'api-1.example.com', 'nosuch', 'sf.example.com'] : ['svc-1', 'api-1.example.com', 'nosuch'];
  for (const name of names) cases.push({ conf: `nameserver ${IP}\n${SEARCH}\noptions ndots:5 timeout:1 attempts:1 ${opt}\n`, name });
}
cases.push({ conf: `nameserver ${IP}\ndomain cluster.local\noptions ndots:2\n`, name: 'svc-2.bench-0.svc' });
cases.push({ conf: `nameserver ${IP}\nsearch . default.svc.cluster.local\noptions ndots:3\n`, name: 'nosuch.x' });
cases.push({ conf: `nameserver ${IP}\n${SEARCH}\noptions ndots:5 timeout:1 attempts:1\n`, name: 'slow.example.com' });

/** musl (1.2.x): same names, no option games; compared with a musl-linked getaddrinfo program. */
const muslCases: Case[] = [];
for (const ndots of [5, 2, 1]) {
  for (const name of NAMES) {
    if (name.startsWith('sf')) continue; // musl retries SERVFAIL until its timeout: covered by the unit tests
    muslCases.push({ conf: `nameserver ${IP}\n${SEARCH}\noptions ndots:${ndots} timeout:1 attempts:1\n`, name, flavor: 'musl' });
  }
}

before(async () => {
  await makeNetns(NS, { v4: IP, v6: 'fd77::1' });
  server = await startZoneServer({ netns: NS, ip: IP, dir, zone, log: LOG });
});

after(async () => {
  server?.stop();
  await deleteNetns(NS);
});

/** Runs the cases in one process inside the namespace; real: the real resolver's command. */
async function runCases(list: Case[], real: string[], file: string): Promise<{ real: string[]; seen: string[]; sent: string[]; status: string; refused: string[]; realMs: number; emuMs: number }[]> {
  const casesFile = join(dir, file);
  writeFileSync(casesFile, JSON.stringify(list.map((c) => ({ ...c, real }))));
  const res = await run('node', [join(here, 'fixtures/run-cases.js'), casesFile, LOG, `/etc/netns/${NS}/resolv.conf`], { netns: NS, timeoutMs: 45_000 });
  return JSON.parse(res.stdout);
}

test('emulated glibc sends exactly the queries getent ahosts sends', { timeout: 50_000 }, async () => {
  const res = await runCases(cases, ['getent', 'ahosts'], 'cases.json');
  const mismatches: string[] = [];
  cases.forEach((c, i) => {
    const opts = c.conf.split('\n').filter((l) => !l.startsWith('nameserver')).join('; ');
    if (JSON.stringify(res[i]!.real) !== JSON.stringify(res[i]!.seen)) {
      mismatches.push(`${c.name} [${opts}]\n  glibc: ${res[i]!.real.join(', ')}\n  emu:   ${res[i]!.seen.join(', ')}`);
    }
    assert.deepEqual(res[i]!.sent, res[i]!.seen, 'the emulation reports the queries the server saw');
  });
  assert.equal(mismatches.length, 0, mismatches.join('\n'));
  // the table covers the search list at every ndots, and the real resolver did query
  assert.ok(res.some((r) => r.real.length === 8));
  assert.ok(res.every((r) => r.real.length > 0));
});

test('a nameserver answering ICMP port unreachable: glibc goes to the next at once, real and emulated', { timeout: 30_000 }, async () => {
  // nothing listens on the namespace's 127.0.0.1:53; timeout 3 s would show if the refusal were ignored
  const conf = `nameserver 127.0.0.1\nnameserver ${IP}\n${SEARCH}\noptions ndots:5 timeout:3 attempts:2\n`;
  const refusedCases: Case[] = [{ conf, name: 'svc-1' }, { conf, name: 'api-1.example.com' }];
  const res = await runCases(refusedCases, ['getent', 'ahosts'], 'refused-cases.json');
  refusedCases.forEach((c, i) => {
    const r = res[i]!;
    assert.deepEqual(r.seen, r.real, `${c.name}: the queries the server saw`);
    assert.ok(r.real.length > 0);
    assert.equal(r.status, 'ok');
    assert.ok(r.refused.length > 0 && r.refused.every((q) => q.includes('127.0.0.1:53 ECONNREFUSED')), r.refused.join(', '));
    assert.ok(r.realMs < 1500, `getent took ${r.realMs} ms`);
    assert.ok(r.emuMs < 1500, `the emulation took ${r.emuMs} ms (a 3 s timeout means the refusal was ignored)`);
  });
});

test('emulated musl sends exactly the queries a musl-linked getaddrinfo sends', { timeout: 50_000 }, async (t) => {
  if (!(await haveTool('musl-gcc'))) return t.skip('musl-gcc not installed (apt-get install musl-tools)');
  const bin = join(dir, 'musl-gai');
  await run('musl-gcc', ['-static', '-O1', '-o', bin, fileURLToPath(new URL('../../../../test/dns/resolver/fixtures/musl-gai.c', import.meta.url))]);
  const res = await runCases(muslCases, [bin], 'musl-cases.json');
  const mismatches: string[] = [];
  muslCases.forEach((c, i) => {
    if (JSON.stringify(res[i]!.real) !== JSON.stringify(res[i]!.seen)) {
      mismatches.push(`${c.name} [${c.conf.split('\n')[2]}]\n  musl: ${res[i]!.real.join(', ')}\n  emu:  ${res[i]!.seen.join(', ')}`);
    }
  });
  assert.equal(mismatches.length, 0, mismatches.join('\n'));
  assert.ok(res.some((r) => r.real.length === 8));
});
