import { durationFlag, intFlag } from '../options.js';
import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { Command } from 'commander';
import { DEFAULT_ATTEMPT_TIMEOUT_MS, DEFAULT_AWAIT_INTERVAL_MS, DEFAULT_AWAIT_MAX_RATE, runConnectAgent } from '../../load/connect/agent.js';
import { parseTargets } from '../../load/targets.js';
import type { AgentOutput } from '../../load/agent-output.js';

interface Flags {
  targets: string;
  probes: string;
  concurrency: string;
  timeout: string;
  await?: boolean;
  interval: string;
  attemptTimeout: string;
  maxRate: string;
  json?: boolean;
}

function summary(out: AgentOutput): string {
  const failed = out.metrics['tcp.connect.failed'];
  if (out.info?.mode === 'await') {
    const reached = Object.keys((out.info.firstSuccess as Record<string, number>) ?? {}).length;
    return `reached ${reached} of ${failed?.count ?? 0} targets; unreached: ${((out.info.unreached as string[]) ?? []).join(', ') || 'none'}`;
  }
  return `${out.metrics['tcp.connect.latency']?.count ?? 0} connects ok, ${failed?.value ?? 0} failed of ${failed?.count ?? 0} in ${String(out.info?.durationMs)} ms`;
}

/** `discobench agent connect`: TCP connect probes through ClusterIPs (wired under `agent` by the CLI). */
export function connectAgentCommand(): Command {
  return new Command('connect')
    .description('TCP connect probes: latency of new connections, or (--await) when targets first answer')
    .requiredOption('--targets <file>', 'one ip:port per line')
    .option('--probes <n>', 'new connections in total (probe mode)', '1000')
    .option('--concurrency <c>', 'connections in flight (probe mode)', '8')
    .option('--timeout <duration>', "one connect's limit; with --await the overall limit", '1s')
    .option('--await', 'probe every target until it first answers; report epoch ms of the first success')
    .option('--interval <duration>', 'with --await: a new attempt per target this often', `${DEFAULT_AWAIT_INTERVAL_MS}ms`)
    .option('--attempt-timeout <duration>', "with --await: one attempt's limit", `${DEFAULT_ATTEMPT_TIMEOUT_MS}ms`)
    .option('--max-rate <n>', 'with --await: attempts per second across all unreached targets', String(DEFAULT_AWAIT_MAX_RATE))
    .option('--json', 'print one JSON line (the agent output contract)')
    .action(async (flags: Flags) => {
      const text = readFlagFile('--targets', flags.targets, 'give a file with one ip:port per line');
      const opts = {
        targets: parseTargets(text, flags.targets, { ipv4Only: true }),
        probes: intFlag('--probes', flags.probes, 1, 100_000_000),
        concurrency: intFlag('--concurrency', flags.concurrency, 1, 65_536),
        timeoutMs: durationFlag('--timeout', flags.timeout),
        await: flags.await === true,
        intervalMs: durationFlag('--interval', flags.interval),
        attemptTimeoutMs: durationFlag('--attempt-timeout', flags.attemptTimeout),
        maxRate: intFlag('--max-rate', flags.maxRate, 1, 1_000_000),
      };
      await runAgentCli((signal) => runConnectAgent(opts, signal), flags.json === true, summary);
    });
}
