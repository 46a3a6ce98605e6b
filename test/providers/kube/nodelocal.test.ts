import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { renderNodeLocalDNS } from '../../../src/providers/kube/nodelocal.js';

function docs(text: string): Array<Record<string, any>> {
  return parseAllDocuments(text).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Record<string, any>;
  });
}
const find = (ds: Array<Record<string, any>>, kind: string, name?: string) => ds.find((d) => d.kind === kind && (!name || d.metadata.name === name))!;

test('NodeLocal DNSCache, iptables mode: listens on 169.254.20.10 and kube-dns 10.96.0.10, node-cache fills the upstream', () => {
  const ds = docs(renderNodeLocalDNS('iptables'));
  assert.deepEqual(ds.map((d) => d.kind), ['ServiceAccount', 'Service', 'ConfigMap', 'DaemonSet', 'Service']);
  const corefile: string = find(ds, 'ConfigMap', 'node-local-dns').data.Corefile;
  assert.match(corefile, /^cluster\.local:53 \{/m);
  assert.equal((corefile.match(/bind 169\.254\.20\.10 10\.96\.0\.10\n/g) ?? []).length, 4);
  assert.match(corefile, /success 9984 30/);
  assert.match(corefile, /denial 9984 5/);
  // kube-dns-upstream's IP is filled in by node-cache at start (iptables mode)
  assert.equal((corefile.match(/forward \. __PILLAR__CLUSTER__DNS__/g) ?? []).length, 4);
  // never the node's resolv.conf
  assert.doesNotMatch(corefile, /UPSTREAM__SERVERS|resolv\.conf/);
  assert.match(corefile, /health 169\.254\.20\.10:8080/);
  const c = find(ds, 'DaemonSet').spec.template.spec.containers[0];
  assert.deepEqual(c.args.slice(0, 2), ['-localip', '169.254.20.10,10.96.0.10']);
  assert.equal(c.image, 'registry.k8s.io/dns/k8s-dns-node-cache:1.26.4');
  assert.equal(find(ds, 'DaemonSet').spec.template.spec.hostNetwork, true);
  assert.equal(c.livenessProbe.httpGet.host, '169.254.20.10');
});

test('NodeLocal DNSCache, IPVS mode: link-local address only, forwards to kube-dns 10.96.0.10', () => {
  const text = renderNodeLocalDNS('ipvs');
  assert.doesNotMatch(text, /__PILLAR__/);
  const ds = docs(text);
  const corefile: string = find(ds, 'ConfigMap', 'node-local-dns').data.Corefile;
  assert.equal((corefile.match(/bind 169\.254\.20\.10\n/g) ?? []).length, 4);
  assert.doesNotMatch(corefile, /bind [^\n]*10\.96\.0\.10/);
  assert.equal((corefile.match(/forward \. 10\.96\.0\.10/g) ?? []).length, 4);
  const c = find(ds, 'DaemonSet').spec.template.spec.containers[0];
  assert.deepEqual(c.args.slice(0, 2), ['-localip', '169.254.20.10']);
});

test('NodeLocal DNSCache with Cilium: pod network, no iptables setup, local redirect policy for kube-dns', () => {
  const ds = docs(renderNodeLocalDNS('cilium'));
  const spec = find(ds, 'DaemonSet').spec.template.spec;
  assert.equal(spec.hostNetwork, false);
  assert.ok(spec.containers[0].args.includes('-setupiptables=false'));
  assert.ok(spec.containers[0].args.includes('-setupinterface=false'));
  assert.ok(spec.containers[0].args.includes('-skipteardown=true'));
  assert.match(find(ds, 'ConfigMap', 'node-local-dns').data.Corefile, /bind 0\.0\.0\.0\n/);
  const lrp = find(ds, 'CiliumLocalRedirectPolicy');
  assert.equal(lrp.apiVersion, 'cilium.io/v2');
  assert.deepEqual(lrp.spec.redirectFrontend.serviceMatcher, { serviceName: 'kube-dns', namespace: 'kube-system' });
  assert.deepEqual(lrp.spec.redirectBackend.localEndpointSelector.matchLabels, { 'k8s-app': 'node-local-dns' });
});
