import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipvsLosingServers, ipvsSnapshot, ipvsSysctls, parseRealServerConnections, realServerKey, renderDrainCheck, renderIpvsSync } from '../../src/dataplane/ipvs.js';
import { allServicePorts } from '../../src/dataplane/service-ports.js';
import { state, svc } from './fixtures.js';

const A = svc('bench', 'svc-a', '10.96.1.1', ['10.244.64.1', '10.244.64.2']);
const B = svc('bench', 'svc-b', '10.96.1.2', ['10.244.64.4']);
const A2 = svc('bench', 'svc-a', '10.96.1.1', ['10.244.64.2', '10.244.64.3']);
const snap = (...s: ReturnType<typeof svc>[]) => ipvsSnapshot(allServicePorts(state(...s)));

test('ipvs first sync: link addresses, ipsets, every virtual and real server, iptables; never -C', () => {
  const r = renderIpvsSync(undefined, snap(A, B), { full: false });
  assert.equal(r.rules, 2);
  assert.equal(r.ipBatch, 'addr replace 10.96.1.1/32 dev kube-ipvs0\naddr replace 10.96.1.2/32 dev kube-ipvs0\n');
  assert.equal(r.ipvsadm, [
    '-A -t 10.96.1.1:80 -s rr', '-a -t 10.96.1.1:80 -r 10.244.64.1:8080 -m -w 1', '-a -t 10.96.1.1:80 -r 10.244.64.2:8080 -m -w 1',
    '-A -t 10.96.1.2:80 -s rr', '-a -t 10.96.1.2:80 -r 10.244.64.4:8080 -m -w 1', '',
  ].join('\n'));
  assert.match(r.ipset, /^add KUBE-CLUSTER-IP 10\.96\.1\.2,tcp:80$/m);
  assert.match(r.ipset, /^add KUBE-IPVS-IPS 10\.96\.1\.2$/m);
  assert.match(r.ipset, /^create KUBE-NODE-PORT-TCP bitmap:port range 0-65535$/m, 'every set kube-proxy creates');
  assert.doesNotMatch(r.ipset, /^add KUBE-LOOP-BACK/m, 'no endpoint is local: the EndpointSlices name no node');
  assert.ok(r.iptables?.includes('KUBE-CLUSTER-IP dst,dst -j ACCEPT'));
});

test('ipvs partial sync writes only the difference: a new virtual server, a changed one, a deleted one', () => {
  const r = renderIpvsSync(snap(A, B), snap(A2, svc('bench', 'svc-c', '10.96.1.3', ['10.244.64.10'])), { full: false });
  assert.equal(r.rules, 2);
  assert.equal(r.ipvsadm, [
    '-D -t 10.96.1.2:80',
    '-d -t 10.96.1.1:80 -r 10.244.64.1:8080', '-a -t 10.96.1.1:80 -r 10.244.64.3:8080 -m -w 1',
    '-A -t 10.96.1.3:80 -s rr', '-a -t 10.96.1.3:80 -r 10.244.64.10:8080 -m -w 1', '',
  ].join('\n'));
  assert.equal(r.ipBatch, 'addr replace 10.96.1.3/32 dev kube-ipvs0\naddr del 10.96.1.2/32 dev kube-ipvs0\n');
  assert.ok(r.ipset.includes('del KUBE-CLUSTER-IP 10.96.1.2,tcp:80\n'));
  assert.ok(!r.ipset.includes('flush'));
  assert.equal(r.iptables, undefined);
});

test('ipvs partial sync with nothing changed writes nothing to IPVS', () => {
  const r = renderIpvsSync(snap(A, B), snap(A, B), { full: false });
  assert.equal(r.ipvsadm, '');
  assert.equal(r.ipBatch, '');
});

test('ipvs full sync leaves unchanged servers alone (their counters stay) and refills the ipsets', () => {
  const r = renderIpvsSync(snap(A), snap(A), { full: true });
  assert.equal(r.ipvsadm, '');
  assert.match(r.ipset, /^flush KUBE-CLUSTER-IP$/m);
  assert.ok(r.iptables);
});

test('ipvs partial sync rewrites iptables only when KUBE-CLUSTER-IP empties or gets its first entry', () => {
  const emptied = renderIpvsSync(snap(A), snap(), { full: false });
  assert.ok(emptied.iptables);
  assert.doesNotMatch(emptied.iptables, /^-A KUBE-SERVICES .*KUBE-CLUSTER-IP/m, 'its rules go with its last entry');
  assert.match(emptied.iptables!, /KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN/, 'the filter keeps matching it');
  const first = renderIpvsSync(snap(), snap(A), { full: false });
  assert.match(first.iptables!, /^-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT$/m);
  assert.equal(renderIpvsSync(snap(A), snap(A, B), { full: false }).iptables, undefined);
});

const DNS = (ips: string[]): ReturnType<typeof svc> => ({
  ...svc('kube-system', 'kube-dns', '10.96.0.10', ips),
  ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 }],
});

