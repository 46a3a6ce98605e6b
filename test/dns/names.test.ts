import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apportion, buildNames } from '../../src/dns/names.js';
import { generateServices } from '../../src/model/generate.js';
import { podDnsConfig, dnsAgentRequest } from '../../src/workloads/dns.js';
import { renderPodResolvConf } from '../../src/dns/pod-dns.js';
import { parseResolvConf } from '../../src/dns/resolver/conf.js';
import { dnsAgentArgs } from '../../src/load/dns/contract.js';
import { DnsSpec, ServicesSpec } from '../../src/scenario/schema.js';

const state = generateServices(ServicesSpec.parse({ count: 100, endpointsPerService: 2, headless: 4, namespaces: 5 }), ['10.244.0.2']);
const mix = { short: 0.5, namespaced: 0.1, fqdn: 0.1, external: 0.3, headless: 0 };

test('apportion splits exactly', () => {
  assert.deepEqual(apportion(10, [0.5, 0.1, 0.1, 0.3, 0]), [5, 1, 1, 3, 0]);
  assert.equal(apportion(7, [1, 1, 1]).reduce((a, b) => a + b), 7);
});

test('buildNames: the mix in proportions, each kind in its form, deterministic for a seed', () => {
  const lines = buildNames(state, mix, 100, 7, 'bench-1');
  assert.equal(lines.length, 100);
  assert.deepEqual(buildNames(state, mix, 100, 7, 'bench-1'), lines);
  assert.notDeepEqual(buildNames(state, mix, 100, 8, 'bench-1'), lines);
  const names = lines.map((l) => { assert.match(l, / A$/); return l.slice(0, -2); });
  const short = names.filter((n) => !n.includes('.'));
  const fqdn = names.filter((n) => n.endsWith('.svc.cluster.local.'));
  const external = names.filter((n) => /^api-\d+\.example\.com$/.test(n));
  const namespaced = names.filter((n) => /^svc-\d+\.bench-\d+$/.test(n));
  assert.deepEqual([short.length, namespaced.length, fqdn.length, external.length], [50, 10, 10, 30]);
  // short names only for Services of the client's namespace (svc-i lives in bench-(i % 5))
  for (const n of short) assert.equal(Number(n.slice(4)) % 5, 1);
});

test('buildNames: short names fall back to namespaced when the client namespace has no Services; headless by namespace', () => {
  const names = buildNames(state, { short: 1, namespaced: 0, fqdn: 0, external: 0, headless: 0 }, 5, 1, 'default');
  for (const l of names) assert.match(l, /^svc-\d+\.bench-\d+ A$/);
  const h = buildNames(state, { short: 0, namespaced: 0, fqdn: 0, external: 0, headless: 1 }, 4, 1, 'default');
  for (const l of h) assert.match(l, /^headless-\d\.bench-\d A$/);
});

test('dns workload: the pod DNS config, its resolv.conf, and agent arguments that read it', () => {
  const spec = DnsSpec.parse({ ndots: [2, 5], singleRequest: true, timeout: '2s', attempts: 3, qps: 500 });
  const dns = podDnsConfig('10.96.0.10', 'bench-0', 'cluster.local', spec);
  assert.deepEqual(dns, {
    nameserver: '10.96.0.10',
    search: ['bench-0.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    ndots: 2,
    options: [{ name: 'timeout', value: '2' }, { name: 'attempts', value: '3' }, { name: 'single-request' }],
  });
  const text = renderPodResolvConf(dns);
  assert.equal(text, 'nameserver 10.96.0.10\nsearch bench-0.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:2 timeout:2 attempts:3 single-request\n');
  const conf = parseResolvConf(text, { hostname: 'localhost' });
  assert.deepEqual([conf.ndots, conf.timeout, conf.attempts, conf.singleRequest], [2, 2, 3, true]);
  assert.equal(renderPodResolvConf(podDnsConfig('169.254.20.10', 'c', 'cluster.local', DnsSpec.parse({ ndots: 1 }))).split('\n')[2], 'options ndots:1');
  const args = dnsAgentArgs(dnsAgentRequest('10.96.0.10', spec));
  assert.deepEqual(args.slice(0, 6), ['--server', '10.96.0.10:53', '--names', { file: 'names' }, '--resolv-conf', '/etc/resolv.conf']);
  assert.ok(args.includes('--qps') && args.includes('--expect-found'));
  assert.equal(args[args.indexOf('--inflight') + 1], '10000', 'open loop: the cap, not the closed loop size');
});
