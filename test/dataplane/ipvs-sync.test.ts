import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipvsSnapshot, renderIpvsSync } from '../../src/dataplane/ipvs.js';
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
