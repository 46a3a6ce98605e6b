import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { PrerequisiteError } from '../../../src/core/errors.js';
import { ClusterSpec } from '../../../src/scenario/schema.js';
import { CPU_SOURCE_KIND, KindProvider } from '../../../src/providers/kind/provider.js';
import { REPO_ROOT } from '../../../src/providers/kube/infra.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { FakeKubeApi, RecordingRunner } from '../kube/fakes.js';
import { serveUpstreamArgs } from '../../../src/dns/server/upstream-process.js';
import { renderUpstream } from '../../../src/providers/kube/manifests.js';
import { COREDNS_CONFIGMAP_JSON as COREDNS_CM, KUBEADM_COREFILE } from './fixtures.js';

function context(workDir: string, options: ProviderContext['options'] = {}): ProviderContext {
  return { runId: 't1', workDir, log: () => undefined, options };
}

test('kind up()/down(): the exact command sequence for IPVS with NodeLocal DNSCache', async () => {
  const wd = mkdtempSync(join(tmpdir(), 'disco-tkind-'));
  try {
    const runner = new RecordingRunner((file, args) => (args.includes('configmap') ? { stdout: COREDNS_CM } : file === 'kubectl' && args.includes('-o') ? { stdout: '{"clientVersion":{"gitVersion":"v1.36.0"},"serverVersion":{"gitVersion":"v1.36.1"}}' } : file === 'kind' && args[0] === 'version' ? { stdout: 'kind v0.32.0 go1.25 linux/amd64\n' } : undefined));
    const p = new KindProvider(context(wd), { runner, kubeApi: (c) => new FakeKubeApi(c) });
    const info = await p.up(ClusterSpec.parse({ proxy: 'ipvs', nodeLocalDNS: true, dnsReplicas: 2, clients: 2 }));
    assert.equal(info.clients, 2, "the scenario's client slots, as on local");
    assert.equal(info.clientNamespace, 'bench-0');
    const k = 'kubectl --context kind-disco-t1';
    assert.deepEqual(runner.lines(), [
      `kind create cluster --name disco-t1 --config ${wd}/kind-config.yaml --wait 5m`,
      `${k} wait --for=condition=Ready nodes --all --timeout=5m`,
      `docker build -t discobench/agent:dev -f ${join(REPO_ROOT, 'infra/agent/Dockerfile')} ${REPO_ROOT}`,
      'kind load docker-image discobench/agent:dev --name disco-t1',
      `${k} apply --server-side --force-conflicts -f ${wd}/manifests.yaml`,
      `${k} -n kube-system get configmap coredns -o json`,
      `${k} apply --server-side --force-conflicts -f ${wd}/coredns.yaml`,
      `${k} -n kube-system scale deployment/coredns --replicas=2`,
      `${k} -n kube-system rollout restart deployment/coredns`,
      `${k} apply --server-side --force-conflicts -f ${wd}/nodelocaldns.yaml`,
      `${k} -n kube-system rollout status deployment/coredns --timeout=5m`,
      `${k} -n discobench-t1 rollout status deployment/disco-upstream --timeout=5m`,
      `${k} -n discobench-t1 rollout status deployment/disco-backend --timeout=5m`,
      `${k} -n kube-system rollout status daemonset/node-local-dns --timeout=5m`,
      'kind version',
      `${k} version -o json`,
    ]);
    assert.equal(info.nameserver, '169.254.20.10', 'IPVS + NodeLocal: pods use the link-local cache');
    assert.deepEqual(info.tools, { kind: 'kind v0.32.0 go1.25 linux/amd64', kubectl: 'v1.36.0', kubernetes: 'v1.36.1', nodeLocalDNS: '169.254.20.10', cpuSource: CPU_SOURCE_KIND });
    // the files the commands use were written and parse
    const manifests = parseAllDocuments(readFileSync(join(wd, 'manifests.yaml'), 'utf8')).map((d) => d.toJS());
    assert.deepEqual(manifests.map((m) => `${m.kind}/${m.metadata.name}`), ['Namespace/discobench-t1', 'Deployment/disco-upstream', 'Service/disco-upstream', 'Deployment/disco-backend']);
    assert.equal(manifests[0].metadata.labels['discobench.io/run-id'], 't1');
    // CoreDNS keeps the cluster's own Corefile: only the forward line differs
    const coredns = parse(readFileSync(join(wd, 'coredns.yaml'), 'utf8'));
    assert.equal(coredns.data.Corefile, KUBEADM_COREFILE.replace('forward . /etc/resolv.conf', 'forward . 10.96.0.53'));
    // the upstream stand-in is the local provider's own server, from the agent image
    const upstream = manifests[1].spec.template.spec.containers[0];
    assert.equal(upstream.image, 'discobench/agent:dev');
    assert.deepEqual(upstream.args, serveUpstreamArgs({ listen: '0.0.0.0:5353', zone: 'example.com', delayMs: 0 }));
    assert.deepEqual(manifests[2].spec.ports.map((p: any) => `${p.protocol}/${p.port}->${p.targetPort}`), ['UDP/53->5353', 'TCP/53->5353']);

    const before = runner.calls.length;
    await p.down();
    await p.down();
    assert.deepEqual(runner.lines().slice(before), ['kind delete cluster --name disco-t1']);
  } finally {
    rmSync(wd, { recursive: true, force: true });
  }
});

