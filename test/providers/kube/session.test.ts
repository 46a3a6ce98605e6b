import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateServices, generatedService } from '../../../src/model/generate.js';
import { ClusterSpec, ServicesSpec } from '../../../src/scenario/schema.js';
import { KubeSession } from '../../../src/providers/kube/session.js';
import { FakeKubeApi, RecordingRunner, kubeProxyMetrics, pod } from './fakes.js';

/** A kube-proxy whose metrics move on once per scrape after `bump()`: a sync of `syncSec` seconds. */
function fakeKubeProxy() {
  let count = 5;
  let sum = 0.05;
  let last = Date.now() / 1000 - 60;
  let syncSec = 0.3;
  return {
    syncs: (n: number, sec: number) => {
      syncSec = sec;
      for (let i = 0; i < n; i++) {
        count++;
        sum += sec;
      }
      last = Date.now() / 1000 + 1;
    },
    text: () => kubeProxyMetrics({ counts: [0, 0, 0, 0, count], sum, count, last, pending: 0, rules: 100 + count }),
    get syncSec() {
      return syncSec;
    },
  };
}

function setup(proxy: 'iptables' | 'nftables' = 'iptables') {
  const api = new FakeKubeApi('kind-disco-t1');
  api.pods['discobench-t1/app=disco-backend'] = [pod('b0', { ip: '10.244.1.10', namespace: 'discobench-t1' }), pod('b1', { ip: '10.244.1.11', namespace: 'discobench-t1' }), pod('b2', { ip: '10.244.1.12', namespace: 'discobench-t1' })];
  api.pods['kube-system/k8s-app=kube-proxy'] = [pod('kp-a')];
  const kp = fakeKubeProxy();
  let changed = false;
  api.podProxy['kube-system/kp-a:10249/metrics'] = () => {
    // the first scrape after objects were written sees kube-proxy's sync of them
    if (changed) {
      kp.syncs(1, kp.syncSec);
      changed = false;
    }
    return kp.text();
  };
  const origApply = api.apply.bind(api);
  api.apply = async (o) => {
    if (o.kind === 'Service') changed = true;
    return origApply(o);
  };
  const runner = new RecordingRunner((file, args) => {
    if (file === 'kubectl' && args.includes('delete') && args.includes('k8s-app=kube-proxy')) {
      // the restarted kube-proxy: a fresh pod whose first (full) sync took 1.25 s
      api.pods['kube-system/k8s-app=kube-proxy'] = [pod('kp-b')];
      api.podProxy['kube-system/kp-b:10249/metrics'] = kubeProxyMetrics({ counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], sum: 1.25, count: 1, full: { sum: 1.25, count: 1 }, last: Date.now() / 1000 + 1, pending: 0, rules: 5000 });
    }
  });
  const session = new KubeSession({
    api, runner, runId: 't1', runNamespace: 'discobench-t1', agentNamespace: 'bench-0', namespaceOf: (s) => s.namespace,
    createNamespaces: true, restartProxyForFullSync: true, cluster: ClusterSpec.parse({ proxy }), image: 'discobench/agent:dev', log: () => undefined, pollMs: 5, programTimeoutMs: 5000,
  });
  return { api, runner, session, kp };
}

test('applyServices: labelled namespaces, selector-less Services with fixed ClusterIPs, slices on real backend pods; kube-dns untouched', async () => {
  const { api, runner, session } = setup();
  const spec = ServicesSpec.parse({ count: 4, endpointsPerService: 2, headless: 1, externalName: 1, namespaces: 2 });
  const report = await session.applyServices(generateServices(spec, ['10.244.0.2']), { full: false });
  assert.equal(report.kind, 'partial');
  assert.ok(Math.abs(report.durationMs - 300) < 1e-6, `kube-proxy's own sync time, got ${report.durationMs}`);
  assert.equal(report.rules, 113, 'iptables rules from kube-proxy metrics (nat + filter)');
  assert.deepEqual(runner.lines().slice(0, 2), ['kubectl --context kind-disco-t1 -n discobench-t1 scale deployment/disco-backend --replicas=2', 'kubectl --context kind-disco-t1 -n discobench-t1 rollout status deployment/disco-backend --timeout=5m']);
  const ns = api.objects.get('Namespace//bench-1')!;
  assert.deepEqual(ns.metadata!.labels, { 'app.kubernetes.io/managed-by': 'discobench', 'discobench.io/run-id': 't1' });
  const svc = api.objects.get('Service/bench-1/svc-1') as any;
  assert.equal(svc.spec.clusterIP, '10.96.1.1');
  assert.equal(svc.spec.selector, undefined);
  assert.deepEqual(svc.spec.ports, [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  const slice = api.objects.get('EndpointSlice/bench-1/svc-1-disco') as any;
  assert.equal(slice.metadata.labels['kubernetes.io/service-name'], 'svc-1');
  assert.deepEqual(slice.endpoints.map((e: any) => e.addresses[0]), ['10.244.1.12', '10.244.1.10']);
  assert.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]);
  assert.equal((api.objects.get('Service/bench-0/headless-0') as any).spec.clusterIP, 'None');
  assert.deepEqual((api.objects.get('EndpointSlice/bench-0/headless-0-disco') as any).endpoints.map((e: any) => e.hostname), ['pod-0', 'pod-1']);
  assert.deepEqual((api.objects.get('Service/bench-0/external-0') as any).spec, { type: 'ExternalName', externalName: 'api-0.example.com' });
  assert.equal([...api.objects.keys()].filter((k) => k.includes('kube-system')).length, 0);
});

