import { Command } from 'commander';
import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { runConnectAgent } from '../../load/connect/agent.js';
import { CONNECT_AGENT_DEFAULTS as D, connectAgentFromFlags, type ConnectAgentFlags, type ConnectAgentOutput } from '../../load/connect/contract.js';

function summary({ info, metrics }: ConnectAgentOutput): string {
  const failed = metrics['tcp.connect.failed'];
  if (info.mode === 'resolve') {
    return `${failed?.count ?? 0} lookups + connects to ${info.targets.join(', ')}, ${failed?.value ?? 0} failed; addresses seen: ${info.addresses.join(', ') || 'none'}`;
  }
  if (info.mode === 'await') {
    return `reached ${Object.keys(info.firstSuccess).length} of ${failed?.count ?? 0} targets; unreached: ${info.unreached.join(', ') || 'none'}`;
  }
  return `${metrics['tcp.connect.latency']?.count ?? 0} connects ok, ${failed?.value ?? 0} failed of ${failed?.count ?? 0} in ${info.durationMs} ms`;
}

/** `discobench agent connect`: TCP connect probes through ClusterIPs (wired under `agent` by the CLI). Flags and defaults: load/connect/contract.ts. */
export function connectAgentCommand(): Command {
  return new Command('connect')
    .description('TCP connect probes: latency of new connections, or (--await) when targets first answer')
    .requiredOption('--targets <file>', 'one ip:port per line (with --resolve: name:port)')
    .option('--probes <n>', `new connections in total (probe mode; default ${D.probes})`)
    .option('--concurrency <c>', `connections in flight (probe mode; default ${D.concurrency})`)
    .option('--timeout <duration>', `one connect's limit; with --await the overall limit (default ${D.timeoutMs}ms)`)
    .option('--await', 'probe every target until it first answers; report epoch ms of the first success')
    .option('--interval <duration>', `with --await or --resolve: a new attempt per target this often (default ${D.intervalMs}ms; --resolve ${D.resolveIntervalMs}ms)`)
    .option('--attempt-timeout <duration>', `with --await or --resolve: one attempt's limit (default ${D.attemptTimeoutMs}ms; --resolve ${D.resolveAttemptTimeoutMs}ms)`)
    .option('--max-rate <n>', `with --await: attempts per second across all unreached targets (default ${D.maxRate})`)
    .option('--resolve', 'look each target up by name (getaddrinfo, the pod resolv.conf) before every new connection; report every attempt')
    .option('--duration <duration>', `with --resolve: how long to keep trying (default ${D.durationMs}ms)`)
    .option('--json', 'print one JSON line (the agent output contract)')
    .action(async (flags: ConnectAgentFlags) => {
      const opts = connectAgentFromFlags(flags, readFlagFile);
      await runAgentCli((signal) => runConnectAgent(opts, signal), flags.json === true, summary);
    });
}
