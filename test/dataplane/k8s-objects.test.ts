import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseK8sObjects } from '../../src/dataplane/k8s-objects.js';
import { rulesCommand } from '../../src/cli/commands/rules.js';
import { renderRuleset } from '../../src/dataplane/ruleset.js';
import { run } from '../../src/core/exec.js';

const YAML = `apiVersion: v1
kind: Service
metadata: { name: kubernetes, namespace: default }
spec:
  clusterIP: 10.96.0.1
  ports: [{ name: https, port: 443, targetPort: 6443 }]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: { name: kubernetes, namespace: default, labels: { kubernetes.io/service-name: kubernetes } }
addressType: IPv4
endpoints: [{ addresses: [172.18.0.2], conditions: { ready: true } }]
ports: [{ name: https, port: 6443, protocol: TCP }]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: { name: kube-dns, namespace: kube-system }
  spec:
    clusterIP: 10.96.0.10
    ports: [{ name: dns, port: 53, protocol: UDP, targetPort: dns }]
- apiVersion: discovery.k8s.io/v1
  kind: EndpointSlice
  metadata: { name: kube-dns-x, namespace: kube-system, labels: { kubernetes.io/service-name: kube-dns } }
  addressType: IPv4
  endpoints: [{ addresses: [10.244.0.3] }, { addresses: [10.244.0.4], conditions: { ready: false } }]
  ports: [{ name: dns, port: 5353, protocol: UDP }]
- apiVersion: v1
  kind: Service
  metadata: { name: db, namespace: app }
  spec: { clusterIP: None, ports: [{ port: 5432 }] }
- apiVersion: v1
  kind: Service
  metadata: { name: ext, namespace: app }
  spec: { type: ExternalName, externalName: example.org }
`;

test('Services and EndpointSlices (documents and a List) become a ClusterState', () => {
  const s = parseK8sObjects(YAML, 'cluster.yaml');
  assert.equal(s.services.length, 4);
  const [k8s, dns, db, ext] = s.services;
  assert.deepEqual(k8s, { namespace: 'default', name: 'kubernetes', type: 'ClusterIP', clusterIP: '10.96.0.1', ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }], endpoints: [{ ip: '172.18.0.2', ready: true }] });
  // the named targetPort resolves through the slice's port; a nil ready condition means ready
  assert.deepEqual(dns!.ports, [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353 }]);
  assert.deepEqual(dns!.endpoints, [{ ip: '10.244.0.3', ready: true }, { ip: '10.244.0.4', ready: false }]);
  assert.equal(db!.clusterIP, 'None');
  assert.equal(ext!.type, 'ExternalName');
  assert.equal(ext!.externalName, 'example.org');
});

test('bad input: UsageError naming the file and every bad field', () => {
  const bad = `kind: Service\nmetadata: { name: x }\nspec:\n  clusterIP: 10.96.0.300\n  ports: [{ port: 99999 }, { port: 80, protocol: SCTP }]\n`;
  assert.throws(() => parseK8sObjects(bad, 'bad.yaml'), (err: unknown) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.exitCode, 2);
    assert.deepEqual(err.problems, [
      'bad.yaml: documents[0].spec.clusterIP must be an IPv4 address or None',
      'bad.yaml: documents[0].spec.ports[0].port must be an integer port 1..65535',
      'bad.yaml: documents[0].spec.ports[1].protocol must be TCP or UDP (SCTP is not supported)',
    ]);
    return true;
  });
  assert.throws(() => parseK8sObjects('a: [1,\n', 'broken.yaml'), (err: unknown) => err instanceof UsageError && err.message.startsWith('broken.yaml: document 1:'));
  const noLabel = 'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: { name: s }\nendpoints: []\n';
  assert.throws(() => parseK8sObjects(noLabel, 'eps.yaml'), /eps\.yaml: documents\[0\]\.metadata\.labels\["kubernetes\.io\/service-name"\] is required/);
});

test('discobench rules prints the ruleset; a missing file is a UsageError naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'disco-trules-'));
  try {
    const file = join(dir, 'svcs.yaml');
    writeFileSync(file, YAML);
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((c: string | Uint8Array) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
    try {
      await rulesCommand().exitOverride().parseAsync(['--proxy', 'iptables', '--services', file], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    const out = chunks.join('');
    assert.match(out, /^-A KUBE-SERVICES -m comment --comment "default\/kubernetes:https cluster IP" -m tcp -p tcp -d 10\.96\.0\.1 --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y$/m);
    assert.match(out, /-j KUBE-SVC-TCOU7JCQXEZGVUNU$/m);
    assert.match(out, /-j DNAT --to-destination 10\.244\.0\.3:5353$/m);
    assert.doesNotMatch(out, /10\.244\.0\.4/);
    await assert.rejects(
      rulesCommand().exitOverride().parseAsync(['--proxy', 'nftables', '--services', join(dir, 'nope.yaml')], { from: 'user' }),
      (err: unknown) => err instanceof UsageError && err.message.includes('nope.yaml'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the printed rulesets are accepted by the real iptables-restore and nft (check mode, own namespace)', async () => {
  const ns = `disco-tdpk${process.pid}`;
  await run('ip', ['netns', 'add', ns]);
  try {
    const state = parseK8sObjects(YAML, 'cluster.yaml');
    await run('iptables-nft-restore', ['--test', '--noflush'], { netns: ns, input: renderRuleset('iptables', state, { clusterCIDR: '10.244.0.0/16' }) });
    await run('iptables-legacy-restore', ['--test', '--noflush'], { netns: ns, input: renderRuleset('iptables', state) });
    await run('nft', ['-c', '-f', '-'], { netns: ns, input: renderRuleset('nftables', state, { clusterCIDR: '10.244.0.0/16' }) });
  } finally {
    await run('ip', ['netns', 'del', ns], { reject: false });
  }
});
