import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { encode, newHistogram, record } from '../../metrics/histogram.js';
import { EV_CONNECT, EV_DATA, EV_EOF, EV_ERROR, Poller, TCP } from '../netio.js';
import type { Target } from '../targets.js';
import { HttpParseError, ResponseParser } from './response-parser.js';

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

export function requestBuffer(t: Target, path: string, keepAlive: boolean): Buffer {
  const host = t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: discobench\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`);
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));
const errnoName = (e: number) => ERRNO_NAMES.get(e) ?? `errno ${e}`;

const enum St { Closed, Connecting, Open }

class Conn {
  state = St.Closed;
  fd = -1;
  target = 0;
  cursor: number;
  /** requests sent on this connection (no keep-alive: at most one) */
  used = 0;
  /** the server said it closes after the response being read */
  serverCloses = false;
  /** start times of the requests owed a response, oldest first */
  readonly starts: number[] = [];
  /** a request waiting for the connection to open (its start time), or -1 */
  pendingStart = -1;
  connectStart = 0;
  /** in the open loop's ready list */
  ready = false;
  parser!: ResponseParser;
  constructor(readonly id: number, first: number) {
    this.cursor = first;
  }
}

export function runHttpSlice(slice: HttpSlice, signal?: AbortSignal): Promise<HttpPartial> {
  const h = newHistogram();
  const T = slice.targets.length;
  const requests = slice.targets.map((t) => requestBuffer(t, slice.path, slice.keepAlive));
  const errorSamples = new Set<string>();
  const part = { responses: 0, non2xx: 0, connErrors: 0, timeouts: 0, connects: 0 };
  const openLoop = slice.rate > 0;
  const depth = slice.keepAlive ? slice.pipelining : 1;
  const noteError = (msg: string) => { if (errorSamples.size < 5) errorSamples.add(msg); };
  const reqLen = Math.max(...requests.map((r) => r.length));
  const poller = new Poller({
    maxIds: slice.connections, slot: 16 << 10, maxEvents: 256,
    txBytes: Math.max(64 << 10, 2 * slice.connections * depth * reqLen),
  }, (n) => onEvents(n));
  const conns = Array.from({ length: slice.connections }, (_, i) => new Conn(i, (slice.firstConnection + i) % T));
  /** connections that could take a request now (open loop: waiting for the next due time) */
  const ready: Conn[] = [];
  /** connections whose sends were queued in this batch, in queue order */
  const sentOn: Conn[] = [];
  let now = performance.now();
  let t0 = now;
  let end = now;
  let running = false;
  let issued = 0;
  const intervalMs = openLoop ? 1000 / slice.rate : 0;

  for (const c of conns) {
    c.parser = new ResponseParser((status, closes) => onResponse(c, status, closes));
  }

  function onResponse(c: Conn, status: number, closes: boolean): void {
    const start = c.starts.shift();
    if (closes) c.serverCloses = true;
    if (start === undefined || !running) return;
    part.responses++;
    if (status >= 200 && status < 300) record(h, now - start);
    else {
      part.non2xx++;
      noteError(`HTTP ${status}`);
    }
  }

  function connect(c: Conn, pendingStart: number): void {
    const t = slice.targets[c.cursor]!;
    c.target = c.cursor;
    c.cursor = (c.cursor + slice.totalConnections) % T;
    c.used = 0;
    c.serverCloses = false;
    c.starts.length = 0;
    c.parser.reset();
    c.pendingStart = pendingStart;
    c.connectStart = now;
    part.connects++;
    const fd = poller.open(c.id, TCP, t.host, t.port);
    if (fd < 0) {
      // no socket at all (out of ports or descriptors): counted, retried by the next scan
      c.state = St.Closed;
      c.fd = -1;
      lost(c, `${t.host}:${t.port}: ${errnoName(-fd)}`, 1);
      return;
    }
    c.fd = fd;
    c.state = St.Connecting;
  }

  /** Requests lost on c (at least `min`): counted as connection errors, c closed. */
  function lost(c: Conn, message: string, min: number): void {
    const owed = Math.max(min, c.starts.length + (c.pendingStart >= 0 ? 1 : 0));
    if (running && owed > 0) {
      part.connErrors += owed;
      noteError(message);
    }
    close(c);
  }

  function close(c: Conn): void {
    if (c.state !== St.Closed) poller.close(c.id);
    c.state = St.Closed;
    c.fd = -1;
    c.starts.length = 0;
    c.pendingStart = -1;
  }

  function send(c: Conn, start: number): void {
    const req = requests[c.target]!;
    req.copy(poller.tx, poller.reserve(c.id, req.length, flush));
    sentOn.push(c);
    c.starts.push(start);
    c.used++;
  }

  function flush(): void {
    if (poller.queued === 0) return;
    const n = poller.queued;
    poller.flush();
    for (let i = 0; i < n; i++) {
      const r = poller.lens[i]!;
      const c = sentOn[i]!;
      if (c.state !== St.Open || (r >= 0 && r === requests[c.target]!.length)) continue;
      lost(c, r < 0 ? `${slice.targets[c.target]!.host}: write: ${errnoName(-r)}` : 'send buffer full', 1);
      replace(c);
    }
    sentOn.length = 0;
  }

  /** A new connection for c after its old one ended (open loop: when the next request is due). */
  function replace(c: Conn): void {
    if (!running) return;
    if (openLoop) makeReady(c);
    else connect(c, slice.keepAlive ? -1 : now);
  }

  /** c can take more requests: closed loop sends at once, open loop waits for due times. */
  function offer(c: Conn): void {
    if (!running) return;
    if (!openLoop) {
      while (c.starts.length < depth) send(c, now);
      return;
    }
    makeReady(c);
  }

  function makeReady(c: Conn): void {
    if (c.ready) return;
    c.ready = true;
    ready.push(c);
  }

  function onEvents(n: number): void {
    now = performance.now();
    const { ev, rx, slot } = poller;
    for (let i = 0; i < n; i++) {
      const e = i << 2;
      const c = conns[ev[e]!];
      if (!c || ev[e + 3] !== c.fd) continue; // an event of a socket already replaced
      const type = ev[e + 1]!;
      const t = slice.targets[c.target]!;
      if (type === EV_DATA) {
        try {
          c.parser.execute(rx.subarray(i * slot, i * slot + ev[e + 2]!));
        } catch (err) {
          if (!(err instanceof HttpParseError)) throw err;
          lost(c, `${t.host}:${t.port}: ${err.message}`, 1);
          replace(c);
          continue;
        }
        afterResponses(c);
      } else if (type === EV_CONNECT) {
        c.state = St.Open;
        if (c.pendingStart >= 0 && running) {
          // a request that opened this connection (no keep-alive, or due in the open loop)
          const start = c.pendingStart;
          c.pendingStart = -1;
          send(c, start);
        } else offer(c);
      } else if (type === EV_EOF) {
        const fd = c.fd;
        if (c.parser.finish()) afterResponses(c);
        if (c.fd !== fd) continue; // the response it ended already replaced the connection
        lost(c, `${t.host}:${t.port}: connection closed by server`, 0);
        replace(c);
      } else if (type === EV_ERROR) {
        lost(c, `${t.host}:${t.port}: ${errnoName(ev[e + 2]!)}`, c.state === St.Connecting ? 1 : 0);
        replace(c);
      }
    }
    flush();
  }

  /** After c's bytes were parsed: replace its connection once it must close, refill it otherwise. */
  function afterResponses(c: Conn): void {
    if (!slice.keepAlive || c.serverCloses) {
      if (c.starts.length > 0) return;
      close(c);
      replace(c);
      return;
    }
    if (c.starts.length < depth) offer(c);
  }

  /** Open loop: hands due requests to ready connections; the latency of each counts from its due time. */
  function pace(): void {
    now = performance.now();
    const due = Math.floor((Math.min(now, end) - t0) / intervalMs);
    while (issued < due && ready.length > 0) {
      const c = ready.pop()!;
      c.ready = false;
      const start = t0 + issued * intervalMs;
      if (c.state === St.Open && c.starts.length < depth && (slice.keepAlive ? !c.serverCloses : c.used === 0)) {
        send(c, start);
        issued++;
        if (c.starts.length < depth) makeReady(c);
      } else if (c.state === St.Closed) {
        connect(c, start);
        issued++;
      }
    }
    flush();
  }

  /** Requests unanswered after timeoutMs count as timeouts and their connection is replaced. */
  function scan(): void {
    now = performance.now();
    for (const c of conns) {
      if (c.state === St.Connecting && now - c.connectStart > slice.timeoutMs) {
        const t = slice.targets[c.target]!;
        lost(c, `${t.host}:${t.port}: connect timed out`, 1);
        replace(c);
      } else if (c.state === St.Open && c.starts.length > 0 && now - c.starts[0]! > slice.timeoutMs) {
        part.timeouts += c.starts.length;
        noteError('request timed out');
        c.starts.length = 0;
        close(c);
        replace(c);
      } else if (c.state === St.Closed && !openLoop && running) {
        // a connect that found no socket (descriptors or ports exhausted): try again
        connect(c, slice.keepAlive ? -1 : now);
      }
    }
    flush();
  }

  return new Promise((resolve) => {
    now = t0 = performance.now();
    end = t0 + slice.durationMs;
    running = true;
    for (const c of conns) connect(c, openLoop || slice.keepAlive ? -1 : now);
    const pacer = openLoop ? setInterval(pace, 1) : undefined;
    const scanner = setInterval(scan, Math.max(5, Math.min(100, slice.timeoutMs / 4)));
    const finish = () => {
      if (!running) return;
      running = false;
      clearTimeout(timer);
      clearInterval(pacer);
      clearInterval(scanner);
      signal?.removeEventListener('abort', finish);
      const elapsedMs = Math.min(performance.now(), end) - t0;
      poller.destroy();
      resolve({ hdr: encode(h), ...part, elapsedMs, errorSamples: [...errorSamples] });
    };
    const timer = setTimeout(finish, slice.durationMs);
    if (signal?.aborted) finish();
    else signal?.addEventListener('abort', finish, { once: true });
  });
}
