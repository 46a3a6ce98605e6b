import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../../src/core/exec.js';
import { MeasurementError } from '../../../src/core/errors.js';
import { externalNameService, generatedService, generateServices } from '../../../src/model/generate.js';
import type { ClusterState } from '../../../src/model/cluster.js';
import { pollUntil, type ServerProcess } from '../../../src/dns/server/process.js';
import { nodeLocalNotrackRules, renderControlConf, renderNodeLocalUnbound } from '../../../src/dns/server/unbound.js';
import { parseUnboundReplyLog, parseUnboundStats, reloadClusterZones, startUnbound, unboundStats, unboundVersion } from '../../../src/dns/server/unbound-process.js';
import { upstreamAddress } from '../../../src/dns/server/upstream.js';
import { startClusterUnbound, startNodeLocalUnbound, type ClusterUnboundServer } from '../../../src/dns/server/servers.js';
import { delNetns, makeNetns, startUpstreamCli } from './helpers.js';
import { reverseQueryName, startQueryClient, type QueryClient } from './netns-query.js';

const NS = `disco-tdnss${process.pid}`;
const CLUSTER = '10.96.0.10';
const NODELOCAL = '169.254.20.10';
const UPSTREAM = '192.0.2.53';
const DELAY_MS = 40;

function smallState(): ClusterState {
  const state = generateServices({ count: 5, endpointsPerService: 2, headless: 2, externalName: 2, namespaces: 2 }, ['10.244.0.2']);
  state.services.push({ namespace: 'bench-0', name: 'unready', type: 'ClusterIP', clusterIP: 'None', ports: [], endpoints: [{ ip: '10.244.9.9', ready: false }] });
  return state;
}

