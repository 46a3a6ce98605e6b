import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/core/errors.js';
import { ClusterSpec } from '../../../src/scenario/schema.js';
import { guardContext } from '../../../src/providers/kube/guard.js';
import { ExistingProvider } from '../../../src/providers/existing/provider.js';
import { cleanKubeLeftovers } from '../../../src/providers/kube/cleanup.js';
import { namespaceObject } from '../../../src/providers/kube/objects.js';
import type { ProviderContext } from '../../../src/providers/provider.js';
import { FakeKubeApi, RecordingRunner, pod } from '../kube/fakes.js';

const ctx = (options: ProviderContext['options'], workDir = '/tmp/disco-texisting'): ProviderContext => ({ runId: 'r9', workDir, log: () => undefined, options });
const refused = (e: unknown) => e instanceof UsageError && e.exitCode === 2 && /not a kind cluster/.test(e.message) && /--context prod --yes/.test(e.hint ?? '');

test('context guard: kind-* ok; anything else only when named with --context NAME --yes', () => {
  guardContext('kind-x', {});
  guardContext('kind-disco-1', { yes: true });
  assert.throws(() => guardContext('prod', {}), refused);
  assert.throws(() => guardContext('prod', { yes: true }), refused, '--yes alone does not name the context');
  assert.throws(() => guardContext('prod', { context: 'prod' }), refused, '--context alone is not a confirmation');
  assert.throws(() => guardContext('prod', { context: 'staging', yes: true }), refused);
  guardContext('prod', { context: 'prod', yes: true });
});

test('existing check(): the guard runs before anything touches the cluster', async () => {
  const runner = new RecordingRunner();
  const api = new FakeKubeApi('prod');
  await assert.rejects(new ExistingProvider(ctx({}), { runner, kubeApi: () => api }).check(ClusterSpec.parse({})), refused);
  assert.deepEqual(api.log, []);
  await new ExistingProvider(ctx({ context: 'prod', yes: true }), { runner, kubeApi: () => api }).check(ClusterSpec.parse({}));
  await new ExistingProvider(ctx({}), { runner, kubeApi: () => new FakeKubeApi('kind-x') }).check(ClusterSpec.parse({}));
});

test('existing up()/down(): one labelled namespace discobench-<runId>, backend in it, deleted afterwards', async () => {
  const wd = mkdtempSync(join(tmpdir(), 'disco-texisting-'));
  try {
    const api = new FakeKubeApi('kind-x');
    api.pods['discobench-r9/app=disco-backend'] = [pod('b0', { namespace: 'discobench-r9', ip: '10.244.2.2' })];
    const runner = new RecordingRunner((file, args) => (args.includes('jsonpath={.spec.clusterIP}') ? { stdout: '10.96.0.10' } : args.includes('-o') ? { stdout: '{"serverVersion":{"gitVersion":"v1.35.0"}}' } : undefined));
    const p = new ExistingProvider(ctx({}, wd), { runner, kubeApi: () => api, image: 'reg.example/discobench-agent:1' });
    const info = await p.up(ClusterSpec.parse({ clients: 3 }));
    assert.equal(info.clientNamespace, 'discobench-r9');
    assert.equal(info.clients, 3, "the scenario's client slots, as on local");
    assert.equal(info.nameserver, '10.96.0.10');
    assert.equal(api.objects.get('Namespace//discobench-r9')!.metadata!.labels!['discobench.io/run-id'], 'r9');
    assert.deepEqual(runner.lines(), [
      `kubectl --context kind-x apply --server-side -f ${wd}/backend.yaml`,
      'kubectl --context kind-x -n discobench-r9 rollout status deployment/disco-backend --timeout=5m',
      'kubectl --context kind-x -n kube-system get service kube-dns -o jsonpath={.spec.clusterIP}',
      'kubectl --context kind-x version -o json',
    ]);
    await p.down();
    await p.down();
    assert.equal(api.log.filter((l) => l === 'remove Namespace//discobench-r9').length, 1);
  } finally {
    rmSync(wd, { recursive: true, force: true });
  }
});

test('cleanKubeLeftovers: kind clusters disco-* (or the one run) and labelled namespaces only', async () => {
  const api = new FakeKubeApi('kind-x');
  await api.apply(namespaceObject('discobench-a', 'a'));
  await api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'someone-else' } });
  const runner = new RecordingRunner((file, args) => (file === 'kind' && args[0] === 'get' ? { stdout: 'disco-a\nprod-like\ndisco-b\n' } : undefined));
  const r = await cleanKubeLeftovers(undefined, { runner, kubeApi: () => api });
  assert.deepEqual(r.kindClusters, ['disco-a', 'disco-b']);
  assert.deepEqual(r.namespaces, ['kind-x/discobench-a']);
  assert.ok(api.objects.has('Namespace//someone-else'));
  const one = new RecordingRunner((file, args) => (file === 'kind' && args[0] === 'get' ? { stdout: 'disco-a\ndisco-b\n' } : undefined));
  assert.deepEqual((await cleanKubeLeftovers('b', { runner: one, kubeApi: () => new FakeKubeApi() })).kindClusters, ['disco-b']);
  const noKind = await cleanKubeLeftovers('b', { runner: new RecordingRunner(undefined, ['kind']), kubeApi: () => new FakeKubeApi() });
  assert.deepEqual(noKind.skipped, ['kind clusters: kind not installed']);
});

test('cleanKubeLeftovers: labelled namespaces only in a kind-* context or the one named with --context NAME --yes', async () => {
  const noKindClusters = () => new RecordingRunner((file, args) => (file === 'kind' && args[0] === 'get' ? { stdout: '' } : undefined));
  const prod = new FakeKubeApi('prod');
  await prod.apply(namespaceObject('discobench-a', 'a'));
  const r = await cleanKubeLeftovers(undefined, { runner: noKindClusters(), kubeApi: () => prod });
  assert.deepEqual(r.namespaces, []);
  assert.ok(prod.objects.has('Namespace//discobench-a'), 'nothing deleted in a context that is not kind-*');
  assert.match(r.skipped.join('\n'), /context prod: not a kind cluster.*clean --context prod --yes/);
  const named = await cleanKubeLeftovers(undefined, { runner: noKindClusters(), kubeApi: () => prod, context: 'prod', yes: true });
  assert.deepEqual(named.namespaces, ['prod/discobench-a']);
});
