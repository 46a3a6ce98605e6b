import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServices } from '../../../src/model/generate.js';
import { ciliumFrontends, ciliumHolds, expectedFrontends } from '../../../src/providers/kube/cilium-datapath.js';
import { KubeSession } from '../../../src/providers/kube/session.js';
import { ClusterSpec, ServicesSpec } from '../../../src/scenario/schema.js';
import { FakeKubeApi, RecordingRunner, pod } from './fakes.js';

/** `cilium-dbg service list -o json` for some frontends, each with n backends */
function serviceList(frontends: ReadonlyMap<string, number>): string {
  return JSON.stringify([...frontends].map(([k, n], id) => {
    const [, ip, port, protocol] = /^(.+):(\d+)\/(\w+)$/.exec(k)!;
    const spec = { id: id + 1, 'frontend-address': { ip, port: Number(port), protocol, scope: 'external' }, 'backend-addresses': Array.from({ length: n }, (_, b) => ({ ip: `10.244.1.${10 + b}`, port: 8080 })), flags: { type: 'ClusterIP' } };
    return { spec, status: { realized: spec } };
  }));
}

test('Cilium frontends and what a change asks for', () => {
  const table = ciliumFrontends(serviceList(new Map([['10.96.1.0:80/TCP', 2], ['10.96.0.10:53/UDP', 1]])));
  assert.deepEqual([...table], [['10.96.1.0:80/TCP', 2], ['10.96.0.10:53/UDP', 1]]);
  assert.ok(ciliumHolds(table, new Map([['10.96.1.0:80/TCP', 2]]), []));
  assert.ok(!ciliumHolds(table, new Map([['10.96.1.0:80/TCP', 3]]), []), 'a backend still missing');
  assert.ok(!ciliumHolds(table, new Map(), ['10.96.1.0:80/TCP']), 'a removed Service still there');
});

test('Cilium sync is timed from the last write until every agent holds every changed frontend', async () => {
  const api = new FakeKubeApi('kind-disco-t1');
  api.pods['discobench-t1/app=disco-backend'] = [pod('b0', { ip: '10.244.1.10', namespace: 'discobench-t1' }), pod('b1', { ip: '10.244.1.11', namespace: 'discobench-t1' })];
  api.pods['kube-system/k8s-app=cilium'] = [pod('cilium-a'), pod('cilium-b', { node: 'n2' })];
  const state = generateServices(ServicesSpec.parse({ count: 20, endpointsPerService: 2, headless: 2, externalName: 2 }));
  let polls = 0;
  const runner = new RecordingRunner((file, args) => {
    if (file !== 'kubectl' || !args.includes('cilium-dbg')) return undefined;
    polls++;
    // agent b lags: it holds everything from the 4th poll on
    const lagging = args.includes('cilium-b') && polls < 4;
    const want = expectedFrontends([...api.objects.values()]);
    return { stdout: serviceList(lagging ? new Map([...want].slice(0, 5)) : want) };
  });
  const session = new KubeSession({
    api, runner, runId: 't1', runNamespace: 'discobench-t1', agentNamespace: 'bench-0', namespaceOf: (s) => s.namespace,
    createNamespaces: true, cluster: ClusterSpec.parse({ proxy: 'cilium' }), image: 'img', log: () => undefined, pollMs: 20, programTimeoutMs: 5000,
  });
  const t0 = Date.now();
  const r = await session.applyServices(state, { full: true });
  assert.ok(Number.isFinite(r.durationMs), 'a figure, not NaN: no metric of Cilium\'s is needed');
  assert.ok(r.durationMs >= 20 && r.durationMs <= Date.now() - t0, `${r.durationMs}`);
  assert.equal(polls, 4, "two rounds: b lagged in the first");
  // every poll asked the agents themselves, on each node
  const execs = runner.lines().filter((l) => l.includes('cilium-dbg'));
  assert.ok(execs.some((l) => l.includes(' exec cilium-a ')) && execs.some((l) => l.includes(' exec cilium-b ')));
  // 20 ClusterIP Services want 20 frontends with 2 backends each; headless and ExternalName none
  const want = expectedFrontends([...api.objects.values()]);
  assert.equal(want.size, 20);
  assert.deepEqual(new Set(want.values()), new Set([2]));
});
