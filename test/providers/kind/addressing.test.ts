import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { GeneratedAddresses, KUBE_DNS_IP, SERVICE_CIDR, inStaticBand, serviceIP, staticBand } from '../../../src/model/addressing.js';
import { inOneNamespace } from '../../../src/model/cluster.js';
import { generateServices, generatedService } from '../../../src/model/generate.js';
import { KIND_SERVICE_SUBNET } from '../../../src/providers/kind/config.js';
import { kindUpPlan } from '../../../src/providers/kind/plan.js';
import { ClusterSpec, ScenarioSpec, ServicesSpec } from '../../../src/scenario/schema.js';
import type { AgentRequest, ClusterInfo, Provider } from '../../../src/providers/provider.js';
import { dnsWorkload } from '../../../src/workloads/dns.js';
import { MetricSink } from '../../../src/metrics/sink.js';

test('static band of a Service range: min(max(16, size/16), 256) addresses from network+1 (KEP-3070)', () => {
  assert.deepEqual(staticBand('10.96.0.0/12'), { first: '10.96.0.1', last: '10.96.1.0', size: 256 });
  assert.deepEqual(staticBand('10.96.0.0/16'), { first: '10.96.0.1', last: '10.96.1.0', size: 256 });
  assert.equal(staticBand('10.96.0.0/22').size, 64);
  assert.equal(staticBand('10.96.0.0/24').size, 16);
  assert.equal(staticBand('10.96.0.0/27').size, 16);
  assert.equal(staticBand('10.96.0.0/28').size, 0);
  assert.ok(inStaticBand(SERVICE_CIDR, KUBE_DNS_IP));
  assert.ok(!inStaticBand(SERVICE_CIDR, '10.96.1.1'));
});

test('generated ClusterIPs skip what the cluster already allocated; same index, same address', () => {
  const a = new GeneratedAddresses(['10.96.1.2', '10.96.1.3', '10.96.0.5', '10.96.1.7', 'None', '']);
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => a.ip(i)), ['10.96.1.0', '10.96.1.1', '10.96.1.4', '10.96.1.5', '10.96.1.6', '10.96.1.8']);
  // nothing taken: the model's addresses are unchanged for the local provider
  assert.equal(serviceIP(0), '10.96.1.0');
  assert.equal(serviceIP(300), '10.96.2.44');
  const taken = Array.from({ length: 200 }, (_, k) => `10.96.${1 + Math.floor((k * 37) / 256)}.${(k * 37) % 256}`);
  const b = new GeneratedAddresses(taken);
  const spec = ServicesSpec.parse({ count: 2000 });
  const ips = generateServices(spec, [], b).services.map((s) => s.clusterIP);
  assert.equal(new Set(ips).size, 2000);
  assert.deepEqual(ips.filter((ip) => taken.includes(ip)), []);
  // churn's Services continue after count with the same addresses object: no overlap either
  assert.ok(!ips.includes(generatedService(2000, spec, b).clusterIP));
  assert.ok(!taken.includes(generatedService(2000, spec, b).clusterIP));
});

test('every ClusterIP our kind manifests pin lies in the static band; none of our Services is dynamically allocated', () => {
  const seen = new Set<string>();
  for (const proxy of ['iptables', 'ipvs', 'nftables', 'cilium'] as const) {
    for (const nodeLocalDNS of [false, true]) {
      const steps = kindUpPlan({ cluster: ClusterSpec.parse({ proxy, nodeLocalDNS }), runId: 'a1', workDir: '/tmp/x' });
      for (const step of steps) {
        if (!step.file || !/\.ya?ml$/.test(step.file.name) || step.file.name.startsWith('kind-') || step.file.name.startsWith('cilium-')) continue;
        for (const doc of parseAllDocuments(step.file.content).map((d) => d.toJS() as any).filter(Boolean)) {
          if (doc.kind !== 'Service') continue;
          const ip = doc.spec?.clusterIP;
          assert.ok(ip, `${step.file.name}: Service ${doc.metadata.name} would get a dynamic ClusterIP from the band generated Services use`);
          if (ip === 'None') continue;
          seen.add(`${doc.metadata.name}=${ip}`);
          assert.ok(inStaticBand(KIND_SERVICE_SUBNET, ip) && inStaticBand(SERVICE_CIDR, ip), `${doc.metadata.name} ${ip} outside the static band`);
        }
      }
    }
  }
  assert.deepEqual([...seen].sort(), ['disco-upstream=10.96.0.53', 'kube-dns-upstream=10.96.0.11']);
});

/** A provider that only records what the DNS workload asks the agent to look up. */
function capturingProvider(requests: AgentRequest[]): Provider {
  return {
    name: 'capture', describe: () => [], check: async () => {}, up: async () => { throw new Error('unused'); },
    applyServices: async () => { throw new Error('unused'); }, sample: async () => { throw new Error('unused'); }, down: async () => {},
    runAgent: async (req) => { requests.push(req); throw new Error('captured'); },
  };
}

test('existing provider: DNS names come from the namespace the Services are in, not the model\'s bench-N', async () => {
  const scenario = ScenarioSpec.parse({ name: 'x', services: { count: 50, namespaces: 5, headless: 3 }, workloads: { dns: { clients: 1, distinctNames: 40, names: { short: 0.3, namespaced: 0.3, fqdn: 0.2, headless: 0.2, external: 0 } } } });
  const cluster: ClusterInfo = { nameserver: '10.96.0.10', clusterDomain: 'cluster.local', clientNamespace: 'discobench-r9', clients: 1, tools: {}, servicesNamespace: 'discobench-r9' };
  const requests: AgentRequest[] = [];
  const state = generateServices(scenario.services);
  const ctx = { runId: 'r9', variantId: 'v', scenario, provider: capturingProvider(requests), cluster, state, sink: new MetricSink(), workDir: '/tmp', signal: new AbortController().signal, log: () => {} };
  await assert.rejects(dnsWorkload().run(ctx), /captured/);
  const names = requests[0]!.files!.names!.trim().split('\n').map((l) => l.split(' ')[0]!);
  const held = new Set(inOneNamespace(state, 'discobench-r9').services.map((s) => `${s.name}.${s.namespace}`));
  for (const n of names) {
    assert.doesNotMatch(n, /bench-\d/, n);
    const parts = n.replace(/\.svc\.cluster\.local\.$/, '').split('.');
    // a short name resolves through the search list's first entry: the client's (= the Services') namespace
    const qualified = parts.length === 1 ? `${parts[0]}.discobench-r9` : parts.join('.');
    assert.ok(held.has(qualified), `${n} names no Service the cluster holds`);
  }
  assert.ok(names.some((n) => !n.includes('.')), 'short names are used: every Service is in the client\'s namespace');
});
