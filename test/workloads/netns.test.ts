import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run, spawnProcess } from '../../src/core/exec.js';
import { parseAgentOutput } from '../../src/metrics/agent-output.js';
import { epochNow } from '../../src/load/connect/probe.js';
import { decode, distributionOf } from '../../src/metrics/histogram.js';
import { MetricSink } from '../../src/metrics/sink.js';
import { generateServices } from '../../src/model/generate.js';
import { ScenarioSpec } from '../../src/scenario/schema.js';
import { churnWorkload } from '../../src/workloads/churn.js';
import { connectWorkload } from '../../src/workloads/connect.js';
import type { WorkloadContext } from '../../src/workloads/workload.js';
import { NetnsProvider } from './netns-provider.js';

/**
 * The connect agent as a process in a client namespace, probing a "ClusterIP" that a DNAT rule
 * in a node namespace turns into a real server: the path the local provider measures.
 * client 192.168.250.1 --veth-- node 192.168.250.2 (server :8080, nat rules)
 */
const C = 'disco-tprobes-c';
const N = 'disco-tprobes-n';
const cli = fileURLToPath(new URL('../../src/cli/commands/agent-connect.js', import.meta.url));
const script = `const { connectAgentCommand } = await import(${JSON.stringify(cli)}); await connectAgentCommand().parseAsync(process.argv.slice(1), { from: 'user' });`;
const serverScript = `require('net').createServer((s) => { s.on('error', () => {}); s.destroy(); }).listen({ port: 8080, host: '192.168.250.2', backlog: 4096 }, () => console.log('up'));`;

const ipn = (ns: string, args: string[]) => run('ip', ['-n', ns, ...args]);
const dnat = (ip: string) => ['-t', 'nat', '-A', 'PREROUTING', '-d', `${ip}/32`, '-p', 'tcp', '--dport', '80', '-j', 'DNAT', '--to-destination', '192.168.250.2:8080'];

async function agent(args: string[]): Promise<string> {
  const res = await run('node', ['--input-type=module', '-e', script, '--', ...args, '--json'], { netns: C, timeoutMs: 30_000 });
  return res.stdout;
}

