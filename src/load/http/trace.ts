import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pause } from '../../core/pause.js';
import { encode, newHistogram, record } from '../../metrics/histogram.js';
import { StallClock } from '../stall-clock.js';
import type { Target } from '../targets.js';
import type { HttpAgentOptions, HttpTraceOutput } from './contract.js';

/**
 * The HTTP agent's trace mode: paced requests that record what each one met, for watching a
 * change under load (a rollout) rather than for throughput. Every request is classified (answered
 * by which endpoint, or failed how), counted per target in 100 ms bins on the epoch clock, and
 * each endpoint's first and last answer is kept, so a caller can line the requests up with the
 * changes it made. Plain node:net sockets: a few thousand requests per second at most, each one
 * accounted for.
 */

export const TRACE_BIN_MS = 100;

/**
 * ok: a 2xx answer. refused: the connect got a RST (nothing listens, or a reject rule). reset: an
 * established connection got a RST. closed: the peer closed before answering. timeout: no answer
 * within the limit. unreachable: ICMP host/net unreachable. non2xx: an HTTP error status.
 * other: any other socket error (its code is in the samples).
 */
export const TRACE_KINDS = ['ok', 'refused', 'reset', 'closed', 'timeout', 'unreachable', 'non2xx', 'other'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];
const KIND_INDEX = new Map(TRACE_KINDS.map((k, i) => [k, i]));

export interface HttpTraceOptions {
  targets: Target[];
  durationMs: number;
  /** connections per target */
  connections: number;
  keepAlive: boolean;
  /** pause between two requests on one connection (the pace); a slow answer delays the next */
  intervalMs: number;
  timeoutMs: number;
  path: string;
}

export interface EndpointSeen {
  first: number;
  last: number;
  count: number;
}

export interface TargetTrace {
  target: string;
  /** per bin (bin i starts at t0 + i x binMs): one count per TRACE_KINDS entry */
  bins: number[][];
  /** answering endpoint (the backend's address, from the response body) -> when it answered, epoch ms */
  endpoints: Record<string, EndpointSeen>;
  /** failed requests: [epoch ms the request started, kind index], the first MAX_ERRORS */
  errors: Array<[number, number]>;
}

export interface HttpTrace {
  binMs: number;
  /** epoch ms of bin 0 */
  t0: number;
  kinds: string[];
  targets: TargetTrace[];
  errorSamples: string[];
  /**
   * The agent's own stalls (StallClock): their sum and the longest, and how many requests had
   * their deadline extended for one; absent from traces written before it was measured.
   */
  agentStall?: { totalMs: number; longestMs: number; extendedRequests: number };
}

const MAX_ERRORS = 5000;

class Recorder {
  readonly bins: number[][] = [];
  readonly endpoints: Record<string, EndpointSeen> = {};
  readonly errors: Array<[number, number]> = [];
  constructor(private readonly t0: number) {}

  add(at: number, kind: TraceKind, endpoint?: string): void {
    const b = Math.max(0, Math.floor((at - this.t0) / TRACE_BIN_MS));
    while (this.bins.length <= b) this.bins.push(new Array<number>(TRACE_KINDS.length).fill(0));
    const k = KIND_INDEX.get(kind)!;
    this.bins[b]![k]!++;
    if (kind !== 'ok' && this.errors.length < MAX_ERRORS) this.errors.push([at, k]);
    if (endpoint) {
      const e = this.endpoints[endpoint];
      if (e) {
        e.last = at;
        e.count++;
      } else this.endpoints[endpoint] = { first: at, last: at, count: 1 };
    }
  }
}

interface Outcome {
  kind: TraceKind;
  endpoint?: string;
  detail?: string;
  /** its deadline was extended for a stall of the agent */
  extended?: boolean;
}

/** A socket error code as a trace kind; `connected` tells a refused connect from a reset connection. */
export function classifySocketError(code: string | undefined, connected: boolean): TraceKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return connected ? 'reset' : 'refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return 'other';
  }
}

/** The most stall a request's deadline is extended by: past it, a starved agent times out as it must. */
const MAX_STALL_CREDIT_MS = 30_000;

/** One HTTP/1.1 connection that answers one request at a time. */
class Conn {
  private readonly sock: Socket;
  private connected = false;
  private buf = '';
  private pending?: (o: Outcome) => void;
  dead = false;

  constructor(target: Target) {
    this.sock = connect({ host: target.host, port: target.port, noDelay: true });
    this.sock.setEncoding('latin1');
    this.sock.on('connect', () => { this.connected = true; });
    this.sock.on('data', (d: string) => {
      this.buf += d;
      this.tryParse();
    });
    this.sock.on('error', (err: NodeJS.ErrnoException) => this.finish({ kind: classifySocketError(err.code, this.connected), detail: err.code ?? err.message }));
    this.sock.on('close', () => this.finish({ kind: this.connected ? 'closed' : 'refused', detail: 'closed before an answer' }));
  }