test('kind up() for Cilium: helm with kube-proxy replacement before waiting for nodes; no --wait on create', async () => {
  const wd = mkdtempSync(join(tmpdir(), 'disco-tkind-'));
  try {
    const runner = new RecordingRunner((_f, args) => (args.includes('configmap') ? { stdout: COREDNS_CM } : undefined));
    const p = new KindProvider(context(wd, { keep: true }), { runner, kubeApi: (c) => new FakeKubeApi(c) });
    await p.up(ClusterSpec.parse({ proxy: 'cilium', nodeLocalDNS: true, kubernetesVersion: 'v1.36.1' }));
    const lines = runner.lines();
    assert.equal(lines[0], `kind create cluster --name disco-t1 --config ${wd}/kind-config.yaml --image kindest/node:v1.36.1`);
    assert.match(lines[1]!, /^helm upgrade --install cilium cilium --repo https:\/\/helm\.cilium\.io\/ --version 1\.18\.0 --namespace kube-system --kube-context kind-disco-t1 --values \S+\/cilium-values\.yaml --wait --timeout 10m$/);
    const values = parse(readFileSync(join(wd, 'cilium-values.yaml'), 'utf8'));
    assert.equal(values.kubeProxyReplacement, true);
    assert.equal(values.k8sServiceHost, 'disco-t1-control-plane');
    assert.equal(values.k8sServicePort, 6443);
    assert.deepEqual(values.ipam, { mode: 'kubernetes' });
    assert.deepEqual(values.prometheus, { enabled: true });
    assert.equal(values.localRedirectPolicy, true);
    assert.deepEqual(values.localRedirectPolicies, { enabled: true });
    assert.match(lines[2]!, /wait --for=condition=Ready nodes/);
    const nodelocal = readFileSync(join(wd, 'nodelocaldns.yaml'), 'utf8');
    assert.match(nodelocal, /kind: CiliumLocalRedirectPolicy/);
    const before = runner.calls.length;
    await p.down();
    assert.equal(runner.calls.length, before, '--keep: the cluster stays');
  } finally {
    rmSync(wd, { recursive: true, force: true });
  }
});

test('kind describe() prints the whole plan and runs nothing; down() before up() runs nothing', async () => {
  const runner = new RecordingRunner();
  const p = new KindProvider(context('/tmp/disco-tplan'), { runner });
  const text = p.describe(ClusterSpec.parse({ proxy: 'ipvs', nodeLocalDNS: true })).join('\n');
  assert.match(text, /kubeProxyMode: ipvs/);
  // the local provider's iptables backend switch has no effect on kind: said, not silently dropped
  assert.match(p.describe(ClusterSpec.parse({ iptablesBackend: 'legacy' })).join('\n'), /cluster\.iptablesBackend=legacy is not applied on kind/);
  assert.match(text, /clusterDNS:\n\s+- 169\.254\.20\.10/);
  assert.match(text, /\$ kind create cluster --name disco-t1/);
  assert.match(text, /kind: DaemonSet/);
  assert.match(text, /\$ kind delete cluster --name disco-t1/);
  const cilium = p.describe(ClusterSpec.parse({ proxy: 'cilium' })).join('\n');
  assert.match(cilium, /\$ helm upgrade --install cilium/);
  assert.match(cilium, /kubeProxyReplacement: true/);
  assert.match(cilium, /disableDefaultCNI: true/);
  await p.down();
  assert.deepEqual(runner.calls, []);
});

test('kind check(): missing docker or an unreachable engine is a PrerequisiteError (exit 4) with a hint', async () => {
  const missing = new KindProvider(context('/tmp/x'), { runner: new RecordingRunner(undefined, ['docker']) });
  await assert.rejects(missing.check(ClusterSpec.parse({})), (e: unknown) => e instanceof PrerequisiteError && e.exitCode === 4 && /docker not found/.test(e.message) && /Docker Engine/.test(e.hint ?? ''));
  const noHelm = new KindProvider(context('/tmp/x'), { runner: new RecordingRunner(undefined, ['helm']) });
  await noHelm.check(ClusterSpec.parse({ proxy: 'iptables' }));
  await assert.rejects(noHelm.check(ClusterSpec.parse({ proxy: 'cilium' })), /helm not found/);
  const { CommandError } = await import('../../../src/core/exec.js');
  const down = new RecordingRunner((file, args) => {
    if (file === 'docker' && args[0] === 'info') throw new CommandError('docker info', 1, 'Cannot connect to the Docker daemon');
  });
  await assert.rejects(new KindProvider(context('/tmp/x'), { runner: down }).check(ClusterSpec.parse({})), (e: unknown) => e instanceof PrerequisiteError && /not reachable/.test(e.message));
  assert.deepEqual(down.lines(), ['kind version', 'kubectl version --client', 'docker --version', 'docker info --format {{.ServerVersion}}']);
});

test('kind upstream stand-in: upstreamDelay changes only the delay, never the answers (same server and zone as local)', () => {
  const args = (delay: string) => (parseAllDocuments(renderUpstream('ns', 'r', ClusterSpec.parse({ upstreamDelay: delay }), 'img:1'))[0]!.toJS() as any).spec.template.spec.containers[0].args as string[];
  const plain = args('0ms');
  const slow = args('20ms');
  assert.deepEqual(plain.map((a, i) => (a === slow[i] ? null : [a, slow[i]])).filter(Boolean), [['0ms', '20ms']]);
  assert.deepEqual(slow.slice(0, 1), ['serve-upstream']);
});
