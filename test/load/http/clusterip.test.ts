import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnProcess } from '../../../src/core/exec.js';
import { fetchInNetns, parseBackendStatus, prepareBackend, STATUS_PATH } from '../../../src/load/http/backend.js';
import { addClusterIP, createLab, deleteLab, labEndpoint, waitListening, type Lab } from '../../../src/load/http/lab.js';
import { runAgentInNetns } from '../../../src/perf/http.js';
import { decode } from '../../../src/metrics/histogram.js';

/**
 * Load through a real ClusterIP (iptables DNAT with kube-proxy's statistic split) to two backend
 * namespaces, each a real nginx: every endpoint serves, and a backend stopped mid-run shows up as
 * counted errors while the run still completes.
 */
const PREFIX = `disco-thttpc${process.pid}`;
const CLUSTER_IP = '10.96.0.50';
let dir = '';
let lab: Lab;
const servers: Array<ReturnType<typeof spawnProcess>> = [];

function stop(p: ReturnType<typeof spawnProcess>): void {
  if (p.pid) {
    try { process.kill(-p.pid, 'SIGTERM'); } catch { /* gone */ }
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disco-thttpc-'));
  lab = await createLab(PREFIX, 2);
  await addClusterIP(lab, CLUSTER_IP, 80, [0, 1].map((b) => ({ ip: labEndpoint(b), port: 8080 })));
  for (let b = 0; b < 2; b++) {
    const cmd = await prepareBackend(join(dir, `b${b}`), { port: 8080, workers: 1 });
    servers.push(spawnProcess(cmd.file, cmd.args, { netns: lab.backends[b] }));
    await waitListening(lab.backends[b], 8080);
  }
});

after(async () => {
  servers.forEach(stop);
  await Promise.all(servers.map((p) => p.catch(() => undefined)));
  await deleteLab(PREFIX, 2);
  await rm(dir, { recursive: true, force: true });
});

const agentOpts = (durationMs: number) => ({
  targets: [{ host: CLUSTER_IP, port: 80 }], durationMs, connections: 8, keepAlive: false,
  pipelining: 1, rate: 0, workers: 1, timeoutMs: 2000,
});

test('no-keep-alive load through the ClusterIP reaches both endpoints', async () => {
  // the client reaches each backend's status page directly by its endpoint IP (routed by the node)
  const statusUrls = [0, 1].map((b) => `http://${labEndpoint(b)}:8080${STATUS_PATH}`);
  const before = (await fetchInNetns(lab.client, statusUrls)).map(parseBackendStatus);
  const out = await runAgentInNetns(lab.client, dir, agentOpts(1500));
  const now = (await fetchInNetns(lab.client, statusUrls)).map(parseBackendStatus);
  // each status read counts itself once
  const served = now.map((s, b) => s.requests - before[b].requests - 1);
  const responses = out.info?.responses as number;
  assert.ok(responses > 10, `only ${responses} responses`);
  assert.ok(served[0] > responses / 5 && served[1] > responses / 5, `uneven split ${served.join(' / ')} of ${responses}`);
  assert.ok(served[0] + served[1] >= responses && served[0] + served[1] <= responses + 8, `served ${served.join('+')} vs ${responses}`);
  assert.equal(out.metrics['http.errors'].value, 0);
  assert.equal(decode(out.metrics['http.latency'].hdr!).totalCount, responses);
});

test('a backend stopped mid-run: its share turns into counted errors, the run completes', async () => {
  const running = runAgentInNetns(lab.client, dir, agentOpts(2000));
  await new Promise((r) => setTimeout(r, 1200));
  stop(servers[1]);
  const out = await running;
  const responses = out.info?.responses as number;
  const connErrors = out.info?.connErrors as number;
  assert.ok(responses > 10, `only ${responses} responses`);
  assert.ok(connErrors > 0, 'no connection errors after a backend stopped');
  assert.equal(out.metrics['http.errors'].value, connErrors + (out.info?.non2xx as number) + (out.info?.timeouts as number));
  assert.match((out.info?.errorSamples as string[]).join(' '), /ECONNREFUSED|ECONNRESET|closed/);
});
