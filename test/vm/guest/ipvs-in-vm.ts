import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { run } from '../../../src/core/exec.js';
import { Proxier } from '../../../src/dataplane/proxier.js';
import type { Service } from '../../../src/model/cluster.js';
import { HOLD_PORT, createTopology, hold, probe, type Topology } from '../../dataplane/topology.js';
import { state, svc } from '../../dataplane/fixtures.js';

/*
 * Runs inside `discobench vm` (a kernel with ip_vs and dummy): the Proxier in IPVS mode programs
 * a real node namespace, a client namespace connects through the ClusterIPs, and a backend
 * answering for every endpoint IP says which one was reached. test/vm/ipvs.test.ts starts it.
 */

const A = svc('bench', 'svc-a', '10.96.1.1', ['10.244.64.1', '10.244.64.2', '10.244.64.3']);
const B = svc('bench', 'svc-b', '10.96.1.2', ['10.244.64.4']);
const C = svc('bench', 'svc-c', '10.96.1.3', ['10.244.64.10']);

let topo: Topology;
let proxier: Proxier;
before(async () => {
  topo = await createTopology('vm');
  // kube-proxy checks draining real servers every minute; once a second here
  proxier = new Proxier({ mode: 'ipvs', iptablesBackend: 'nft', netns: topo.node, ipvsDrainCheckMs: 1000 });
});
after(async () => {
  await proxier?.cleanup();
  await topo?.down();
});

/**
 * "10.96.1.1:80" -> connections IPVS counted for that virtual server (ipvsadm --stats). The
 * kernel sums its per-CPU counters into these every 2 s (the rate estimator), so a reading just
 * after traffic can be behind: counters() waits until the expected values show.
 */
async function connCounters(): Promise<Map<string, number>> {
  const out = (await run('ipvsadm', ['-Ln', '--stats', '--exact'], { netns: topo.node })).stdout;
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const f = /^(TCP|UDP)\s+(\S+)\s+(\d+)/.exec(line);
    if (f) m.set(f[2]!, Number(f[3]));
  }
  return m;
}

async function counters(expected: Record<string, number>): Promise<Map<string, number>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = await connCounters();
    if (Object.entries(expected).every(([k, v]) => c.get(k) === v) || Date.now() > deadline) return c;
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('ip_vs and dummy are there, so check() passes', async () => {
  await proxier.check();
});

test('connections to an IPVS ClusterIP reach every endpoint; proxy.rules counts virtual servers', async () => {
  const report = await proxier.sync(state(A, B), { full: true });
  assert.equal(report.rules, 2);
  assert.equal((await connCounters()).size, 2, 'two virtual servers in the kernel');
  const link = (await run('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'], { netns: topo.node })).stdout;
  assert.match(link, /10\.96\.1\.1\/32/);
  const [a, b] = await probe(topo, [['10.96.1.1', 80, 9], ['10.96.1.2', 80, 3]]);
  assert.equal(a!.failures, 0);
  assert.deepEqual(Object.keys(a!.replies).sort(), ['10.244.64.1', '10.244.64.2', '10.244.64.3'], 'round robin reaches every endpoint');
  assert.deepEqual(b!.replies, { '10.244.64.4': 3 });
  const c = await counters({ '10.96.1.1:80': 9, '10.96.1.2:80': 3 });
  assert.equal(c.get('10.96.1.1:80'), 9);
  assert.equal(c.get('10.96.1.2:80'), 3);
});

test('a partial sync adds a virtual server that answers while the others keep their counters', async () => {
  const report = await proxier.sync(state(A, B, C), { full: false });
  assert.equal(report.kind, 'partial');
  assert.equal(report.rules, 3);
  const c = await counters({ '10.96.1.1:80': 9, '10.96.1.2:80': 3 });
  assert.equal(c.get('10.96.1.1:80'), 9, 'unchanged virtual server not recreated');
  assert.equal(c.get('10.96.1.2:80'), 3);
  const [r] = await probe(topo, [['10.96.1.3', 80, 2]]);
  assert.deepEqual(r!.replies, { '10.244.64.10': 2 });
});

test('a full sync keeps the counters', async () => {
  const report = await proxier.sync(state(A, B, C), { full: true });
  assert.equal(report.rules, 3);
  const c = await counters({ '10.96.1.1:80': 9, '10.96.1.3:80': 2 });
  assert.equal(c.get('10.96.1.1:80'), 9);
  assert.equal(c.get('10.96.1.3:80'), 2);
});