test('applyServices partial: only the changed Service is written, a dropped one deleted', async () => {
  const { api, session } = setup();
  const spec = ServicesSpec.parse({ count: 3, endpointsPerService: 1, namespaces: 1 });
  const state = generateServices(spec, []);
  await session.applyServices(state, { full: false });
  api.log.length = 0;
  state.services.push(generatedService(3, spec));
  await session.applyServices(state, { full: false });
  assert.deepEqual(api.log, ['apply Service/bench-0/svc-3', 'apply EndpointSlice/bench-0/svc-3-disco']);
  api.log.length = 0;
  state.services = state.services.filter((s) => s.name !== 'svc-0');
  await session.applyServices(state, { full: false });
  assert.deepEqual(api.log, ['remove EndpointSlice/bench-0/svc-0-disco', 'remove Service/bench-0/svc-0']);
});

test('applyServices full: kube-proxy restarted, its first full sync is the figure', async () => {
  const { runner, session } = setup();
  const report = await session.applyServices(generateServices(ServicesSpec.parse({ count: 2, namespaces: 1 }), []), { full: true });
  assert.ok(runner.lines().includes('kubectl --context kind-disco-t1 -n kube-system delete pod -l k8s-app=kube-proxy --wait=true'));
  assert.equal(report.kind, 'full');
  assert.equal(report.durationMs, 1250);
  assert.equal(report.rules, 5007);
});

test('applyServices nftables: rules counted through the data plane seam; unknown stays NaN, never invented', async () => {
  const { session } = setup('nftables');
  const report = await session.applyServices(generateServices(ServicesSpec.parse({ count: 2, namespaces: 1 }), []), { full: false });
  assert.ok(Number.isNaN(report.rules));
});

