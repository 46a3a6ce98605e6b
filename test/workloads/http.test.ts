import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricSink } from '../../src/metrics/sink.js';
import { encode, newHistogram, record } from '../../src/metrics/histogram.js';
import { generateServices } from '../../src/model/generate.js';
import { ScenarioSpec } from '../../src/scenario/schema.js';
import type { AgentRequest, ClusterInfo, Provider } from '../../src/providers/provider.js';
import type { AgentOutput } from '../../src/metrics/agent-output.js';
import { parseTargets } from '../../src/load/targets.js';
import { httpWorkload, pickHttpTargets } from '../../src/workloads/http.js';
import { spreadIndexes } from '../../src/workloads/targets.js';
import type { WorkloadContext } from '../../src/workloads/workload.js';

/** What a real agent's info carries (the workload checks it against the contract). */
const HTTP_INFO = { targets: 6, connections: 4, workers: 1, keepAlive: false, pipelining: 1, rate: 120, elapsedMs: 2000, responses: 200, ok: 199, non2xx: 1, connErrors: 0, timeouts: 0, connects: 200, cpuMs: 10, errorSamples: [] };

const state = generateServices({ count: 50, endpointsPerService: 2, headless: 3, externalName: 2, namespaces: 5 }, ['10.244.0.10']);

test('targets: spread over the generated Services, the last one included, no kube-dns/headless/ExternalName', () => {
  const t = pickHttpTargets(state, 5);
  assert.deepEqual(t.map((x) => x.host), ['10.96.1.0', '10.96.1.12', '10.96.1.25', '10.96.1.37', '10.96.1.49']);
  assert.ok(t.every((x) => x.port === 80));
  assert.equal(pickHttpTargets(state, 1000).length, 50);
  assert.deepEqual(spreadIndexes(10, 1), [9]);
});

test('targets file round trip and bad lines', () => {
  assert.deepEqual(parseTargets('10.96.1.1:80\n# c\n\n[fd00::1]:8080\n'), [{ host: '10.96.1.1', port: 80 }, { host: 'fd00::1', port: 8080 }]);
  assert.throws(() => parseTargets('10.96.1.1\nfoo:80\n'), (e: Error & { problems: string[] }) => e.problems.length === 2);
});

test('the workload runs one agent per client in parallel, splitting connections and rate, and merges', async () => {
  const scenario = ScenarioSpec.parse({ name: 't', workloads: { http: { duration: '2s', connections: 10, clients: 3, targets: 6, keepAlive: false, rate: 300 } } });
  const requests: AgentRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider = {
    async runAgent(req: AgentRequest): Promise<AgentOutput> {
      requests.push(req);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      const h = newHistogram();
      record(h, 1.5);
      return { agent: 'http', metrics: { 'http.latency': { hdr: encode(h) }, 'http.rps': { value: 100, count: 200 }, 'http.errors': { value: 1, count: 201 } }, info: HTTP_INFO };
    },
  } as unknown as Provider;
  const sink = new MetricSink();
  const ctx = {
    runId: 'r', scenario, provider, state, sink,
    cluster: { clients: 2 } as ClusterInfo, signal: new AbortController().signal, log: () => undefined,
  } as WorkloadContext;
  await httpWorkload().run(ctx);
  assert.equal(requests.length, 3);
  assert.equal(maxInFlight, 3);
  assert.deepEqual(requests.map((r) => r.client), [0, 1, 0]);
  const flag = (r: AgentRequest, name: string) => r.args[r.args.indexOf(name) + 1];
  assert.deepEqual(requests.map((r) => flag(r, '--connections')), ['4', '3', '3']);
  assert.deepEqual(requests.map((r) => flag(r, '--rate')), ['120', '90', '90']);
  assert.ok(requests.every((r) => r.args.includes('--no-keep-alive') && flag(r, '--duration') === '2000ms' && r.timeoutMs > 2000));
  assert.deepEqual(flag(requests[0], '--targets'), { file: 'targets' });
  // every agent gets all targets, rotated to start on a different Service
  const files = requests.map((r) => parseTargets(r.files!.targets).map((t) => t.host));
  assert.ok(files.every((f) => f.length === 6 && new Set(f).size === 6));
  assert.notEqual(files[0][0], files[1][0]);
  const m = sink.results();
  assert.equal(m['http.rps'].value, 300);
  assert.equal(m['http.errors'].value, 3);
  assert.equal(m['http.latency'].count, 3);
});
