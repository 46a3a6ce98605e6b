import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { parseResolvConf, type ResolvConf } from '../../dns/resolver/conf.js';
import type { Family } from '../../dns/resolver/prepare.js';
import { checkOutput, flagPairs, type AgentArg, type AgentOutputOf, type ReadFlagFile } from '../agent-contract.js';
import type { AgentOutput } from '../../metrics/agent-output.js';
import { choiceFlag, durationFlag, intFlag, msArg, parseServer, rateFlag } from '../flags.js';

/**
 * The DNS agent's contract: the options `discobench agent dns` runs with, their defaults, the
 * arguments a caller writes (toArgs) and what the agent makes of them (fromFlags), and the info
 * it prints. Defaults live here only: the command's help shows them, fromFlags applies them.
 */

/** A pod's own resolv.conf: the file the provider rendered from the request's PodDnsConfig. */
export const POD_RESOLV_CONF = '/etc/resolv.conf';

export const RESOLVERS = ['glibc', 'musl'] as const;
export const FAMILIES = ['unspec', 'inet', 'inet6'] as const satisfies readonly Family[];

export const DNS_AGENT_DEFAULTS = {
  resolver: 'glibc',
  family: 'unspec',
  durationMs: 10_000,
  qps: 0,
  /** closed loop: lookups kept in flight */
  closedInflight: 64,
  /** open loop: the cap on lookups in flight */
  openInflight: 10_000,
  workers: 1,
  sockets: 1,
  /** raw mode's query timeout (dnsperf's -t default); resolver mode takes the resolv.conf's */
  rawTimeoutMs: 5000,
} as const;

/** Everything one DNS agent run needs; plain data so it crosses into worker threads. */
export interface DnsAgentOptions {
  server: { host: string; port: number };
  /** dnsperf-format text: `name TYPE` per line, cycled */
  namesText: string;
  /** each line is one query (dnsperf's way) instead of an application lookup */
  raw: boolean;
  /** the resolv.conf for the emulation (search, ndots, options), parsed once; its nameservers are ignored */
  conf?: ResolvConf;
  resolver: (typeof RESOLVERS)[number];
  family: Family;
  durationMs: number;
  /** closed loop: lookups kept in flight (total over workers); open loop: the cap */
  inflight: number;
  /** > 0: open loop at this many lookups per second (total over workers) */
  qps: number;
  workers: number;
  /** connected UDP sockets per worker (per nameserver) */
  sockets: number;
  /** query timeout; in resolver mode it replaces the resolv.conf's timeout when set */
  timeoutMs?: number;
  /** count a final NXDOMAIN/NODATA as a failed lookup (names that should all exist) */
  expectFound: boolean;
  /** send each query at once instead of once per event-loop turn (for comparisons) */
  noBatch?: boolean;
  /** > 0: count lookups and failures per bin of this many ms, by when each lookup started (info.timeline) */
  timelineBinMs?: number;
}

/** What a caller asks of the DNS agent; files are AgentArgs. Unset fields take the agent's defaults. */
export interface DnsAgentRequest {
  server: { host: string; port: number };
  names: AgentArg;
  /** a resolv.conf for the emulation; POD_RESOLV_CONF for the pod's own */
  resolvConf?: AgentArg;
  raw?: boolean;
  resolver?: DnsAgentOptions['resolver'];
  family?: Family;
  durationMs?: number;
  qps?: number;
  inflight?: number;
  workers?: number;
  sockets?: number;
  timeoutMs?: number;
  expectFound?: boolean;
  noBatch?: boolean;
  timelineBinMs?: number;
}

/** The flags as commander hands them over (no defaults there: they are applied by fromFlags). */
export interface DnsAgentFlags {
  server: string;
  names: string;
  raw?: boolean;
  resolvConf?: string;
  resolver?: string;
  family?: string;
  duration?: string;
  inflight?: string;
  qps?: string;
  workers?: string;
  sockets?: string;
  timeout?: string;
  /** false with --no-batch */
  batch?: boolean;
  expectFound?: boolean;
  timelineBin?: string;
  json?: boolean;
}

function hostPort(s: { host: string; port: number }): string {
  return s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
}

