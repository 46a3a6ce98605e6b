import { readFlagFile, runAgentCli } from '../agent-cli.js';
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Family } from '../../dns/resolver/prepare.js';
import { runDnsAgent } from '../../load/dns/agent.js';
import { DEFAULT_OPTIONS, type DnsAgentOptions } from '../../load/dns/options.js';
import { parseDuration } from '../../scenario/duration.js';
import { parseServer } from './resolv.js';

function positiveInt(flag: string, v: string | undefined, def: number, min = 1): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min} (got ${v})`);
  return n;
}

function duration(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag} must be a duration like 10s or 500ms (got ${v})`);
  return ms;
}

/** `discobench agent dns`: the DNS load agent; prints one JSON line (load/agent-output.ts). */
export function dnsAgentCommand(): Command {
  return new Command('dns')
    .description('DNS load: dnsperf-format names, raw queries or application lookups through the glibc/musl resolver emulation')
    .requiredOption('--server <ip:port>', 'DNS server to load')
    .requiredOption('--names <file>', 'names file, dnsperf format: "name TYPE" per line, cycled')
    .option('--raw', 'send each line as one query, like dnsperf')
    .option('--resolv-conf <file>', 'resolv.conf for the emulation (search, ndots, options); its nameservers are ignored')
    .option('--resolver <kind>', 'glibc or musl', 'glibc')
    .option('--family <family>', 'unspec (A+AAAA), inet (A) or inet6 (AAAA)', 'unspec')
    .option('--duration <d>', 'how long to send', '10s')
    .option('--inflight <n>', 'closed loop: lookups in flight (default 64); open loop: the cap (default 10000)')
    .option('--qps <n>', 'open loop at this lookup rate (total over workers)')
    .option('--workers <n>', 'worker threads', '1')
    .option('--sockets <n>', 'UDP sockets per worker', '1')
    .option('--timeout <d>', 'query timeout (raw mode: 5s; resolver mode: the resolv.conf timeout)')
    .option('--no-batch', 'send each query immediately instead of once per event-loop turn')
    .option('--expect-found', 'count lookups ending in NXDOMAIN/NODATA as failed')
    .option('--json', 'print the JSON result (the only output format; accepted for symmetry)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      if (o.raw && o.resolvConf) throw new UsageError('--raw and --resolv-conf exclude each other', 'raw mode sends each line as it is; drop one of them');
      const resolver = String(o.resolver);
      if (resolver !== 'glibc' && resolver !== 'musl') throw new UsageError(`--resolver must be glibc or musl (got ${resolver})`);
      const family = String(o.family);
      if (!['unspec', 'inet', 'inet6'].includes(family)) throw new UsageError(`--family must be unspec, inet or inet6 (got ${family})`);
      const qps = o.qps === undefined ? 0 : Number(o.qps);
      if (!Number.isFinite(qps) || qps < 0) throw new UsageError(`--qps must be a number >= 0 (got ${String(o.qps)})`);
      const opts: DnsAgentOptions = {
        ...DEFAULT_OPTIONS,
        server: parseServer(String(o.server)),
        namesText: readFlagFile('--names', String(o.names), "a file in dnsperf's format: one 'name TYPE' per line"),
        raw: Boolean(o.raw),
        resolvConfText: o.resolvConf ? readFlagFile('--resolv-conf', String(o.resolvConf), 'a resolv.conf with search and options lines') : undefined,
        resolver,
        family: family as Family,
        durationMs: duration('--duration', o.duration as string) ?? DEFAULT_OPTIONS.durationMs,
        qps,
        inflight: positiveInt('--inflight', o.inflight as string | undefined, qps > 0 ? 10_000 : 64),
        workers: positiveInt('--workers', o.workers as string, 1),
        sockets: positiveInt('--sockets', o.sockets as string, 1),
        timeoutMs: duration('--timeout', o.timeout as string | undefined) ?? (o.raw ? 5000 : undefined),
        expectFound: Boolean(o.expectFound),
        noBatch: o.batch === false,
      };
      await runAgentCli((signal) => runDnsAgent(opts, signal), true, (out) => JSON.stringify(out));
    });
}
