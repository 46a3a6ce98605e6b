import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/results/model.js';
import { runCli } from '../cli/run-cli.js';
import { ourNetns } from '../e2e/host-state.js';

const SCENARIO = `name: dns-churn-test
description: the only CoreDNS instance replaced during a DNS flood
provider: local
cluster: { proxy: iptables, dnsReplicas: 1, components: real, dnsServer: coredns }
services: { count: 20, endpointsPerService: 1, namespaces: 2 }
workloads:
  dnsChurn: { replacements: 1, interval: 4s, warmup: 2s, settle: 7s, qps: 100, sockets: 4, control: false, distinctNames: 200, names: { short: 0.6, namespaced: 0.2, fqdn: 0.2, external: 0, headless: 0 } }
`;

test('a CoreDNS instance replaced under a DNS flood: the new one answers (its own counter), the change is on the time line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'disco-dc-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, SCENARIO);
  const before = ourNetns();
  const r = await runCli(['bench', '--scenario', file, '--out', dir], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const [run] = readdirSync(dir).filter((d) => d !== 'scenario.yaml');
  const v = (JSON.parse(readFileSync(join(dir, run!, 'run.json'), 'utf8')) as RunResult).variants[0]!;
  assert.equal(v.status, 'completed', v.errors.join('; '));
  assert.ok(v.metrics['dns.churn.new_instance_queries']!.value > 0, 'the new CoreDNS counted queries it answered');
  assert.ok(v.metrics['dns.churn.lookup.latency']!.count > 500, `lookups ${v.metrics['dns.churn.lookup.latency']!.count}`);
  assert.ok((v.events ?? []).length >= 3, JSON.stringify(v.events));
  assert.ok((v.series['timeline.dns.churn.failures'] ?? []).length > 50);
  assert.deepEqual(ourNetns().filter((n) => !before.includes(n)), []);
});

test('dnsChurn off the local provider is refused before anything runs (exit 2)', async () => {
  const r = await runCli(['bench', '--scenario', 'dns-churn', '--provider', 'kind', '--dry-run']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /workloads\.dnsChurn: runs on the local provider only/);
});
