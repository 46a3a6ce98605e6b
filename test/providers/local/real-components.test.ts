import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { newRunId } from '../../../src/core/ids.js';
import { generateServices, generatedService } from '../../../src/model/generate.js';
import type { ClusterState } from '../../../src/model/cluster.js';
import { LocalProvider } from '../../../src/providers/local/local-provider.js';
import { haveBinaries } from '../../../src/providers/local/real/binaries.js';
import { REAL_BINARIES } from '../../../src/providers/local/real/components.js';
import { ClusterSpec, ServicesSpec } from '../../../src/scenario/schema.js';
import { hostSnapshot, ourNetns } from '../../e2e/host-state.js';

// The real components are part of `npm run setup`; a suite without them must say so, not skip.
assert.ok(haveBinaries(REAL_BINARIES), 'etcd, kube-apiserver, kube-proxy and coredns are missing: run npm run setup (discobench components install)');

function inNetns(netns: string, file: string, args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', netns, file, ...args], { encoding: 'utf8', timeout: 10_000 });
}

/** One HTTP GET from the client namespace; nginx answers with the endpoint address it was reached on. */
function get(netns: string, url: string): string {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(String(e)); process.exit(1); })`;
  return inNetns(netns, process.execPath, ['-e', script]).trim();
}

/** pids whose command line names the run (its work dir and namespaces carry the run id) */
function processesOf(runId: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', runId], { encoding: 'utf8' }).trim().split('\n');
  } catch {
    return [];
  }
}

const dig = (netns: string, name: string, type = 'A') => inNetns(netns, 'dig', ['+short', '+time=2', '+tries=1', '-t', type, name]).trim();

for (const proxy of ['iptables', 'nftables'] as const) {
  test(`real kube-proxy (${proxy}) and CoreDNS: Services written to the API server carry traffic and resolve; changes are synced; nothing is left behind`, async () => {
    const before = hostSnapshot();
    const runId = newRunId();
    const workDir = mkdtempSync(join(tmpdir(), `disco-real-${proxy}-`));
    const logs: string[] = [];
    const provider = new LocalProvider({ runId, workDir, log: (m) => logs.push(m), options: {} });
    const cluster = ClusterSpec.parse({ proxy, components: 'real', clients: 1, backends: 2 });
    try {
      await provider.check(cluster);
      const info = await provider.up(cluster);
      assert.equal(info.tools.implementation, 'real');
      assert.match(info.tools['kube-proxy'] ?? '', /^v1\.\d+\.\d+/);
      const client = `disco-${runId}-client-0`;
      const state: ClusterState = generateServices(ServicesSpec.parse({ count: 6, endpointsPerService: 2, headless: 1, externalName: 1, namespaces: 2 }), info.dnsPodIPs);

      const full = await provider.applyServices(state, { full: true });
      assert.equal(full.kind, 'full');
      assert.ok(Number.isFinite(full.durationMs) && full.durationMs > 0, `kube-proxy reported its full sync: ${full.durationMs}`);
      assert.ok(full.rules > 0, `rules counted: ${full.rules}`);

      // every endpoint of a Service answers through its ClusterIP, programmed by kube-proxy
      const svc = state.services.find((s) => s.name === 'svc-0')!;
      const seen = new Set<string>();
      for (let i = 0; i < 16; i++) seen.add(get(client, `http://${svc.clusterIP}/`));
      assert.deepEqual([...seen].map((s) => svc.endpoints.find((e) => s.includes(e.ip))?.ip).sort(), svc.endpoints.map((e) => e.ip).sort(), `answered by ${[...seen].join(', ')}`);

      // names resolve through the kube-dns ClusterIP to CoreDNS, which reads the API server
      const s0 = await provider.sample();
      assert.equal(dig(client, `svc-0.${svc.namespace}.svc.cluster.local`), svc.clusterIP);
      const headless = state.services.find((s) => s.clusterIP === 'None')!;
      assert.deepEqual(dig(client, `${headless.name}.${headless.namespace}.svc.cluster.local`).split('\n').sort(), headless.endpoints.map((e) => e.ip).sort());
      const ext = state.services.find((s) => s.type === 'ExternalName')!;
      assert.match(dig(client, `${ext.name}.${ext.namespace}.svc.cluster.local`, 'CNAME'), new RegExp(`^${ext.externalName}\\.?$`));
      assert.equal(dig(client, `svc-404.${svc.namespace}.svc.cluster.local`), '', 'an unknown Service is NXDOMAIN');
      const s1 = await provider.sample();
      assert.ok(s1.dnsServerQueries! - s0.dnsServerQueries! >= 4, `CoreDNS counted the 4 queries: ${s0.dnsServerQueries} -> ${s1.dnsServerQueries}`);
      assert.ok(s1.dnsServerCpuSeconds > 0, 'CoreDNS CPU sampled from its process');
      assert.ok((s1.proxyCpuSeconds ?? 0) > 0, 'kube-proxy CPU sampled from its process');

      // a partial sync: a new Service answers; then it is deleted and stops answering
      const added = generatedService(300, { endpointsPerService: 2, namespaces: 2 });
      const grown = { ...state, services: [...state.services, added] };
      const partial = await provider.applyServices(grown, { full: false });
      assert.equal(partial.kind, 'partial');
      assert.ok(Number.isFinite(partial.durationMs), `kube-proxy reported the partial sync: ${partial.durationMs}`);
      // the sync report says the rules are in place: the new Service answers at once (a few
      // tries allow for the endpoint the first connection happens to land on)
      const answers: string[] = [];
      for (let i = 0; i < 3 && !added.endpoints.some((e) => answers.some((a) => a.includes(e.ip))); i++) {
        try { answers.push(get(client, `http://${added.clusterIP}/`)); } catch (err) { answers.push(`error: ${(err as Error).message.split('\n')[0]}`); }
      }
      assert.ok(added.endpoints.some((e) => answers.some((a) => a.includes(e.ip))), `${added.clusterIP} answered: ${answers.join(' | ')}`);
      assert.equal(dig(client, `${added.name}.${added.namespace}.svc.cluster.local`), added.clusterIP);
      await provider.applyServices(state, { full: false });
      assert.throws(() => get(client, `http://${added.clusterIP}/`), 'the deleted Service no longer answers');

      const kpLog = readFileSync(join(workDir, 'real', 'kube-proxy', 'kube-proxy.log'), 'utf8');
      assert.doesNotMatch(kpLog, /Timed out waiting for node/, 'kube-proxy found its node address at once');
    } finally {
      await provider.down();
    }
    assert.deepEqual(ourNetns().filter((n) => n.includes(runId)), [], 'no namespace left');
    assert.deepEqual(processesOf(runId), [], 'no process of the run left');
    assert.deepEqual(hostSnapshot(), before, 'host routes, links, rules, resolver and conntrack settings unchanged');
  });
}