describe('connect agent in a namespace through DNAT', () => {
  let dir: string;
  let server: ReturnType<typeof spawnProcess> | undefined;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'disco-tprobes-'));
    for (const ns of [C, N]) await run('ip', ['netns', 'del', ns], { reject: false });
    await run('ip', ['netns', 'add', C]);
    await run('ip', ['netns', 'add', N]);
    await ipn(C, ['link', 'add', 'dtp-c', 'type', 'veth', 'peer', 'name', 'dtp-n', 'netns', N]);
    await ipn(C, ['addr', 'add', '192.168.250.1/30', 'dev', 'dtp-c']);
    await ipn(N, ['addr', 'add', '192.168.250.2/30', 'dev', 'dtp-n']);
    for (const [ns, dev] of [[C, 'dtp-c'], [N, 'dtp-n']] as const) {
      await ipn(ns, ['link', 'set', 'lo', 'up']);
      await ipn(ns, ['link', 'set', dev, 'up']);
    }
    await ipn(C, ['route', 'add', '10.96.0.0/12', 'via', '192.168.250.2']);
    server = spawnProcess('node', ['-e', serverScript], { netns: N });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.once('data', () => resolve());
      void server!.then(() => reject(new Error('server exited')));
    });
    // a nat table from the start, so conntrack tracks the SYNs sent before the rule exists
    await run('iptables', ['-t', 'nat', '-N', 'KUBE-SERVICES'], { netns: N });
    await run('iptables', dnat('10.100.0.0'), { netns: N });
  });
  after(async () => {
    server?.kill('SIGKILL');
    await server?.catch(() => undefined);
    for (const ns of [C, N]) await run('ip', ['netns', 'del', ns], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('probe mode: every connect through the ClusterIP is timed', async (t) => {
    const file = join(dir, 'probe');
    writeFileSync(file, '10.100.0.0:80\n');
    const out = parseAgentOutput(await agent(['--targets', file, '--probes', '300', '--concurrency', '4']));
    assert.equal(decode(out.metrics['tcp.connect.latency']!.hdr!).totalCount, 300);
    assert.deepEqual(out.metrics['tcp.connect.failed'], { value: 0, count: 300 });
    const d = distributionOf(decode(out.metrics['tcp.connect.latency']!.hdr!));
    t.diagnostic(`connect through DNAT: p50 ${d.p50} ms, p99 ${d.p99} ms`);
  });

  it('await mode: first success follows the moment the DNAT rule is added', async (t) => {
    const file = join(dir, 'await');
    writeFileSync(file, '10.100.0.1:80\n10.100.0.2:80\n');
    // count SYNs to the not-yet-programmed ClusterIP; add its rule once the agent is seen probing
    await run('iptables', ['-t', 'raw', '-A', 'PREROUTING', '-d', '10.100.0.1/32', '-p', 'tcp', '--syn'], { netns: N });
    const pending = agent(['--targets', file, '--await', '--timeout', '3s']);
    const synsSeen = async () => Number(/^\s*(\d+)/m.exec((await run('iptables', ['-t', 'raw', '-L', 'PREROUTING', '-v', '-x', '-n'], { netns: N })).stdout.split('\n')[2] ?? '')?.[1] ?? 0);
    for (let i = 0; i < 100 && (await synsSeen()) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const before = await synsSeen();
    assert.ok(before > 0, 'agent never probed');
    await new Promise((r) => setTimeout(r, 200));
    const ruleAt = epochNow();
    await run('iptables', dnat('10.100.0.1'), { netns: N });
    const ruleDone = epochNow();
    const out = parseAgentOutput(await pending);
    const startedAt = out.info!.startedAt as number;
    const first = (out.info!.firstSuccess as Record<string, number>)['10.100.0.1:80'];
    assert.ok(startedAt < ruleAt, 'the agent was probing before the rule existed');
    assert.ok(first !== undefined && first >= ruleAt, 'not reachable before the rule');
    assert.ok(first - ruleDone < (out.info!.maxAttemptGapMs as number) + 50, `reached ${(first - ruleDone).toFixed(1)} ms after iptables returned (rule added in ${(ruleDone - ruleAt).toFixed(1)} ms)`);
    assert.deepEqual(out.info!.unreached, ['10.100.0.2:80']);
    t.diagnostic(`rule added in ${(ruleDone - ruleAt).toFixed(1)} ms; first connect ${(first - ruleAt).toFixed(1)} ms after the iptables call began; ${before}+ SYNs dropped before it; errors: ${JSON.stringify(out.info!.errors)}`);
  });
  it('churn and connect workloads measure through real rules and a real agent process', async (t) => {
    const scenario = ScenarioSpec.parse({ name: 't', services: { count: 30 }, workloads: { connect: { probes: 300, concurrency: 4, targets: 10 }, churn: { create: 5, interval: 100, timeout: '5s' } } });
    const provider = new NetnsProvider(C, N, '192.168.250.2:8080', dir);
    const state = generateServices(scenario.services, ['10.244.0.10']);
    await provider.applyServices(state, { full: true });
    const sink = new MetricSink();
    const ctx: WorkloadContext = { runId: 'r', scenario, provider, cluster: await provider.up(), state, sink, signal: new AbortController().signal, log: (m) => t.diagnostic(m) };
    await connectWorkload().run(ctx);
    await churnWorkload().run(ctx);
    const r = sink.results();
    assert.equal(r['tcp.connect.latency']!.count, 300);
    assert.equal(r['proxy.programming.latency']!.count, 5);
    // one rule appended per Service: reachable about when iptables-restore returns
    assert.ok(r['proxy.programming.latency']!.max < r['proxy.sync.partial.duration']!.max + 1000);
    assert.equal(r['proxy.rules']!.value, 30, 'created Services removed');
    const nat = (await run('iptables-save', ['-t', 'nat'], { netns: N })).stdout;
    assert.equal((nat.match(/-j DNAT/g) ?? []).length, 30 + 2);
    t.diagnostic(`connect p50 ${r['tcp.connect.latency']!.p50} ms; programming latency ${r['proxy.programming.latency']!.min}..${r['proxy.programming.latency']!.max} ms; partial sync p50 ${r['proxy.sync.partial.duration']!.p50} ms`);
  });
});
