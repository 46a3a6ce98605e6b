import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { newRunId } from '../../../src/core/ids.js';
import { Proxier, type ProxyMode } from '../../../src/dataplane/proxier.js';
import { prepareBackend } from '../../../src/load/http/backend.js';
import { generatedService } from '../../../src/model/generate.js';
import { BACKEND_PORT } from '../../../src/providers/local/addresses.js';
import { ProcessSet } from '../../../src/providers/local/processes.js';
import { buildTopology, destroyTopology, planTopology } from '../../../src/providers/local/topology.js';
import { hostSnapshot, ourNetns } from '../../e2e/host-state.js';

const runId = newRunId();
const topo = planTopology(runId, { clients: 1, dnsReplicas: 1, backends: 2, nodeLocalDNS: false });
const procs = new ProcessSet();
const before = hostSnapshot();

after(async () => {
  await procs.stopAll();
  await destroyTopology(topo);
});

/** One HTTP GET from the client namespace; nginx answers with the endpoint address it was reached on. */
function getFromClient(url: string): string {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(3000) }).then(r => r.text()).then(t => process.stdout.write(t), e => { console.error(String(e)); process.exit(1); })`;
  return execFileSync('ip', ['netns', 'exec', topo.clients[0]!.netns, process.execPath, '-e', script], { encoding: 'utf8' });
}

test('a packet sent to a ClusterIP from a client namespace reaches a backend endpoint, for each proxy mode', async () => {
  await buildTopology(topo);
  for (const b of topo.backends) {
    const dir = mkdtempSync(join(tmpdir(), 'disco-nginx-'));
    const cmd = await prepareBackend(dir, { port: BACKEND_PORT, workers: 1 });
    await procs.start({ name: `nginx ${b.index}`, netns: b.netns, file: cmd.file, args: cmd.args, port: { proto: 'tcp', port: BACKEND_PORT } });
  }
  // Service 0 has endpoints 10.244.64.0/.1 (backend 0's block), Service 300 endpoints in backend 1's block
  const services = [generatedService(0, { endpointsPerService: 2, namespaces: 1 }), generatedService(300, { endpointsPerService: 2, namespaces: 1 })];
  for (const mode of ['iptables', 'nftables'] as ProxyMode[]) {
    const proxier = new Proxier({ mode, iptablesBackend: 'nft', netns: topo.node });
    const report = await proxier.sync({ clusterDomain: 'cluster.local', services }, { full: true });
    assert.ok(report.rules > 0);
    for (const svc of services) {
      const seen = new Set<string>();
      for (let i = 0; i < 12; i++) seen.add(getFromClient(`http://${svc.clusterIP}/`).trim());
      const endpoints = svc.endpoints.map((e) => e.ip);
      for (const s of seen) assert.ok(endpoints.some((ip) => s.includes(ip)), `${mode}: ${svc.clusterIP} answered by ${s}, not one of ${endpoints.join(', ')}`);
    }
    await proxier.cleanup();
    assert.throws(() => getFromClient(`http://${services[0]!.clusterIP}/`), `${mode}: after cleanup the ClusterIP no longer answers`);
  }
});

test('teardown leaves no namespace and the host untouched', async () => {
  await procs.stopAll();
  await destroyTopology(topo);
  assert.deepEqual(ourNetns().filter((n) => n.includes(runId)), []);
  const now = hostSnapshot();
  assert.deepEqual(now, before);
  assert.equal(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).includes(runId.slice(0, 6)), false);
});
