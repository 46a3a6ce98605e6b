import { Command } from 'commander';
import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { runDnsAgent } from '../../load/dns/agent.js';
import { DNS_AGENT_DEFAULTS as D, dnsAgentFromFlags, type DnsAgentFlags } from '../../load/dns/contract.js';

/** `discobench agent dns`: the DNS load agent; prints one JSON line (load/agent-output.ts). Flags and defaults: load/dns/contract.ts. */
export function dnsAgentCommand(): Command {
  return new Command('dns')
    .description('DNS load: dnsperf-format names, raw queries or application lookups through the glibc/musl resolver emulation')
    .requiredOption('--server <ip:port>', 'DNS server to load')
    .requiredOption('--names <file>', 'names file, dnsperf format: "name TYPE" per line, cycled')
    .option('--raw', 'send each line as one query, like dnsperf')
    .option('--resolv-conf <file>', 'resolv.conf for the emulation (search, ndots, options); its nameservers are ignored')
    .option('--resolver <kind>', `glibc or musl (default ${D.resolver})`)
    .option('--family <family>', `unspec (A+AAAA), inet (A) or inet6 (AAAA) (default ${D.family})`)
    .option('--duration <d>', `how long to send (default ${D.durationMs}ms)`)
    .option('--inflight <n>', `closed loop: lookups in flight (default ${D.closedInflight}); open loop: the cap (default ${D.openInflight})`)
    .option('--qps <n>', 'open loop at this lookup rate (total over workers)')
    .option('--workers <n>', `worker threads (default ${D.workers})`)
    .option('--sockets <n>', `UDP sockets per worker (default ${D.sockets})`)
    .option('--timeout <d>', `query timeout (raw mode: ${D.rawTimeoutMs}ms; resolver mode: the resolv.conf timeout)`)
    .option('--no-batch', 'send each query immediately instead of once per event-loop turn')
    .option('--expect-found', 'count lookups ending in NXDOMAIN/NODATA as failed')
    .option('--timeline-bin <d>', 'count lookups and failures per bin of this length, by start time (info.timeline)')
    .option('--json', 'print the JSON result (the only output format; accepted for symmetry)')
    .action(async (flags: DnsAgentFlags) => {
      const opts = dnsAgentFromFlags(flags, readFlagFile);
      await runAgentCli((signal) => runDnsAgent(opts, signal), true, (out) => JSON.stringify(out));
    });
}
