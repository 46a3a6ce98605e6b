import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../cli/run-cli.js';
import { benchScenario } from './bench-scenario.js';

const SCENARIO = `name: dns-churn-test
description: the only CoreDNS instance replaced during a DNS flood
provider: local
cluster: { proxy: iptables, dnsReplicas: 1, components: real, dnsServer: coredns }
services: { count: 20, endpointsPerService: 1, namespaces: 2 }
workloads:
  dnsChurn: { replacements: 1, interval: 4s, warmup: 2s, settle: 7s, qps: 100, sockets: 4, control: false, distinctNames: 200, names: { short: 0.6, namespaced: 0.2, fqdn: 0.2, external: 0, headless: 0 } }
`;

test('a CoreDNS instance replaced under a DNS flood: the new one answers (its own counter), the change is on the time line', async () => {
  const v = (await benchScenario(SCENARIO)).variants[0]!;
  assert.equal(v.status, 'completed', v.errors.join('; '));
  assert.ok(v.metrics['dns.churn.new_instance_queries']!.value > 0, 'the new CoreDNS counted queries it answered');
  assert.ok(v.metrics['dns.churn.lookup.latency']!.count > 500, `lookups ${v.metrics['dns.churn.lookup.latency']!.count}`);
  assert.ok((v.events ?? []).length >= 3, JSON.stringify(v.events));
  assert.ok((v.series['timeline.dns.churn.failures'] ?? []).length > 50);
  assert.ok((v.series['timeline.dns.churn.delayed'] ?? []).length > 50);
  // the exited pod's namespace answers ICMP port unreachable until it goes: glibc gives that try
  // up at once and sends the next on a new socket, a new conntrack entry, which leads to the new pod
  assert.equal(v.metrics['dns.churn.lookups.failed']!.value, 0, 'no lookup failed');
});

test('dnsChurn off the local provider is refused before anything runs (exit 2)', async () => {
  const r = await runCli(['bench', '--scenario', 'dns-churn', '--provider', 'kind', '--dry-run']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /workloads\.dnsChurn: runs on the local provider only/);
});