describe('unbound cluster DNS and NodeLocal cache in a namespace', () => {
  let dir = '';
  const procs: ServerProcess[] = [];
  const state = smallState();
  let clusterCtl = '';
  let nodeLocalCtl = '';
  let cluster: ServerProcess | undefined;
  let clusterServer: ClusterUnboundServer;
  let q: QueryClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'disco-tdnss-'));
    await makeNetns(NS, [CLUSTER, NODELOCAL, UPSTREAM]);
    procs.push(await startUpstreamCli(NS, { listen: `${UPSTREAM}:53`, zone: 'example.com', delayMs: DELAY_MS }));
    clusterServer = await startClusterUnbound({ state, dir: join(dir, 'cluster'), netns: NS, listen: [CLUSTER], upstream: UPSTREAM, logReplies: true, keepStderrBytes: 1 << 20 });
    cluster = clusterServer.process;
    clusterCtl = clusterServer.controlConf;
    procs.push(cluster);
    const nodeLocal = await startNodeLocalUnbound({ dir: join(dir, 'nodelocal'), netns: NS, listen: [NODELOCAL], clusterDns: CLUSTER, upstream: UPSTREAM });
    nodeLocalCtl = nodeLocal.controlConf;
    procs.push(nodeLocal.process);
    await run('iptables-restore', ['--noflush'], { netns: NS, input: nodeLocalNotrackRules([NODELOCAL, CLUSTER]) });
    q = await startQueryClient(NS);
  });

  after(async () => {
    await q?.close();
    for (const p of procs.reverse()) await p.stop();
    await delNetns(NS);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers A, SRV and PTR for a ClusterIP Service', async () => {
    const a = await q.query(CLUSTER, 'svc-1.bench-1.svc.cluster.local', 'A');
    assert.equal(a.status, 'NOERROR');
    assert.deepEqual(a.answers, ['svc-1.bench-1.svc.cluster.local. IN A 10.96.1.1']);
    assert.ok(a.ttls[0]! <= 30 && a.ttls[0]! >= 28, `ttl ${a.ttls[0]}`);
    const srv = await q.query(CLUSTER, '_http._tcp.svc-1.bench-1.svc.cluster.local', 'SRV');
    assert.deepEqual(srv.data, ['0 100 80 svc-1.bench-1.svc.cluster.local.']);
    const ptr = await q.query(CLUSTER, reverseQueryName('10.96.1.2'), 'PTR');
    assert.deepEqual(ptr.data, ['svc-2.bench-0.svc.cluster.local.']);
    const kube = await q.query(CLUSTER, 'kube-dns.kube-system.svc.cluster.local', 'A');
    assert.deepEqual(kube.data, [CLUSTER]);
  });

  it('answers one A per ready endpoint for a headless Service, plus hostname records', async () => {
    const svc = state.services.find((s) => s.name === 'headless-0')!;
    const a = await q.query(CLUSTER, 'headless-0.bench-0.svc.cluster.local', 'A');
    assert.deepEqual([...a.data].sort(), svc.endpoints.map((e) => e.ip).sort());
    const pod = await q.query(CLUSTER, 'pod-1.headless-0.bench-0.svc.cluster.local', 'A');
    assert.deepEqual(pod.data, [svc.endpoints[1]!.ip]);
    const srv = await q.query(CLUSTER, '_http._tcp.headless-0.bench-0.svc.cluster.local', 'SRV');
    assert.deepEqual([...srv.data].sort(), ['0 50 80 pod-0.headless-0.bench-0.svc.cluster.local.', '0 50 80 pod-1.headless-0.bench-0.svc.cluster.local.']);
    const ptr = await q.query(CLUSTER, reverseQueryName(svc.endpoints[0]!.ip), 'PTR');
    assert.deepEqual(ptr.data, ['pod-0.headless-0.bench-0.svc.cluster.local.']);
    const none = await q.query(CLUSTER, 'unready.bench-0.svc.cluster.local', 'A');
    assert.equal(none.status, 'NXDOMAIN');
  });

  it('follows an ExternalName CNAME to the upstream answer', async () => {
    const r = await q.query(CLUSTER, 'external-1.bench-1.svc.cluster.local', 'A');
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answers, ['external-1.bench-1.svc.cluster.local. IN CNAME api-1.example.com.', `api-1.example.com. IN A ${upstreamAddress(1)}`]);
  });

  it('says NXDOMAIN for unknown names in the zone, NODATA for a missing type, and serves the version TXT', async () => {
    for (const name of ['nope.bench-0.svc.cluster.local', 'svc-1.bench-0.svc.cluster.local', 'api-1.example.com.bench-0.svc.cluster.local', 'svc-1.cluster.local']) {
      assert.equal((await q.query(CLUSTER, name, 'A')).status, 'NXDOMAIN', name);
    }
    const aaaa = await q.query(CLUSTER, 'svc-1.bench-1.svc.cluster.local', 'AAAA');
    assert.equal(aaaa.status, 'NOERROR');
    assert.deepEqual(aaaa.answers, []);
    const txt = await q.query(CLUSTER, 'dns-version.cluster.local', 'TXT');
    assert.deepEqual(txt.data, ['"1.1.0"']);
  });

  it('counts the queries it answered in unboundStats', async () => {
    const before = await unboundStats(clusterCtl, NS);
    const cpu0 = await cluster!.cpuSeconds();
    const names = Array.from({ length: 20 }, (_, i) => `svc-${i % 5}.bench-${(i % 5) % 2}.svc.cluster.local`);
    // one dig process, 20 queries
    await run('dig', ['+tries=1', '+time=3', '+short', `@${CLUSTER}`, ...names], { netns: NS });
    const afterStats = await unboundStats(clusterCtl, NS);
    assert.equal(afterStats.queries - before.queries, 20);
    assert.equal(afterStats.cacheHits + afterStats.cacheMisses - before.cacheHits - before.cacheMisses, 20);
    // and logged each reply (log-replies), in the order sent
    const logged = () => parseUnboundReplyLog(cluster!.stderr()).filter((r) => r.type === 'A' && /^svc-\d\.bench-\d\.svc\.cluster\.local\.$/.test(r.name));
    await pollUntil(async () => logged().length >= 20, 5000, 'the reply log');
    const cpu1 = await cluster!.cpuSeconds();
    assert.ok(cpu1 >= cpu0 && cpu1 > 0 && cpu1 < 60, `unbound cpu ${cpu0} -> ${cpu1} s`);
    assert.match(await unboundVersion(), /^1\.\d+\.\d+$/);
    assert.deepEqual(logged().slice(-20).map((r) => `${r.name} ${r.rcode}`), names.map((n) => `${n}. NOERROR`));
  });

  it('NodeLocal cache forwards the cluster zone over TCP and answers repeats from its cache', async () => {
    const raw = async (ctl: string) => parseUnboundStats((await run('unbound-control', ['-c', ctl, 'stats_noreset'], { netns: NS })).stdout).raw;
    const c0 = await raw(clusterCtl);
    const n0 = await unboundStats(nodeLocalCtl, NS);
    const first = await q.query(NODELOCAL, 'svc-3.bench-1.svc.cluster.local', 'A');
    assert.deepEqual(first.data, ['10.96.1.3']);
    for (let i = 0; i < 4; i++) assert.deepEqual((await q.query(NODELOCAL, 'svc-3.bench-1.svc.cluster.local', 'A')).data, ['10.96.1.3']);
    const c1 = await raw(clusterCtl);
    const n1 = await unboundStats(nodeLocalCtl, NS);
    assert.equal(n1.queries - n0.queries, 5);
    assert.equal(n1.cacheMisses - n0.cacheMisses, 1);
    assert.equal(n1.cacheHits - n0.cacheHits, 4);
    assert.equal(c1['total.num.queries']! - c0['total.num.queries']!, 1, 'the cluster server saw only the miss');
    assert.equal(c1['num.query.tcp']! - c0['num.query.tcp']!, 1, 'and it came over TCP (force_tcp)');
    const ext = await q.query(NODELOCAL, 'external-0.bench-0.svc.cluster.local', 'A');
    assert.deepEqual(ext.data, ['api-0.example.com.', upstreamAddress(0)]);
    const neg = await q.query(NODELOCAL, 'nope.bench-0.svc.cluster.local', 'A');
    assert.equal(neg.status, 'NXDOMAIN');
    const ptr = await q.query(NODELOCAL, reverseQueryName('10.96.1.4'), 'PTR');
    assert.deepEqual(ptr.data, ['svc-4.bench-0.svc.cluster.local.']);
    const saved = await run('iptables-save', ['-t', 'raw'], { netns: NS });
    const notrack = /-A PREROUTING -d 169\.254\.20\.10\/32 -p udp -m udp --dport 53 -j (CT --notrack|NOTRACK)/;
    assert.match(saved.stdout, notrack);
  });

  it('applies the upstream delay to uncached external names only', async () => {
    const direct = await q.query(UPSTREAM, 'api-77.example.com', 'A');
    assert.deepEqual(direct.data, [upstreamAddress(77)]);
    assert.ok(direct.queryMs >= DELAY_MS, `direct ${direct.queryMs} ms`);
    const miss = await q.query(CLUSTER, 'api-78.example.com', 'A');
    assert.ok(miss.queryMs >= DELAY_MS, `through the cluster server, uncached: ${miss.queryMs} ms`);
    // cached answers skip the delay; the fastest of three keeps a loaded machine's stalls out
    const hits: number[] = [];
    for (let i = 0; i < 3; i++) hits.push((await q.query(CLUSTER, 'api-78.example.com', 'A')).queryMs);
    assert.ok(Math.min(...hits) < DELAY_MS, `cached: ${hits.join(', ')} ms`);
    // TCP: two queries on one connection (dig +keepopen), answered in order, each after the delay
    const tcp = await run('dig', ['+tcp', '+keepopen', '+tries=1', '+time=3', '+short', `@${UPSTREAM}`, 'api-90.example.com', 'api-91.example.com'], { netns: NS });
    assert.deepEqual(tcp.stdout.trim().split('\n'), [upstreamAddress(90), upstreamAddress(91)]);
    assert.equal((await q.query(UPSTREAM, 'nope.example.com', 'A')).status, 'NXDOMAIN');
    assert.equal((await q.query(UPSTREAM, 'example.org', 'A')).status, 'REFUSED');
    const nodata = await q.query(UPSTREAM, 'api-77.example.com', 'AAAA');
    assert.equal(nodata.status, 'NOERROR');
    assert.deepEqual(nodata.answers, []);
  });

  it('serves a Service created after start once the zones are reloaded, despite a cached NXDOMAIN', async () => {
    const name = 'svc-9.bench-1.svc.cluster.local';
    assert.equal((await q.query(CLUSTER, name, 'A')).status, 'NXDOMAIN');
    const grown: ClusterState = { ...state, services: [...state.services, generatedService(9, { endpointsPerService: 2, namespaces: 2 })] };
    await reloadClusterZones(grown, join(dir, 'cluster'), clusterCtl, NS);
    assert.deepEqual((await q.query(CLUSTER, name, 'A')).data, ['10.96.1.9']);
    assert.deepEqual((await q.query(CLUSTER, reverseQueryName('10.96.1.9'), 'PTR')).data, [`${name}.`]);
  });

  it('serves Services added through the control socket at once, ExternalName chased', async () => {
    const svc = generatedService(12, { endpointsPerService: 2, namespaces: 2 });
    const ext = externalNameService(7, { namespaces: 2 });
    const name = 'svc-12.bench-0.svc.cluster.local';
    assert.equal((await q.query(CLUSTER, name, 'A')).status, 'NXDOMAIN');
    assert.deepEqual(await clusterServer.update({ ...state, services: [...state.services, svc, ext] }), { kind: 'add', services: [svc, ext] });
    assert.deepEqual((await q.query(CLUSTER, name, 'A')).data, ['10.96.1.12']);
    assert.deepEqual((await q.query(CLUSTER, `_http._tcp.${name}`, 'SRV')).data, [`0 100 80 ${name}.`]);
    assert.deepEqual((await q.query(CLUSTER, reverseQueryName('10.96.1.12'), 'PTR')).data, [`${name}.`]);
    assert.deepEqual((await q.query(CLUSTER, 'external-7.bench-1.svc.cluster.local', 'A')).data, ['api-7.example.com.', upstreamAddress(7)]);
    assert.equal((await q.query(CLUSTER, 'svc-13.bench-1.svc.cluster.local', 'A')).status, 'NXDOMAIN');
    // deleting it again needs a reload, which also drops the live-added local zones
    assert.deepEqual(await clusterServer.update({ ...state, services: [...state.services, ext] }), { kind: 'reload' });
    assert.equal((await q.query(CLUSTER, name, 'A')).status, 'NXDOMAIN');
    assert.equal((await q.query(CLUSTER, reverseQueryName('10.96.1.12'), 'PTR')).status, 'NXDOMAIN');
    assert.deepEqual((await q.query(CLUSTER, 'external-7.bench-1.svc.cluster.local', 'A')).data, ['api-7.example.com.', upstreamAddress(7)]);
  });

  it('fails fast with unbound\'s own message when it cannot bind', async () => {
    const conf = renderNodeLocalUnbound({ listen: ['10.9.9.9'], clusterDns: CLUSTER, upstream: UPSTREAM, controlSocket: join(dir, 'bad.sock'), pidFile: join(dir, 'bad.pid') });
    const ctl = join(dir, 'bad-control.conf');
    await writeFile(ctl, renderControlConf(join(dir, 'bad.sock')));
    await assert.rejects(startUnbound({ conf, confPath: join(dir, 'bad.conf'), controlConfPath: ctl, netns: NS }), (e: unknown) => e instanceof MeasurementError && /exited at start.*10\.9\.9\.9/s.test(e.message));
  });

  it('gives glibc (getent, ndots 5 search list) the addresses of short, ExternalName and external names', async () => {
    const etc = `/etc/netns/${NS}`;
    await mkdir(etc, { recursive: true });
    try {
      await writeFile(join(etc, 'resolv.conf'), `nameserver ${CLUSTER}\nsearch bench-1.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5 timeout:2 attempts:1\n`);
      const ahosts = async (name: string) => {
        const res = await run('getent', ['ahostsv4', name], { netns: NS, reject: false });
        return [...new Set(res.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]))];
      };
      assert.deepEqual(await ahosts('svc-1'), ['10.96.1.1']);
      assert.deepEqual(await ahosts('svc-2.bench-0'), ['10.96.1.2']);
      assert.deepEqual(await ahosts('external-0.bench-0'), [upstreamAddress(0)]);
      assert.deepEqual(await ahosts('api-5.example.com'), [upstreamAddress(5)]);
      assert.deepEqual(await ahosts('nope'), []);
    } finally {
      await rm(etc, { recursive: true, force: true });
    }
  });
});
