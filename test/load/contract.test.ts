import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Command } from 'commander';
import { connectAgentCommand } from '../../src/cli/commands/agent-connect.js';
import { dnsAgentCommand } from '../../src/cli/commands/agent-dns.js';
import { httpAgentCommand } from '../../src/cli/commands/agent-http.js';
import { MeasurementError, UsageError } from '../../src/core/errors.js';
import { parseResolvConf } from '../../src/dns/resolver/conf.js';
import type { AgentArg, ReadFlagFile } from '../../src/load/agent-contract.js';
import { CONNECT_AGENT_DEFAULTS, connectAgentArgs, connectAgentFromFlags, readConnectOutput, type ConnectAgentFlags } from '../../src/load/connect/contract.js';
import { DNS_AGENT_DEFAULTS, dnsAgentArgs, dnsAgentFromFlags, readDnsOutput, type DnsAgentFlags } from '../../src/load/dns/contract.js';
import { HTTP_AGENT_DEFAULTS, httpAgentArgs, httpAgentFromFlags, readHttpOutput, type HttpAgentFlags } from '../../src/load/http/contract.js';

/**
 * Each agent's contract against its real command: what toArgs writes, parsed by the agent's own
 * commander definition, gives back through fromFlags the options that were asked for, and an
 * agent run with only its required flags gets the contract's defaults. Files are served from a
 * map, so no agent runs.
 */
const FILES: Record<string, string> = {
  '/f/names': 'svc-1 A\n',
  '/f/targets': '10.96.1.1:80\n10.96.1.2:80\n',
  '/f/named': 'svc-0.bench-0:80\n',
  '/etc/resolv.conf': 'nameserver 10.96.0.10\nsearch bench-0.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:2 timeout:2\n',
};
const read: ReadFlagFile = (flag, path) => {
  const text = FILES[path];
  if (text === undefined) throw new UsageError(`${flag}: cannot read ${path}`);
  return text;
};
const place = (args: AgentArg[]): string[] => args.map((a) => (typeof a === 'string' ? a : `/f/${a.file}`));

/** The flags commander hands to the command's action for these arguments (the action itself is replaced). */
async function flagsOf<F>(cmd: Command, args: string[]): Promise<F> {
  let got: F | undefined;
  cmd.exitOverride().action((flags: F) => { got = flags; });
  await cmd.parseAsync(args, { from: 'user' });
  return got!;
}

test('dns contract: toArgs -> the agent command -> fromFlags gives back the request; the pod resolv.conf is read and parsed once', async () => {
  const args = dnsAgentArgs({ server: { host: '10.96.0.10', port: 53 }, names: { file: 'names' }, resolvConf: '/etc/resolv.conf', resolver: 'musl', durationMs: 1500, qps: 200, workers: 2, expectFound: true });
  const o = dnsAgentFromFlags(await flagsOf<DnsAgentFlags>(dnsAgentCommand(), place(args)), read);
  assert.deepEqual(o, {
    server: { host: '10.96.0.10', port: 53 }, namesText: 'svc-1 A\n', raw: false,
    conf: parseResolvConf(FILES['/etc/resolv.conf']!, { hostname: 'localhost' }),
    resolver: 'musl', family: 'unspec', durationMs: 1500, qps: 200, inflight: DNS_AGENT_DEFAULTS.openInflight,
    workers: 2, sockets: 1, expectFound: true, noBatch: false,
  });
  const raw = dnsAgentFromFlags(await flagsOf<DnsAgentFlags>(dnsAgentCommand(), place(dnsAgentArgs({ server: { host: 'fd00::10', port: 5353 }, names: '/f/names', raw: true, inflight: 16, noBatch: true }))), read);
  assert.deepEqual([raw.server, raw.raw, raw.inflight, raw.timeoutMs, raw.noBatch, raw.conf], [{ host: 'fd00::10', port: 5353 }, true, 16, DNS_AGENT_DEFAULTS.rawTimeoutMs, true, undefined]);
});

test('dns contract: the defaults live in the contract; bad flags are UsageErrors naming the flag', async () => {
  const o = dnsAgentFromFlags(await flagsOf<DnsAgentFlags>(dnsAgentCommand(), ['--server', '10.96.0.10', '--names', '/f/names']), read);
  const d = DNS_AGENT_DEFAULTS;
  assert.deepEqual([o.resolver, o.family, o.durationMs, o.qps, o.inflight, o.workers, o.sockets, o.timeoutMs, o.expectFound], [d.resolver, d.family, d.durationMs, d.qps, d.closedInflight, d.workers, d.sockets, undefined, false]);
  for (const [flag, value] of [['--resolver', 'bionic'], ['--family', 'ipx'], ['--workers', '0'], ['--qps', '-1'], ['--duration', 'soon']] as const) {
    const flags = await flagsOf<DnsAgentFlags>(dnsAgentCommand(), ['--server', '10.96.0.10', '--names', '/f/names', flag, value]);
    assert.throws(() => dnsAgentFromFlags(flags, read), (e: unknown) => e instanceof UsageError && e.message.includes(flag), flag);
  }
});