test('ipvs graceful termination: a TCP real server that leaves with connections drains at weight 0; without, or UDP, it is deleted', () => {
  const prev = snap(A, DNS(['10.244.0.40', '10.244.0.41']));
  const next = snap(A2, DNS(['10.244.0.41']));
  assert.deepEqual(ipvsLosingServers(prev, next), ['-t 10.96.1.1:80', '-t 10.96.0.10:53'], 'only TCP virtual servers need their connections read');
  const busy = new Set([realServerKey('-t 10.96.1.1:80', '10.244.64.1:8080'), realServerKey('-u 10.96.0.10:53', '10.244.0.40:53')]);
  const r = renderIpvsSync(prev, next, { full: false, busy });
  assert.equal(r.ipvsadm, [
    '-e -t 10.96.1.1:80 -r 10.244.64.1:8080 -m -w 0', '-a -t 10.96.1.1:80 -r 10.244.64.3:8080 -m -w 1',
    '-d -u 10.96.0.10:53 -r 10.244.0.40:53',
    '-d -t 10.96.0.10:53 -r 10.244.0.40:53', '',
  ].join('\n'), 'UDP is deleted even with flows (expire_nodest_conn drops them), idle TCP at once');
  assert.deepEqual([...r.state.draining], [['-t 10.96.1.1:80', new Set(['10.244.64.1:8080'])]]);
  // the next sync leaves the draining one alone (kube-proxy skips what is in its list)
  const again = renderIpvsSync(r.state, snap(A2, DNS(['10.244.0.41'])), { full: true });
  assert.equal(again.ipvsadm, '');
  assert.equal(again.state.draining.get('-t 10.96.1.1:80')?.has('10.244.64.1:8080'), true);
  // back while draining: deleted and added anew at weight 1 (MoveRSOutofGracefulDeleteList, AddRealServer)
  const back = renderIpvsSync(again.state, snap(A, DNS(['10.244.0.41'])), { full: false });
  assert.equal(back.ipvsadm, '-d -t 10.96.1.1:80 -r 10.244.64.3:8080\n-d -t 10.96.1.1:80 -r 10.244.64.1:8080\n-a -t 10.96.1.1:80 -r 10.244.64.1:8080 -m -w 1\n');
  assert.equal(back.state.draining.size, 0);
  // its Service deleted: the virtual server goes with every real server, draining or not
  const gone = renderIpvsSync(again.state, snap(DNS(['10.244.0.41'])), { full: false });
  assert.equal(gone.ipvsadm, '-D -t 10.96.1.1:80\n');
  assert.equal(gone.state.draining.size, 0);
});

test('ipvs drain check: a draining real server with no connection left is deleted, one with connections stays, one gone is forgotten', () => {
  const listing = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
    'TCP  10.96.1.1:80 rr',
    '  -> 10.244.64.1:8080             Masq    0      0          2',
    '  -> 10.244.64.2:8080             Masq    1      3          0',
    '  -> 10.244.64.5:8080             Masq    0      0          0',
    '',
  ].join('\n');
  const conns = parseRealServerConnections(listing);
  assert.deepEqual([...conns], [['10.244.64.1:8080', 2], ['10.244.64.2:8080', 3], ['10.244.64.5:8080', 0]], 'TIME_WAIT and CLOSE (inactive) count');
  const state = snap(A);
  state.draining.set('-t 10.96.1.1:80', new Set(['10.244.64.1:8080', '10.244.64.5:8080', '10.244.64.9:8080']));
  const r = renderDrainCheck(state, new Map([['-t 10.96.1.1:80', conns]]));
  assert.equal(r.ipvsadm, '-d -t 10.96.1.1:80 -r 10.244.64.5:8080\n');
  assert.equal(r.deleted, 1);
  assert.deepEqual([...state.draining.get('-t 10.96.1.1:80')!], ['10.244.64.1:8080']);
  const idle = renderDrainCheck(state, new Map([['-t 10.96.1.1:80', new Map([['10.244.64.1:8080', 0]])]]));
  assert.equal(idle.ipvsadm, '-d -t 10.96.1.1:80 -r 10.244.64.1:8080\n');
  assert.equal(state.draining.size, 0);
});

test('ipvs sysctls: the ones kube-proxy sets, conn_reuse_mode only on kernels 4.1 to 5.8', () => {
  assert.deepEqual(ipvsSysctls('6.1.0-57-amd64'), ['net.ipv4.vs.conntrack=1', 'net.ipv4.vs.expire_nodest_conn=1', 'net.ipv4.vs.expire_quiescent_template=1']);
  assert.ok(ipvsSysctls('5.4.0-150-generic').includes('net.ipv4.vs.conn_reuse_mode=0'));
  assert.ok(!ipvsSysctls('5.10.0').includes('net.ipv4.vs.conn_reuse_mode=0'));
  assert.ok(!ipvsSysctls('3.10.0-1160.el7.x86_64').includes('net.ipv4.vs.conn_reuse_mode=0'));
});
