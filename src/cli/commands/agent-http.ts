import { durationFlag, intFlag } from '../options.js';
import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { runHttpAgent } from '../../load/http/agent.js';
import { parseTargets } from '../../load/targets.js';
import type { AgentOutput } from '../../load/agent-output.js';

interface Flags {
  targets: string;
  duration: string;
  connections: string;
  keepAlive: boolean;
  pipelining: string;
  rate: string;
  workers: string;
  timeout: string;
  path: string;
  json?: boolean;
}

function summary(out: AgentOutput): string {
  const i = out.info ?? {};
  const rps = out.metrics['http.rps']?.value ?? 0;
  return `${String(i.responses)} responses in ${String(i.elapsedMs)} ms (${rps.toFixed(0)}/s) over ${String(i.targets)} targets; errors: ${String(i.non2xx)} non-2xx, ${String(i.connErrors)} connection, ${String(i.timeouts)} timeouts`;
}

/** `discobench agent http`: HTTP load through ClusterIPs (wired under `agent` by the CLI). */
export function httpAgentCommand(): Command {
  return new Command('http')
    .description('HTTP/1.1 load spread over ClusterIP targets; latency, rate and errors')
    .requiredOption('--targets <file>', 'one ip:port per line (ClusterIP:80 of Services)')
    .option('--duration <duration>', 'how long to load', '10s')
    .option('--connections <n>', 'concurrent connections, spread over the targets', '16')
    .option('--no-keep-alive', 'a new TCP connection per request (Connection: close)')
    .option('--pipelining <n>', 'requests in flight per connection', '1')
    .option('--rate <rps>', 'requests per second over the agent; 0 = as fast as possible', '0')
    .option('--workers <n>', 'worker threads, each driving a share of the connections', '1')
    .option('--timeout <duration>', "one request's limit", '5s')
    .option('--path <path>', 'request path', '/')
    .option('--json', 'print one JSON line (the agent output contract)')
    .action(async (flags: Flags) => {
      const text = readFlagFile('--targets', flags.targets, 'give a file with one ip:port per line');
      const rate = Number(flags.rate);
      if (!Number.isFinite(rate) || rate < 0) throw new UsageError(`--rate: must be a number >= 0 (got ${JSON.stringify(flags.rate)})`, 'for example --rate 1000');
      if (!flags.path.startsWith('/')) throw new UsageError(`--path: must start with / (got ${JSON.stringify(flags.path)})`, 'for example --path /');
      const opts = {
        targets: parseTargets(text, flags.targets),
        durationMs: durationFlag('--duration', flags.duration),
        connections: intFlag('--connections', flags.connections, 1, 100_000),
        keepAlive: flags.keepAlive,
        pipelining: intFlag('--pipelining', flags.pipelining, 1, 1024),
        rate,
        workers: intFlag('--workers', flags.workers, 1, 64),
        timeoutMs: durationFlag('--timeout', flags.timeout),
        path: flags.path,
      };
      await runAgentCli((signal) => runHttpAgent(opts, signal), flags.json === true, summary);
    });
}
