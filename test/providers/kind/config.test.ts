import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ClusterSpec } from '../../../src/scenario/schema.js';
import { kindConfig, nodeImage, renderKindConfig } from '../../../src/providers/kind/config.js';
import { INFRA_DIR } from '../../../src/providers/kube/infra.js';

const cfg = (over: Record<string, unknown>) => ClusterSpec.parse(over);
const patches = (c: Record<string, unknown>) => ((c.kubeadmConfigPatches as string[] | undefined) ?? []).map((p) => parse(p) as Record<string, unknown>);

test('kind config: kube-proxy mode per proxy, metrics on 0.0.0.0:10249, kind v1alpha4', () => {
  for (const proxy of ['iptables', 'ipvs', 'nftables'] as const) {
    const c = parse(renderKindConfig(cfg({ proxy }))) as Record<string, any>;
    assert.equal(c.kind, 'Cluster');
    assert.equal(c.apiVersion, 'kind.x-k8s.io/v1alpha4');
    assert.equal(c.networking.kubeProxyMode, proxy);
    assert.equal(c.networking.disableDefaultCNI, undefined);
    assert.equal(c.networking.serviceSubnet, '10.96.0.0/16');
    assert.equal(c.networking.podSubnet, '10.244.0.0/16');
    assert.deepEqual(patches(c), [{ kind: 'KubeProxyConfiguration', metricsBindAddress: '0.0.0.0:10249' }]);
  }
});

test('kind config: cilium disables the default CNI and kube-proxy', () => {
  const c = kindConfig(cfg({ proxy: 'cilium', nodes: 3 })) as Record<string, any>;
  assert.equal(c.networking.kubeProxyMode, 'none');
  assert.equal(c.networking.disableDefaultCNI, true);
  assert.equal(c.kubeadmConfigPatches, undefined);
  assert.deepEqual(c.nodes, [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }]);
});

test('kind config: NodeLocal DNSCache with IPVS points kubelet clusterDNS at 169.254.20.10, not with iptables', () => {
  const ipvs = patches(kindConfig(cfg({ proxy: 'ipvs', nodeLocalDNS: true })));
  assert.deepEqual(ipvs.find((p) => p.kind === 'KubeletConfiguration'), { kind: 'KubeletConfiguration', clusterDNS: ['169.254.20.10'] });
  const ipt = patches(kindConfig(cfg({ proxy: 'iptables', nodeLocalDNS: true })));
  assert.equal(ipt.find((p) => p.kind === 'KubeletConfiguration'), undefined);
});

test('kind config: nodes counts all nodes; node image from kubernetesVersion', () => {
  assert.deepEqual((kindConfig(cfg({ nodes: 1 })) as any).nodes, [{ role: 'control-plane' }]);
  assert.equal(nodeImage({ kubernetesVersion: '1.36.1' }), 'kindest/node:v1.36.1');
  assert.equal(nodeImage({ kubernetesVersion: 'v1.31.0' }), 'kindest/node:v1.31.0');
  assert.equal(nodeImage({}), undefined);
});

test('infra/kind/*.yaml are exactly what the renderer produces', () => {
  const cases: Record<string, Record<string, unknown>> = {
    'iptables.yaml': { proxy: 'iptables', nodes: 2 },
    'ipvs.yaml': { proxy: 'ipvs', nodes: 2 },
    'ipvs-nodelocaldns.yaml': { proxy: 'ipvs', nodes: 2, nodeLocalDNS: true },
    'nftables.yaml': { proxy: 'nftables', nodes: 2 },
    'cilium.yaml': { proxy: 'cilium', nodes: 2 },
  };
  for (const [file, over] of Object.entries(cases)) {
    const text = readFileSync(join(INFRA_DIR, 'kind', file), 'utf8');
    const body = text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    assert.equal(body.trim(), renderKindConfig(cfg(over)).trim(), file);
  }
});
