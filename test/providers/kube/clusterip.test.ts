import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeasurementError } from '../../../src/core/errors.js';
import { GENERATED_BASE, GeneratedAddresses, ipToInt, serviceIP } from '../../../src/model/addressing.js';
import { generatedService } from '../../../src/model/generate.js';
import { endpointSliceObject, namespaceObject, serviceObject } from '../../../src/providers/kube/objects.js';
import { explainApplyError } from '../../../src/providers/kube/session.js';
import { withControlPlane } from './control-plane.js';
import { clientFor } from './kubectl.js';

test('Services with the model\'s ClusterIPs are created on an apiserver already holding dynamically allocated ones', { timeout: 300_000 }, async () => {
  await withControlPlane(async (cp) => {
    const api = clientFor(cp);
    const runId = `c${Date.now().toString(36)}`;
    const ns = `discobench-${runId}`;
    await api.apply(namespaceObject(ns, runId));
    // someone else's Services: dynamic ClusterIPs, which KEP-3070 puts in the upper band, where ours live
    for (let k = 0; k < 40; k++) {
      await api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: `other-${k}`, namespace: ns }, spec: { ports: [{ port: 80 }] } } as never);
    }
    const taken = await api.listClusterIPs();
    const base = ipToInt(GENERATED_BASE);
    const dynamic = taken.map(ipToInt).filter((n) => n > base).sort((a, b) => a - b);
    assert.ok(dynamic.length >= 40, 'every dynamic ClusterIP lies above the static band');
    // the generated Services around the first dynamic address: without the taken set, index k would pin onto it
    const k = dynamic[0]! - base;
    assert.equal(ipToInt(serviceIP(k)), dynamic[0]);
    // k lands anywhere in the dynamic band (up to ~1M), past what a scenario's count may say: no schema here
    const spec = { endpointsPerService: 2, namespaces: 10 };
    const ctx = { runId, namespaceOf: () => ns, backendIPs: ['10.244.1.10', '10.244.1.11'] };
    const naive = serviceObject({ ...generatedService(k, spec), name: 'naive' }, ctx);
    const err = await api.apply(naive).then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'pinning a dynamically allocated address is refused');
    assert.ok(explainApplyError(err, naive) instanceof MeasurementError, `422 "already allocated" is explained: ${String((err as { body?: unknown }).body ?? err)}`);
    const addresses = new GeneratedAddresses(taken);
    for (let i = Math.max(0, k - 3); i < k + 4; i++) {
      const svc = generatedService(i, spec, addresses);
      assert.ok(!taken.includes(svc.clusterIP));
      await api.apply(serviceObject(svc, ctx));
      await api.apply(endpointSliceObject(svc, ctx)!);
    }
    await api.remove(namespaceObject(ns, runId));
  });
});
