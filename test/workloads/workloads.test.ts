import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { MeasurementError } from '../../src/core/errors.js';
import { parseTargets } from '../../src/load/targets.js';
import { MetricSink } from '../../src/metrics/sink.js';
import { serviceIP } from '../../src/model/addressing.js';
import { generateServices } from '../../src/model/generate.js';
import { ScenarioSpec } from '../../src/scenario/schema.js';
import { churnWorkload } from '../../src/workloads/churn.js';
import { connectWorkload } from '../../src/workloads/connect.js';
import { syncWorkload } from '../../src/workloads/sync.js';
import type { WorkloadContext } from '../../src/workloads/workload.js';
import { FakeProvider } from './fake-provider.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return p;
}

async function setup(raw: Record<string, unknown>, opts: ConstructorParameters<typeof FakeProvider>[1] = {}) {
  const scenario = ScenarioSpec.parse({ name: 't', ...raw });
  const provider = new FakeProvider(await freePort(), opts);
  const cluster = await provider.up();
  const state = generateServices(scenario.services, ['10.244.0.10']);
  await provider.applyServices(state, { full: true });
  provider.calls.length = 0;
  const sink = new MetricSink();
  const logs: string[] = [];
  const ctx: WorkloadContext = { runId: 'r', scenario, provider, cluster, state, sink, signal: new AbortController().signal, log: (m) => logs.push(m) };
  return { ctx, provider, sink, state };
}

describe('workloads', () => {
  const providers: FakeProvider[] = [];
  after(async () => {
    for (const p of providers) await p.down();
  });

  it('sync: times full and single-Service partial syncs and restores the base state', async () => {
    const { ctx, provider, sink, state } = await setup({ services: { count: 40 }, workloads: { sync: { full: 3, partial: 5 } } });
    providers.push(provider);
    await syncWorkload().run(ctx);
    assert.equal(sink.histogramCount('proxy.sync.duration'), 3);
    assert.equal(sink.histogramCount('proxy.sync.partial.duration'), 5);
    assert.deepEqual(provider.calls.map((c) => c.full), [true, true, true, false, false, false, false, false, false]);
    // each partial state differs from the base in exactly one Service, by one endpoint
    for (const { state: s } of provider.calls.slice(3, 8)) {
      const diff = s.services.filter((svc, i) => svc !== state.services[i]);
      assert.ok(diff.length <= 1);
      if (diff.length === 1) assert.equal(diff[0]!.endpoints.length, 3);
    }
    assert.equal(provider.calls.at(-1)!.state, state, 'base state applied last');
    assert.equal(state.services.every((s) => s.endpoints.length <= 2), true, 'ctx.state not mutated');
    assert.equal(sink.get('proxy.rules'), 40);
    assert.equal(sink.series()['proxy.sync.duration']!.length, 3);
  });

  it('connect: splits probes over clients, targets include the last Service, histograms merge', async () => {
    const { ctx, provider, sink } = await setup({ services: { count: 30 }, workloads: { connect: { probes: 301, concurrency: 4, targets: 7 } } }, { clients: 2 });
    providers.push(provider);
    await connectWorkload().run(ctx);
    assert.deepEqual(provider.agentRequests.map((r) => r.client), [0, 1]);
    const targets = parseTargets(provider.agentRequests[0]!.files!.targets!).map((t) => t.host);
    assert.equal(targets.length, 7);
    assert.ok(targets.includes(serviceIP(29)) && targets.includes(serviceIP(0)));
    assert.equal(sink.histogramCount('tcp.connect.latency'), 301);
    assert.equal(sink.results()['tcp.connect.failed']!.value, 0);
  });

  it('churn: programming latency from the await agent, created Services removed again', async () => {
    const delay = 80;
    const { ctx, provider, sink, state } = await setup({ services: { count: 10 }, workloads: { churn: { create: 4, interval: 50, timeout: '2s' } } }, { programDelayMs: delay });
    providers.push(provider);
    await churnWorkload().run(ctx);
    const r = sink.results()['proxy.programming.latency']!;
    assert.equal(r.count, 4);
    // never before the listener can exist (less 1 ms: libuv starts a timer from its loop time,
    // truncated to the ms, so an 80 ms timer can fire 79.9 ms after a finer clock's start; CI saw
    // 79.872); late only by attempt gaps and timer lag
    assert.ok(r.min >= delay - 1 && r.max < delay + 400, `programming latency ${r.min}..${r.max} ms with ${delay} ms programming delay`);
    assert.equal(sink.series()['proxy.programming.latency']!.length, 4);
    assert.equal(sink.histogramCount('proxy.sync.partial.duration'), 4);
    // a no-op apply to time the provider, one Service added per call, the base state again
    assert.deepEqual(provider.calls.map((c) => c.state.services.length), [11, 12, 13, 14, 15, 11]);
    assert.equal(provider.calls[0]!.state, state);
    assert.equal(provider.calls.at(-1)!.state, state);
    assert.deepEqual(provider.agentRequests.map((r) => r.args.includes('--await')), [false, true], 'calibration probe, then the await agent');
  });

  it('churn: an agent that starts probing too late invalidates the measurement', async () => {
    const { ctx, provider, sink } = await setup({ services: { count: 5 }, workloads: { churn: { create: 2, interval: 20, timeout: '1s' } } }, { awaitStartDelayMs: 1800 });
    providers.push(provider);
    await assert.rejects(churnWorkload().run(ctx), (e: unknown) => e instanceof MeasurementError && /began probing \d+ ms after/.test(e.message));
    assert.equal(sink.histogramCount('proxy.programming.latency'), 0);
  });
  it('sync: an abort stops it early, keeps what was measured and still restores the base state', async () => {
    const { ctx, provider, sink, state } = await setup({ services: { count: 5 }, workloads: { sync: { full: 2, partial: 6 } } });
    providers.push(provider);
    const ac = new AbortController();
    const apply = provider.applyServices.bind(provider);
    provider.applyServices = async (st, opts) => {
      const r = await apply(st, opts);
      if (provider.calls.length === 3) ac.abort();
      return r;
    };
    await syncWorkload().run({ ...ctx, signal: ac.signal });
    assert.equal(sink.histogramCount('proxy.sync.duration'), 2);
    assert.equal(sink.histogramCount('proxy.sync.partial.duration'), 1);
    assert.equal(provider.calls.length, 4);
    assert.equal(provider.calls.at(-1)!.state, state);
  });

  it('connect: no Service to probe is a measurement error, not an empty result', async () => {
    const { ctx, provider } = await setup({ services: { count: 0 }, workloads: { connect: {} } });
    providers.push(provider);
    await assert.rejects(connectWorkload().run(ctx), MeasurementError);
    assert.equal(provider.agentRequests.length, 0);
  });
});