test('a deleted Service stops answering; the others still do', async () => {
  const report = await proxier.sync(state(A, C), { full: false });
  assert.equal(report.rules, 2);
  const c = await connCounters();
  assert.equal(c.has('10.96.1.2:80'), false);
  const link = (await run('ip', ['-o', 'addr', 'show', 'dev', 'kube-ipvs0'], { netns: topo.node })).stdout;
  assert.doesNotMatch(link, /10\.96\.1\.2\/32/, 'its address left kube-ipvs0');
  const [b, a] = await probe(topo, [['10.96.1.2', 80, 2], ['10.96.1.1', 80, 3]]);
  assert.equal(b!.failures, 2, `deleted Service answered: ${JSON.stringify(b)}`);
  assert.equal(a!.failures, 0);
  assert.equal((await counters({ '10.96.1.1:80': 12 })).get('10.96.1.1:80'), 12);
});

/** The real servers of one virtual server, "ip:port" -> weight, as the kernel holds them. */
async function realServers(vs: string): Promise<Map<string, number>> {
  const out = (await run('ipvsadm', ['-Sn'], { netns: topo.node })).stdout;
  const m = new Map<string, number>();
  for (const f of out.matchAll(/^-a -t (\S+) -r (\S+) -m -w (\d+)$/gm)) if (f[1] === vs) m.set(f[2]!, Number(f[3]));
  return m;
}

const sysctl = async (name: string, netns?: string) => (await run('sysctl', ['-n', name], { netns })).stdout.trim();

test('the IPVS sysctls kube-proxy sets are set in the node namespace only', async () => {
  assert.equal(await sysctl('net.ipv4.vs.expire_nodest_conn', topo.node), '1');
  assert.equal(await sysctl('net.ipv4.vs.conntrack', topo.node), '1');
  assert.equal(await sysctl('net.ipv4.vs.expire_quiescent_template', topo.node), '1');
  assert.equal(readFileSync('/proc/sys/net/ipv4/vs/expire_nodest_conn', 'utf8').trim(), '0', "the guest's own namespace keeps its default");
});

test('graceful termination: an endpoint that leaves with a connection open drains at weight 0, that connection still reaching it and no new one, until it has closed', async () => {
  const hs = (ips: string[]): Service => ({ ...svc('bench', 'svc-h', '10.96.1.5', ips), ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: HOLD_PORT }] });
  await proxier.sync(state(A, C, hs(['10.244.64.20', '10.244.64.21'])), { full: false });
  const held = await hold(topo, '10.96.1.5', 80);
  const reached = held.answers[0] ?? '';
  const other = reached === '10.244.64.20' ? '10.244.64.21' : '10.244.64.20';
  const vs = '10.96.1.5:80';
  try {
    assert.match(reached, /^10\.244\.64\.2[01]$/, held.answers.join(','));
    // the endpoint the connection reached leaves, another comes
    await proxier.sync(state(A, C, hs([other, '10.244.64.22'])), { full: false });
    assert.deepEqual(Object.fromEntries(await realServers(vs)), { [`${reached}:${HOLD_PORT}`]: 0, [`${other}:${HOLD_PORT}`]: 1, [`10.244.64.22:${HOLD_PORT}`]: 1 });
    assert.deepEqual(proxier.drainingRealServers, [`-t ${vs}/${reached}:${HOLD_PORT}`]);
    const seen = held.answers.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(held.answers.length > seen, 'the open connection is still answered');
    assert.deepEqual([...new Set(held.answers)], [reached], 'and only by the endpoint it reached');
    const [fresh] = await probe(topo, [['10.96.1.5', 80, 6, true]]);
    assert.equal(fresh!.failures, 0, JSON.stringify(fresh));
    assert.deepEqual(Object.keys(fresh!.replies).sort(), [other, '10.244.64.22'].sort(), 'new connections reach only the endpoints in rotation');
  } finally {
    await held.reset();
  }
  // after the reset IPVS holds the connection in CLOSE for 10 s; the first check after that deletes the real server
  const t0 = Date.now();
  while (proxier.drainingRealServers.length > 0 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(proxier.drainingRealServers, [], 'the drained real server was deleted');
  assert.deepEqual([...(await realServers(vs)).keys()].sort(), [`${other}:${HOLD_PORT}`, `10.244.64.22:${HOLD_PORT}`].sort());
  process.stdout.write(`# drained real server deleted ${Date.now() - t0} ms after its connection was reset\n`);
});

test('cleanup removes kube-ipvs0, the virtual servers and the ipsets', async () => {
  await proxier.cleanup();
  assert.equal((await connCounters()).size, 0);
  const links = (await run('ip', ['-o', 'link', 'show'], { netns: topo.node })).stdout;
  assert.doesNotMatch(links, /kube-ipvs0/);
  const sets = (await run('ipset', ['list', '-n'], { netns: topo.node })).stdout;
  assert.doesNotMatch(sets, /KUBE-/);
});
