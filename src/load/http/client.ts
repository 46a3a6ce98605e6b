import { performance } from 'node:perf_hooks';
import type { Target } from '../targets.js';
import { Connections } from './connections.js';
import { ClosedLoop, OpenLoop } from './loops.js';

/**
 * The HTTP load client: one slice of the agent's connections (the whole agent, or one worker
 * thread's share), on the batched socket poller (load/netio.ts), so a Node agent keeps pace with
 * wrk: what a loop iteration reads from all connections is parsed in one pass, and the requests
 * it frees leave in one call.
 * - targets: every (re)connect goes to the next ClusterIP of the connection's own cycle
 *   (connection g starts at target g mod T and steps by the agent's connection count), so
 *   keep-alive connections are spread evenly over the targets and no-keep-alive runs walk all of
 *   them, however connections are split over workers;
 * - keepAlive false: `Connection: close` is sent, the client closes after the response and the
 *   next request opens a new connection; its latency counts from the connect;
 * - a rate (open loop): request k is due at t0 + k/rate and its latency counts from that moment,
 *   even when it waited for a free connection, so a slow server cannot hide its queue;
 * - errors: non-2xx responses, connections refused/reset/closed while owing responses (each
 *   owed request counts), and requests unanswered after timeoutMs (each counts; the connection
 *   is replaced).
 * The connections (sockets, sends, parsing, errors, timeouts) are connections.ts; when requests
 * go out, closed or open loop, is loops.ts.
 */
export interface HttpSlice {
  targets: Target[];
  connections: number;
  /** global index of this slice's first connection and the agent's total: fixes target cycles */
  firstConnection: number;
  totalConnections: number;
  durationMs: number;
  keepAlive: boolean;
  pipelining: number;
  /** requests per second for the slice; 0 = as fast as possible */
  rate: number;
  timeoutMs: number;
  path: string;
}

/** What one slice measured; counters add and histograms merge exactly across slices. */
export interface HttpPartial {
  /** encoded HDR histogram (µs) of 2xx responses */
  hdr: string;
  responses: number;
  non2xx: number;
  /** requests lost to refused, reset or closed connections, and failed connects */
  connErrors: number;
  timeouts: number;
  connects: number;
  elapsedMs: number;
  /** the first few distinct error messages */
  errorSamples: string[];
}

/** Runs one slice for durationMs (or until the signal): its connections, driven by the closed or the open loop. */
export function runHttpSlice(slice: HttpSlice, signal?: AbortSignal): Promise<HttpPartial> {
  const cx = new Connections(slice);
  const open = slice.rate > 0 ? new OpenLoop(cx, slice) : undefined;
  cx.loop = open ?? new ClosedLoop(cx, slice.keepAlive);
  return new Promise((resolve) => {
    cx.now = cx.t0 = performance.now();
    cx.end = cx.t0 + slice.durationMs;
    cx.running = true;
    for (const c of cx.conns) cx.loop.open(c);
    const pacer = open ? setInterval(() => open.pace(), 1) : undefined;
    const scanner = setInterval(() => cx.scan(), Math.max(5, Math.min(100, slice.timeoutMs / 4)));
    const finish = () => {
      if (!cx.running) return;
      cx.running = false;
      clearTimeout(timer);
      clearInterval(pacer);
      clearInterval(scanner);
      signal?.removeEventListener('abort', finish);
      resolve(cx.finish());
    };
    const timer = setTimeout(finish, slice.durationMs);
    if (signal?.aborted) finish();
    else signal?.addEventListener('abort', finish, { once: true });
  });
}