test('http contract: toArgs -> the agent command -> fromFlags gives back the request; defaults from the contract', async () => {
  const args = httpAgentArgs({ targets: { file: 'targets' }, durationMs: 2000, connections: 4, keepAlive: false, rate: 120, workers: 2 });
  const o = httpAgentFromFlags(await flagsOf<HttpAgentFlags>(httpAgentCommand(), place(args)), read);
  assert.deepEqual(o, {
    targets: [{ host: '10.96.1.1', port: 80 }, { host: '10.96.1.2', port: 80 }],
    durationMs: 2000, connections: 4, keepAlive: false, pipelining: 1, rate: 120, workers: 2, timeoutMs: HTTP_AGENT_DEFAULTS.timeoutMs, path: '/',
  });
  const d = httpAgentFromFlags(await flagsOf<HttpAgentFlags>(httpAgentCommand(), ['--targets', '/f/targets']), read);
  const { targets: _t, ...rest } = d;
  const { intervalMs, ...loadDefaults } = HTTP_AGENT_DEFAULTS;
  assert.deepEqual(rest, loadDefaults, 'no trace unless asked');
  const traced = httpAgentFromFlags(await flagsOf<HttpAgentFlags>(httpAgentCommand(), place(httpAgentArgs({ targets: { file: 'targets' }, trace: {} }))), read);
  assert.deepEqual(traced.trace, { intervalMs });
  const paced = httpAgentFromFlags(await flagsOf<HttpAgentFlags>(httpAgentCommand(), place(httpAgentArgs({ targets: { file: 'targets' }, trace: { intervalMs: 50 } }))), read);
  assert.deepEqual(paced.trace, { intervalMs: 50 });
  const loose = await flagsOf<HttpAgentFlags>(httpAgentCommand(), ['--targets', '/f/targets', '--interval', '10ms']);
  assert.throws(() => httpAgentFromFlags(loose, read), (e: unknown) => e instanceof UsageError && e.message.startsWith('--interval'));
});

test('connect contract: the three modes round-trip through the agent command; defaults from the contract', async () => {
  const probe = connectAgentFromFlags(await flagsOf<ConnectAgentFlags>(connectAgentCommand(), place(connectAgentArgs({ targets: { file: 'targets' }, probes: 10, concurrency: 2, timeoutMs: 250 }))), read);
  assert.deepEqual([probe.await, probe.probes, probe.concurrency, probe.timeoutMs], [false, 10, 2, 250]);
  const wait = connectAgentFromFlags(await flagsOf<ConnectAgentFlags>(connectAgentCommand(), place(connectAgentArgs({ await: true, targets: { file: 'targets' }, timeoutMs: 9000, maxRate: 500 }))), read);
  const d = CONNECT_AGENT_DEFAULTS;
  assert.deepEqual([wait.await, wait.timeoutMs, wait.intervalMs, wait.attemptTimeoutMs, wait.maxRate], [true, 9000, d.intervalMs, d.attemptTimeoutMs, 500]);
  const bare = connectAgentFromFlags(await flagsOf<ConnectAgentFlags>(connectAgentCommand(), ['--targets', '/f/targets']), read);
  assert.deepEqual([bare.probes, bare.concurrency, bare.timeoutMs, bare.await], [d.probes, d.concurrency, d.timeoutMs, false]);
  const resolve = connectAgentFromFlags(await flagsOf<ConnectAgentFlags>(connectAgentCommand(), place(connectAgentArgs({ resolve: true, targets: { file: 'named' }, durationMs: 7000 }))), read);
  assert.deepEqual([resolve.named, resolve.durationMs, resolve.intervalMs, resolve.attemptTimeoutMs, resolve.await], [[{ name: 'svc-0.bench-0', port: 80 }], 7000, d.resolveIntervalMs, d.resolveAttemptTimeoutMs, false]);
  await assert.rejects(async () => connectAgentFromFlags(await flagsOf<ConnectAgentFlags>(connectAgentCommand(), ['--targets', '/f/names', '--resolve']), read), /\/f\/names:1: expected name:port, got "svc-1 A"/);
});

test("outputs are checked against the contract where they come back: another agent's or another build's is a MeasurementError naming the field", () => {
  const metrics = {};
  assert.throws(() => readDnsOutput({ agent: 'http', metrics, info: {} }), (e: unknown) => e instanceof MeasurementError && /expected the dns agent's output/.test(e.message));
  assert.throws(() => readHttpOutput({ agent: 'http', metrics, info: { targets: 1 } }), (e: unknown) => e instanceof MeasurementError && /info\.responses/.test(e.message));
  const info = { mode: 'probe', probes: 1, targets: 1, concurrency: 1, timeoutMs: 50, durationMs: 1, connectsPerSecond: 1, errors: {}, interrupted: false };
  const out = readConnectOutput({ agent: 'connect', metrics, info: { ...info, extra: 1 } });
  assert.equal(out.info.mode, 'probe');
  assert.throws(() => readConnectOutput({ agent: 'connect', metrics, info: { ...info, mode: 'sweep' } }), MeasurementError);
});
