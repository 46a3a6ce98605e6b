import type { Family } from '../../dns/resolver/prepare.js';

/** Everything one DNS agent run needs; plain data so it crosses into worker threads. */
export interface DnsAgentOptions {
  server: { host: string; port: number };
  /** dnsperf-format text: `name TYPE` per line, cycled */
  namesText: string;
  /** each line is one query (dnsperf's way) instead of an application lookup */
  raw: boolean;
  /** resolv.conf text for the emulation (search, ndots, options); its nameservers are ignored */
  resolvConfText?: string;
  resolver: 'glibc' | 'musl';
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
}

export const DEFAULT_OPTIONS: Omit<DnsAgentOptions, 'server' | 'namesText'> = {
  raw: false, resolver: 'glibc', family: 'unspec', durationMs: 10_000, inflight: 64, qps: 0, workers: 1, sockets: 1, expectFound: false,
};

/** What one worker thread measured: encoded histograms and plain counters, merged exactly by the parent. */
export interface WorkerResult {
  lookupLatency: string;
  queryLatency: string;
  queriesPerLookup: string;
  /** lookups finished inside the measured window */
  lookups: number;
  /** queries sent inside the measured window */
  queries: number;
  /** every query sent, the drain after the window included (what the server saw) */
  queriesSent: number;
  failed: number;
  timeouts: number;
  answered: number;
  unfinished: number;
  rcodes: number[];
  statuses: Record<string, number>;
  elapsedMs: number;
}
