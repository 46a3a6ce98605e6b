import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments, stringify } from 'yaml';
import { generateServices } from '../../../src/model/generate.js';
import { agentConfigMap, agentJob } from '../../../src/providers/kube/agent-job.js';
import { endpointSliceObject, namespaceObject, serviceObject } from '../../../src/providers/kube/objects.js';
import { renderBackend } from '../../../src/providers/kube/manifests.js';
import { kindUpPlan } from '../../../src/providers/kind/plan.js';
import { ClusterSpec, ServicesSpec } from '../../../src/scenario/schema.js';
import { COREDNS_CONFIGMAP_JSON } from '../kind/fixtures.js';
import { withControlPlane } from './control-plane.js';
import { kubectl } from './kubectl.js';

/**
 * CRDs these paths apply but that a bare apiserver does not have; checked against nothing here.
 * CiliumLocalRedirectPolicy comes with Cilium's chart (validated by Cilium's CRD on a kind run).
 */
const UNCHECKED_KINDS = new Set(['CiliumLocalRedirectPolicy']);

type Doc = { kind: string; metadata: { name: string; namespace?: string } } & Record<string, unknown>;

function docsOf(text: string): Doc[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Doc).filter(Boolean);
}

/** Everything the kind plans (every proxy mode, NodeLocal on and off) and the existing provider apply. */
function manifests(runId: string): Array<{ source: string; docs: Doc[] }> {
  const out: Array<{ source: string; docs: Doc[] }> = [];
  for (const proxy of ['iptables', 'ipvs', 'nftables', 'cilium'] as const) {
    for (const nodeLocalDNS of [false, true]) {
      for (const step of kindUpPlan({ cluster: ClusterSpec.parse({ proxy, nodeLocalDNS, upstreamDelay: '20ms' }), runId, workDir: '/tmp/x' })) {
        if (step.file && step.file.name.endsWith('.yaml') && !['kind-config.yaml', 'cilium-values.yaml'].includes(step.file.name)) out.push({ source: `kind ${proxy} nodeLocal=${nodeLocalDNS}: ${step.file.name}`, docs: docsOf(step.file.content) });
        if (step.derive) out.push({ source: `kind ${proxy}: ${step.derive.name}`, docs: docsOf(step.derive.transform(COREDNS_CONFIGMAP_JSON)) });
      }
    }
  }
  const ns = `discobench-${runId}`;
  out.push({ source: 'existing: backend.yaml', docs: docsOf(renderBackend(ns, runId, 2)) });
  // the model's objects as the session writes them (kind: model namespaces; existing: one)
  const state = generateServices(ServicesSpec.parse({ count: 5, endpointsPerService: 3, headless: 2, externalName: 2, namespaces: 2 }));
  // kind's model namespaces bench-N, suffixed: a namespace deleted on a control plane without
  // kube-controller-manager stays Terminating, so every test run needs fresh ones
  for (const [label, namespaceOf] of [['kind', (s: { namespace: string }) => `${s.namespace}-${runId}`], ['existing', () => ns]] as const) {
    const ctx = { runId, namespaceOf, backendIPs: ['10.244.1.10', '10.244.1.11'] };
    const objs = state.services.flatMap((s) => [serviceObject(s, ctx), endpointSliceObject(s, ctx)].filter(Boolean));
    out.push({ source: `${label}: model Services and EndpointSlices`, docs: objs as unknown as Doc[] });
  }
  const spec = { name: 'agent-dns-1-c0', namespace: `bench-0-${runId}`, runId, image: 'discobench/agent:dev', req: { agent: 'dns' as const, args: ['--server', '10.96.0.10:53', '--names', { file: 'names' }, '--json'], files: { names: 'svc-0 A\n', resolv: 'nameserver 10.96.0.10\noptions ndots:5\n' }, client: 0, timeoutMs: 30_000 } };
  out.push({ source: 'agent Job', docs: [agentConfigMap(spec), agentJob(spec)] as unknown as Doc[] });
  return out;
}

test('every manifest the kind and existing paths apply passes a real kube-apiserver\'s server-side validation', { timeout: 300_000 }, async () => {
  await withControlPlane(async (cp) => {
    // a fresh run id: without kube-controller-manager a deleted namespace stays Terminating
    const runId = `v${Date.now().toString(36)}`;
    const sets = manifests(runId);
    const namespaces = new Set<string>([`bench-0-${runId}`, `bench-1-${runId}`, `discobench-${runId}`]);
    for (const ns of namespaces) assert.equal((await kubectl(cp, ['apply', '--server-side', '-f', '-'], stringify(namespaceObject(ns, runId)))).exitCode, 0);
    try {
      const unchecked = new Set<string>();
      const failures: string[] = [];
      for (const { source, docs } of sets) {
        const checked = docs.filter((d) => {
          if (!UNCHECKED_KINDS.has(d.kind)) return true;
          unchecked.add(`${d.kind}/${d.metadata.name}`);
          return false;
        });
        if (checked.length === 0) continue;
        const r = await kubectl(cp, ['apply', '--server-side', '--force-conflicts', '--field-manager', 'discobench', '--dry-run=server', '-f', '-'], checked.map((d) => stringify(d)).join('---\n'));
        if (r.exitCode !== 0) failures.push(`${source}:\n${r.stderr.trim()}`);
      }
      assert.deepEqual(failures, []);
      assert.deepEqual([...unchecked], ['CiliumLocalRedirectPolicy/nodelocaldns'], 'only the listed CRDs go unchecked');
    } finally {
      for (const ns of namespaces) await kubectl(cp, ['delete', 'namespace', ns, '--wait=false']);
    }
  });
});