/** The command line for a request: every value explicit, so an agent of another version cannot fill in its own defaults. */
export function dnsAgentArgs(r: DnsAgentRequest): AgentArg[] {
  const d = DNS_AGENT_DEFAULTS;
  const qps = r.qps ?? d.qps;
  return [
    ...flagPairs([
      ['--server', hostPort(r.server)],
      ['--names', r.names],
      ['--resolv-conf', r.resolvConf],
    ]),
    ...(r.raw ? ['--raw'] : []),
    ...flagPairs([
      ['--resolver', r.raw ? undefined : (r.resolver ?? d.resolver)],
      ['--family', r.family ?? d.family],
      ['--duration', msArg(r.durationMs ?? d.durationMs)],
      ['--qps', String(qps)],
      ['--inflight', String(r.inflight ?? (qps > 0 ? d.openInflight : d.closedInflight))],
      ['--workers', String(r.workers ?? d.workers)],
      ['--sockets', String(r.sockets ?? d.sockets)],
      ['--timeout', r.timeoutMs === undefined ? undefined : msArg(r.timeoutMs)],
      ['--timeline-bin', r.timelineBinMs ? msArg(r.timelineBinMs) : undefined],
    ]),
    ...(r.noBatch ? ['--no-batch'] : []),
    ...(r.expectFound ? ['--expect-found'] : []),
    '--json',
  ];
}

/** The agent's options from its flags: defaults applied, files read (names) and parsed (resolv.conf) once. */
export function dnsAgentFromFlags(f: DnsAgentFlags, read: ReadFlagFile): DnsAgentOptions {
  const d = DNS_AGENT_DEFAULTS;
  if (f.raw && f.resolvConf) throw new UsageError('--raw and --resolv-conf exclude each other', 'raw mode sends each line as it is; drop one of them');
  const qps = f.qps === undefined ? d.qps : rateFlag('--qps', f.qps);
  const raw = f.raw === true;
  const timeoutMs = f.timeout === undefined ? (raw ? d.rawTimeoutMs : undefined) : durationFlag('--timeout', f.timeout);
  return {
    server: parseServer(f.server),
    namesText: read('--names', f.names, "a file in dnsperf's format: one 'name TYPE' per line"),
    raw,
    conf: f.resolvConf ? parseResolvConf(read('--resolv-conf', f.resolvConf, 'a resolv.conf with search and options lines'), { hostname: 'localhost' }) : undefined,
    resolver: choiceFlag('--resolver', f.resolver ?? d.resolver, RESOLVERS),
    family: choiceFlag('--family', f.family ?? d.family, FAMILIES),
    durationMs: f.duration === undefined ? d.durationMs : durationFlag('--duration', f.duration),
    qps,
    inflight: f.inflight === undefined ? (qps > 0 ? d.openInflight : d.closedInflight) : intFlag('--inflight', f.inflight, 1, 1_000_000),
    workers: f.workers === undefined ? d.workers : intFlag('--workers', f.workers, 1, 256),
    sockets: f.sockets === undefined ? d.sockets : intFlag('--sockets', f.sockets, 1, 1024),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    expectFound: f.expectFound === true,
    noBatch: f.batch === false,
    ...(f.timelineBin === undefined ? {} : { timelineBinMs: durationFlag('--timeline-bin', f.timelineBin) }),
  };
}

const counts = z.record(z.string(), z.number());

/** What the DNS agent reports besides its metrics. */
export const DnsAgentInfo = z.object({
  mode: z.enum(['raw', ...RESOLVERS]),
  /** resolver mode with a resolv.conf: the settings the emulation ran with */
  ndots: z.number().optional(),
  search: z.array(z.string()).optional(),
  singleRequest: z.boolean().optional(),
  family: z.enum(FAMILIES).optional(),
  server: z.string(),
  loop: z.enum(['open', 'closed']),
  qps: z.number(),
  inflight: z.number(),
  workers: z.number(),
  durationMs: z.number(),
  lookups: z.number(),
  queries: z.number(),
  /** every query sent, the drain after the window included (what the server saw) */
  queriesSent: z.number(),
  answered: z.number(),
  /** ICMP errors (port or host unreachable) reported on the agent's sockets */
  socketErrors: z.number().default(0),
  /** lookups that waited out a resolver timeout: one of their queries went unanswered in time */
  delayed: z.number().default(0),
  unfinished: z.number(),
  rcodes: counts,
  statuses: counts,
  /** the agent's own CPU (all threads, set-up included) */
  cpuSeconds: z.number(),
  /**
   * With --timeline-bin: per bin [start epoch ms, lookups, failed, delayed], by when each lookup
   * started, so failures line up with changes made meanwhile (a 5 s timeout counts where it began).
   */
  timeline: z.object({ binMs: z.number(), bins: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])) }).optional(),
});
export type DnsAgentInfo = z.infer<typeof DnsAgentInfo>;
export type DnsAgentOutput = AgentOutputOf<'dns', DnsAgentInfo>;

/** A DNS agent's output as it came back from a namespace or pod, its info checked. */
export function readDnsOutput(out: AgentOutput): DnsAgentOutput {
  return checkOutput('dns', DnsAgentInfo, out);
}
