import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { UsageError } from '../../../src/core/errors.js';
import { generateServices } from '../../../src/model/generate.js';
import { ExistingProvider } from '../../../src/providers/existing/provider.js';
import { cleanKubeLeftovers } from '../../../src/providers/kube/cleanup.js';
import { runNamespace, runSelector } from '../../../src/providers/kube/labels.js';
import { namespaceObject } from '../../../src/providers/kube/objects.js';
import { ServiceWriter, TRIGGER_TIME_ANNOTATION } from '../../../src/providers/kube/service-writer.js';
import { newRunId } from '../../../src/core/ids.js';
import { ServicesSpec } from '../../../src/scenario/schema.js';
import { withControlPlane } from './control-plane.js';

const noKind = { run: async () => { throw new Error('kind is not installed here'); } };

test('existing provider against a real kube-apiserver: context guard, labelled namespace, 1000 Services + EndpointSlices by server-side apply, deletion by label', async () => {
  await withControlPlane(async (cp) => {
    const runId = newRunId();
    process.env.KUBECONFIG = cp.kubeconfig;
    // the guard: context "discobench" is not a kind cluster, so it must be named and confirmed
    const guarded = new ExistingProvider({ runId, workDir: '/nonexistent', log: () => undefined, options: {} }, { runner: { run: async () => ({ stdout: '', stderr: '', exitCode: 0 }) } });
    await assert.rejects(guarded.check({} as never), (e: unknown) => e instanceof UsageError && /refusing to run against kubeconfig context "discobench"/.test((e as Error).message));
    const confirmed = new ExistingProvider({ runId, workDir: '/nonexistent', log: () => undefined, options: { context: 'discobench', yes: true } }, { runner: { run: async () => ({ stdout: '', stderr: '', exitCode: 0 }) } });
    await confirmed.check({} as never);

    const ns = runNamespace(runId);
    await cp.api.apply(namespaceObject(ns, runId));
    assert.deepEqual(await cp.api.listNamespaces(runSelector(runId)), [ns], 'the run namespace carries the run labels');

    const state = generateServices(ServicesSpec.parse({ count: 1000, endpointsPerService: 2, namespaces: 10 }));
    const writer = new ServiceWriter({ api: cp.api, runId, createNamespaces: false });
    const w = await writer.write(state.services, { runId, namespaceOf: () => ns, backendIPs: ['10.244.0.70', '10.244.0.71'] }, { full: false });
    assert.equal(w.changed, 1000);

    const kc = new k8s.KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const services = (await core.listNamespacedService({ namespace: ns })).items;
    assert.equal(services.length, 1000);
    const byName = new Map(state.services.map((s) => [s.name, s.clusterIP]));
    for (const s of services) assert.equal(s.spec?.clusterIP, byName.get(s.metadata!.name!), `${s.metadata!.name} got the model's ClusterIP`);
    const slices = (await discovery.listNamespacedEndpointSlice({ namespace: ns })).items;
    assert.equal(slices.length, 1000);
    assert.ok(slices.every((s) => s.endpoints.length === 2 && s.metadata?.labels?.['kubernetes.io/service-name']), 'each Service has its slice with both endpoints');
    assert.equal(w.stampedSlices, 1000);
    const stamp = (name: string) => slices.find((s) => s.metadata?.name === name)?.metadata?.annotations?.[TRIGGER_TIME_ANNOTATION];
    const t0 = Date.parse(stamp('svc-0-disco') ?? '');
    assert.ok(Math.abs(t0 - w.writtenAt * 1000) < 120_000, `slices carry the trigger time kube-proxy times programming from: ${stamp('svc-0-disco')}`);

    // a second write of the same state changes nothing
    const again = await writer.write(state.services, { runId, namespaceOf: () => ns, backendIPs: ['10.244.0.70', '10.244.0.71'] }, { full: false });
    assert.equal(again.changed, 0);
    assert.equal(again.stampedSlices, 0);
    // a full rewrite re-applies every object, but only a slice whose endpoints changed gets a new stamp
    const moved = state.services.map((s, i) => (i === 0 ? { ...s, endpoints: s.endpoints.slice(0, 1) } : s));
    const full = await writer.write(moved, { runId, namespaceOf: () => ns, backendIPs: ['10.244.0.70', '10.244.0.71'] }, { full: true });
    assert.equal(full.changed, 1000);
    assert.equal(full.stampedSlices, 1);
    const after1 = (await discovery.listNamespacedEndpointSlice({ namespace: ns })).items;
    assert.ok(Date.parse(after1.find((s) => s.metadata?.name === 'svc-0-disco')!.metadata!.annotations![TRIGGER_TIME_ANNOTATION]!) > t0, 'the changed slice got a new stamp');

    // clean finds the namespace by label and deletes it (no controller-manager here to finish
    // the deletion: the namespace is Terminating, which is the API's answer to the delete)
    // the guard holds for clean too: not a kind-* context, so only when named and confirmed
    assert.deepEqual((await cleanKubeLeftovers(runId, { runner: noKind })).namespaces, []);
    const report = await cleanKubeLeftovers(runId, { runner: noKind, context: 'discobench', yes: true });
    assert.deepEqual(report.namespaces, [`discobench/${ns}`]);
    const after = await core.readNamespace({ name: ns });
    assert.ok(after.metadata?.deletionTimestamp, 'the namespace is being deleted');
  });
});