test('runAgent: a Job running `agent dns ... --json` with files from a ConfigMap at /work; result from the log; cleaned up', async () => {
  const { api, session } = setup();
  const applied: any[] = [];
  const origApply = api.apply.bind(api);
  api.apply = async (o) => {
    applied.push(structuredClone(o));
    return origApply(o);
  };
  api.pods['bench-0/job-name=agent-dns-1-c0'] = [pod('agent-dns-1-c0-xyz', { namespace: 'bench-0' })];
  api.logs['bench-0/agent-dns-1-c0-xyz'] = 'starting\n{"agent":"dns","metrics":{"dns.lookups.rate":{"value":1234}}}\n';
  const out = await session.runAgent({
    agent: 'dns', client: 0, timeoutMs: 10_000,
    args: ['--server', '10.96.0.10:53', '--names', { file: 'names.txt' }, '--resolv-conf', '/etc/resolv.conf'],
    files: { 'names.txt': 'svc-1 A\n' },
    dns: { nameserver: '10.96.0.10', search: ['bench-0.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 2, options: [] },
  });
  assert.deepEqual(out.metrics['dns.lookups.rate'], { value: 1234 });
  const job = applied.find((o) => o.kind === 'Job');
  const c = job.spec.template.spec.containers[0];
  assert.deepEqual(c.args, ['agent', 'dns', '--server', '10.96.0.10:53', '--names', '/work/names.txt', '--resolv-conf', '/etc/resolv.conf', '--json']);
  assert.equal(job.spec.template.spec.dnsPolicy, 'None');
  assert.deepEqual(job.spec.template.spec.dnsConfig, { nameservers: ['10.96.0.10'], searches: ['bench-0.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: [{ name: 'ndots', value: '2' }] });
  assert.equal(job.spec.backoffLimit, 0);
  assert.deepEqual(applied.find((o) => o.kind === 'ConfigMap').data['names.txt'], 'svc-1 A\n');
  assert.ok(api.log.includes('remove Job/bench-0/agent-dns-1-c0'));
  assert.ok(api.log.includes('remove ConfigMap/bench-0/agent-dns-1-c0'));
  assert.equal([...api.objects.keys()].filter((k) => k.startsWith('Job/')).length, 0);
});

test('runAgent: a failed Job is a MeasurementError carrying the log tail', async () => {
  const { api, session } = setup();
  api.jobs['bench-0/agent-http-1-c1'] = { succeeded: 0, failed: 1, message: 'BackoffLimitExceeded' };
  api.pods['bench-0/job-name=agent-http-1-c1'] = [pod('p', { namespace: 'bench-0' })];
  api.logs['bench-0/p'] = 'Error: connect ECONNREFUSED 10.96.1.1:80';
  await assert.rejects(session.runAgent({ agent: 'http', client: 1, timeoutMs: 1000, args: [] }), /agent agent-http-1-c1 failed: BackoffLimitExceeded Error: connect ECONNREFUSED/);
});

test('sample: CoreDNS and kube-proxy CPU from the kubelet, CoreDNS queries from its metrics', async () => {
  const { api, session } = setup();
  api.pods['kube-system/k8s-app=kube-dns'] = [pod('coredns-a', { node: 'n1' }), pod('coredns-b', { node: 'n2' })];
  api.nodeProxy['n1/metrics/resource'] = 'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-a"} 10 1\ncontainer_cpu_usage_seconds_total{container="kube-proxy",namespace="kube-system",pod="kp-a"} 2 1\n';
  api.nodeProxy['n2/metrics/resource'] = 'container_cpu_usage_seconds_total{container="coredns",namespace="kube-system",pod="coredns-b"} 5.5 1\n';
  api.podProxy['kube-system/coredns-a:9153/metrics'] = 'coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",zone="."} 100\ncoredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="AAAA",zone="."} 50\n';
  api.podProxy['kube-system/coredns-b:9153/metrics'] = 'coredns_dns_requests_total{family="1",proto="udp",server="dns://:53",type="A",zone="."} 25\n';
  const s = await session.sample();
  assert.equal(s.dnsServerCpuSeconds, 15.5);
  assert.equal(s.proxyCpuSeconds, 2);
  assert.equal(s.dnsServerQueries, 175);
  assert.equal(s.cacheHits, undefined);
});

test('applyServices: a change kube-proxy does not program (ExternalName) is not timed', async () => {
  const { api, session } = setup();
  const spec = ServicesSpec.parse({ count: 1, externalName: 1, namespaces: 1 });
  const state = generateServices(spec, []);
  await session.applyServices(state, { full: false });
  const ext = state.services.find((s) => s.type === 'ExternalName')!;
  ext.externalName = 'api-9.example.com';
  api.log.length = 0;
  const r = await session.applyServices(state, { full: false });
  assert.deepEqual(api.log, ['apply Service/bench-0/external-0']);
  assert.ok(Number.isNaN(r.durationMs));
});

test('applyServices: kube-proxy metrics unreachable (127.0.0.1 bind) -> no figure, no endless wait', async () => {
  const { api, session } = setup();
  delete api.podProxy['kube-system/kp-a:10249/metrics'];
  const t0 = Date.now();
  const r = await session.applyServices(generateServices(ServicesSpec.parse({ count: 2, namespaces: 1 }), []), { full: false });
  assert.ok(Number.isNaN(r.durationMs));
  assert.ok(Date.now() - t0 < 2000);
});

test("agent Job: the request's pod DNS config is the pod's resolv.conf (dnsPolicy None); without one the pod stays ClusterFirst", async () => {
  const { agentJob } = await import('../../../src/providers/kube/agent-job.js');
  const dns = { nameserver: '169.254.20.10', search: ['bench-0.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 1, options: [{ name: 'timeout', value: '2' }, { name: 'single-request' }] };
  const job = agentJob({ name: 'a', namespace: 'bench-0', runId: 't1', image: 'i', req: { agent: 'dns', client: 0, timeoutMs: 1000, args: ['--resolv-conf', '/etc/resolv.conf', '--json'], dns } });
  assert.equal(job.spec.template.spec.dnsPolicy, 'None');
  assert.deepEqual(job.spec.template.spec.dnsConfig, {
    nameservers: ['169.254.20.10'],
    searches: ['bench-0.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    options: [{ name: 'ndots', value: '1' }, { name: 'timeout', value: '2' }, { name: 'single-request' }],
  });
  assert.deepEqual(job.spec.template.spec.containers[0].args, ['agent', 'dns', '--resolv-conf', '/etc/resolv.conf', '--json']);
  const plain = agentJob({ name: 'b', namespace: 'bench-0', runId: 't1', image: 'i', req: { agent: 'http', client: 0, timeoutMs: 1000, args: ['--json'] } });
  assert.equal(plain.spec.template.spec.dnsPolicy, undefined);
  assert.equal(plain.spec.template.spec.dnsConfig, undefined);
});
