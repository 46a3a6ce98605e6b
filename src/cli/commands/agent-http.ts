import { Command } from 'commander';
import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { runHttpAgent } from '../../load/http/agent.js';
import { runHttpTraceAgent } from '../../load/http/trace.js';
import { HTTP_AGENT_DEFAULTS as D, httpAgentFromFlags, type HttpAgentFlags, type HttpAgentOutput, type HttpTraceOutput } from '../../load/http/contract.js';

function summary({ info: i, metrics }: HttpAgentOutput): string {
  const rps = metrics['http.rps']?.value ?? 0;
  return `${i.responses} responses in ${i.elapsedMs} ms (${rps.toFixed(0)}/s) over ${i.targets} targets; errors: ${i.non2xx} non-2xx, ${i.connErrors} connection, ${i.timeouts} timeouts`;
}

function traceSummary({ info: i }: HttpTraceOutput): string {
  const totals = new Array<number>(i.trace.kinds.length).fill(0);
  for (const t of i.trace.targets) for (const b of t.bins) b.forEach((n, k) => { totals[k]! += n; });
  return `${i.requests} requests in ${i.elapsedMs} ms over ${i.targets} targets: ${i.trace.kinds.map((k, n) => `${k} ${totals[n]}`).join(', ')}`;
}

/** `discobench agent http`: HTTP load through ClusterIPs (wired under `agent` by the CLI). Flags and defaults: load/http/contract.ts. */
export function httpAgentCommand(): Command {
  return new Command('http')
    .description('HTTP/1.1 load spread over ClusterIP targets; latency, rate and errors')
    .requiredOption('--targets <file>', 'one ip:port per line (ClusterIP:80 of Services)')
    .option('--duration <duration>', `how long to load (default ${D.durationMs}ms)`)
    .option('--connections <n>', `concurrent connections, spread over the targets (default ${D.connections})`)
    .option('--no-keep-alive', 'a new TCP connection per request (Connection: close)')
    .option('--pipelining <n>', `requests in flight per connection (default ${D.pipelining})`)
    .option('--rate <rps>', `requests per second over the agent; 0 = as fast as possible (default ${D.rate})`)
    .option('--workers <n>', `worker threads, each driving a share of the connections (default ${D.workers})`)
    .option('--timeout <duration>', `one request's limit (default ${D.timeoutMs}ms)`)
    .option('--path <path>', `request path (default ${D.path})`)
    .option('--trace', 'trace mode: paced requests, each classified and attributed to the endpoint that answered (connections per target)')
    .option('--interval <duration>', `trace mode: pause between two requests on a connection (default ${D.intervalMs}ms)`)
    .option('--json', 'print one JSON line (the agent output contract)')
    .action(async (flags: HttpAgentFlags) => {
      const opts = httpAgentFromFlags(flags, readFlagFile);
      if (opts.trace) await runAgentCli((signal) => runHttpTraceAgent(opts, signal), flags.json === true, traceSummary);
      else await runAgentCli((signal) => runHttpAgent(opts, signal), flags.json === true, summary);
    });
}
