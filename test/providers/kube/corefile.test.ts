import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { corednsConfigMapForUpstream, forwardToUpstream } from '../../../src/providers/kube/corefile.js';
import { KUBEADM_COREFILE } from '../kind/fixtures.js';


test('CoreDNS: only the forward line changes; the cluster\'s cache settings (no caching of cluster names) stay', () => {
  const out = forwardToUpstream(KUBEADM_COREFILE, '10.96.0.53');
  const a = KUBEADM_COREFILE.split('\n');
  const b = out.split('\n');
  assert.equal(a.length, b.length);
  const changed = a.map((l, i) => [l, b[i]]).filter(([x, y]) => x !== y);
  assert.deepEqual(changed, [['    forward . /etc/resolv.conf {', '    forward . 10.96.0.53 {']]);
  assert.match(out, /cache 30 \{\n\s+disable success cluster\.local\n\s+disable denial cluster\.local\n\s+\}/);
  // an older kubeadm (plain `cache 30`) is kept as it is too
  assert.match(forwardToUpstream(KUBEADM_COREFILE.replace(/cache 30 \{[^}]*\}/, 'cache 30'), '10.96.0.53'), /\n    cache 30\n/);
});

test('CoreDNS: a Corefile that is not kubeadm\'s is refused, not guessed at', () => {
  assert.throws(() => forwardToUpstream(KUBEADM_COREFILE.replace('/etc/resolv.conf', '8.8.8.8'), '10.96.0.53'), /found 0/);
  assert.throws(() => forwardToUpstream(KUBEADM_COREFILE + KUBEADM_COREFILE, '10.96.0.53'), /found 2/);
});

test('CoreDNS ConfigMap to apply: the Corefile key only, from kubectl get -o json', () => {
  const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system', resourceVersion: '1', managedFields: [{}] }, data: { Corefile: KUBEADM_COREFILE } });
  const cm = parse(corednsConfigMapForUpstream(json, '10.96.0.53'));
  assert.deepEqual(Object.keys(cm.metadata), ['name', 'namespace']);
  assert.deepEqual(Object.keys(cm.data), ['Corefile']);
  assert.match(cm.data.Corefile, /forward \. 10\.96\.0\.53 \{/);
  assert.throws(() => corednsConfigMapForUpstream('{}', '10.96.0.53'), /no Corefile/);
});