  /**
   * One request; it times out after timeoutMs of time in which this process could run: a stall of
   * the agent itself (seen by `stalls`) extends the deadline by its length, up to MAX_STALL_CREDIT,
   * so a timeout is the target's, not the agent's.
   */
  request(path: string, keepAlive: boolean, timeoutMs: number, stalls: StallClock): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      if (this.dead) return resolve({ kind: 'closed', detail: 'connection already closed' });
      const stall0 = stalls.stalledMs;
      let credited = 0;
      let timer: NodeJS.Timeout | undefined;
      const settle = (o: Outcome): void => {
        clearTimeout(timer);
        resolve(credited > 0 ? { ...o, extended: true } : o);
      };
      // libuv runs due timers before it polls: an answer that arrived while the agent was held up
      // is still unread when the deadline fires, so the verdict waits for this turn's poll
      const arm = (ms: number): void => {
        timer = setTimeout(() => setImmediate(() => {
          if (this.pending !== settle) return;
          const owed = Math.min(stalls.stalledMs - stall0, MAX_STALL_CREDIT_MS) - credited;
          if (owed >= 1) {
            credited += owed;
            return arm(owed);
          }
          this.finish({ kind: 'timeout' });
          this.close();
        }), ms);
      };
      arm(timeoutMs);
      this.pending = settle;
      this.sock.write(`GET ${path} HTTP/1.1\r\nHost: discobench\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n`);
    });
  }

  close(): void {
    this.dead = true;
    this.sock.destroy();
  }

  private tryParse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.slice(0, end);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < end + 4 + length) return;
    const body = this.buf.slice(end + 4, end + 4 + length);
    this.buf = this.buf.slice(end + 4 + length);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    if (/\r\nconnection:\s*close/i.test(head)) this.dead = true;
    // the backend names the address it was reached at ("discobench 10.244.64.7")
    const endpoint = /discobench (\S+)/.exec(body)?.[1];
    this.finish(status >= 200 && status < 300 ? { kind: 'ok', endpoint } : { kind: 'non2xx', endpoint, detail: `HTTP ${status}` });
  }

  private finish(o: Outcome): void {
    if (o.kind !== 'ok' && o.kind !== 'non2xx') this.dead = true;
    const p = this.pending;
    this.pending = undefined;
    p?.(o);
  }
}

export interface HttpTraceResult {
  trace: HttpTrace;
  /** ms of the answered requests (2xx and non-2xx) */
  latencyHdr: string;
  requests: number;
  elapsedMs: number;
}

/** Runs the paced requests on every target's connections until durationMs has passed. */
export async function runHttpTrace(o: HttpTraceOptions, signal?: AbortSignal): Promise<HttpTraceResult> {
  const t0 = Date.now();
  const end = t0 + o.durationMs;
  const hist = newHistogram();
  const samples = new Set<string>();
  const stalls = new StallClock();
  let requests = 0;
  let extendedRequests = 0;
  const recorders = o.targets.map(() => new Recorder(t0));

  async function loop(target: Target, rec: Recorder, offsetMs: number): Promise<void> {
    await pause(offsetMs, signal);
    let conn: Conn | undefined;
    let next = Date.now();
    while (Date.now() < end && !signal?.aborted) {
      if (!conn || conn.dead) {
        conn?.close();
        conn = new Conn(target);
      }
      const at = Date.now();
      const s = performance.now();
      const out = await conn.request(o.path, o.keepAlive, o.timeoutMs, stalls);
      requests++;
      if (out.extended) extendedRequests++;
      if (out.kind === 'ok' || out.kind === 'non2xx') record(hist, performance.now() - s);
      rec.add(at, out.kind, out.endpoint);
      if (out.detail && samples.size < 20) samples.add(`${target.host}:${target.port} ${out.kind}: ${out.detail}`);
      if (!o.keepAlive) conn.close();
      next += o.intervalMs;
      const now = Date.now();
      if (next < now) next = now;
      await pause(next - now, signal);
    }
    conn?.close();
  }

  const loops: Promise<void>[] = [];
  o.targets.forEach((t, i) => {
    // spread the connections' phases over one interval, so requests do not arrive in bursts
    for (let c = 0; c < o.connections; c++) loops.push(loop(t, recorders[i]!, ((i * o.connections + c) * o.intervalMs) / (o.targets.length * o.connections)));
  });
  await Promise.all(loops);
  stalls.stop();
  return {
    trace: {
      binMs: TRACE_BIN_MS,
      t0,
      kinds: [...TRACE_KINDS],
      targets: o.targets.map((t, i) => ({ target: `${t.host}:${t.port}`, bins: recorders[i]!.bins, endpoints: recorders[i]!.endpoints, errors: recorders[i]!.errors })),
      errorSamples: [...samples],
      agentStall: { ...stalls.summary, extendedRequests },
    },
    latencyHdr: encode(hist),
    requests,
    elapsedMs: Date.now() - t0,
  };
}

/** `discobench agent http --trace`: the trace as the agent output contract (http.latency of the answered requests). */
export async function runHttpTraceAgent(opts: HttpAgentOptions, signal?: AbortSignal): Promise<HttpTraceOutput> {
  const intervalMs = opts.trace?.intervalMs ?? 20;
  const cpu0 = process.cpuUsage();
  const r = await runHttpTrace({ targets: opts.targets, durationMs: opts.durationMs, connections: opts.connections, keepAlive: opts.keepAlive, intervalMs, timeoutMs: opts.timeoutMs, path: opts.path ?? '/' }, signal);
  const cpu = process.cpuUsage(cpu0);
  return {
    agent: 'http',
    metrics: { 'http.latency': { hdr: r.latencyHdr } },
    info: { mode: 'trace', targets: opts.targets.length, connections: opts.connections, keepAlive: opts.keepAlive, intervalMs, requests: r.requests, elapsedMs: r.elapsedMs, cpuMs: Math.round((cpu.user + cpu.system) / 1000), trace: r.trace },
  };
}
