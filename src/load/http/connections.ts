import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { encode, newHistogram, record } from '../../metrics/histogram.js';
import { EV_CONNECT, EV_DATA, EV_EOF, EV_ERROR, Poller, TCP } from '../../net/netio.js';
import type { Target } from '../targets.js';
import type { HttpPartial, HttpSlice } from './client.js';
import { HttpParseError, ResponseParser } from './response-parser.js';

export function requestBuffer(t: Target, path: string, keepAlive: boolean): Buffer {
  const host = t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: discobench\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`);
}

const ERRNO_NAMES = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]));
const errnoName = (e: number) => ERRNO_NAMES.get(e) ?? `errno ${e}`;

export const enum St { Closed, Connecting, Open }

export class Conn {
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

/**
 * When requests go out (loops.ts: closed loop at once, open loop at due times). The
 * connections call it while the slice runs; it sends and connects through them.
 */
export interface Loop {
  /** c's first connect */
  open(c: Conn): void;
  /** c's connection ended and needs a successor */
  replace(c: Conn): void;
  /** c is open and can take more requests */
  offer(c: Conn): void;
  /** the timeout scan found c closed (its connect found no socket) */
  closedOnScan(c: Conn): void;
}

/**
 * The HTTP client's transport: one slice's connections on the batched socket poller
 * (load/netio.ts). Connects, sends and their batched flush, responses parsed as they arrive,
 * connection errors and timeouts, and the counters and histogram of the slice. Latency counts
 * from each request's start time, which the loop chooses.
 */
export class Connections {
  readonly conns: Conn[];
  /** pipelined requests per connection (1 without keep-alive) */
  readonly depth: number;
  /** the clock as of the current event, pace or scan (ms) */
  now = performance.now();
  /** the measured window */
  t0 = this.now;
  end = this.now;
  running = false;
  /** set once before the slice starts */
  loop!: Loop;
  private readonly h = newHistogram();
  private readonly part = { responses: 0, non2xx: 0, connErrors: 0, timeouts: 0, connects: 0 };
  private readonly errorSamples = new Set<string>();
  private readonly requests: Buffer[];
  private readonly poller: Poller;
  /** connections whose sends were queued in this batch, in queue order */
  private readonly sentOn: Conn[] = [];
  private readonly flushFn = () => this.flush();

  constructor(private readonly slice: HttpSlice) {
    const T = slice.targets.length;
    this.requests = slice.targets.map((t) => requestBuffer(t, slice.path, slice.keepAlive));
    this.depth = slice.keepAlive ? slice.pipelining : 1;
    const reqLen = Math.max(...this.requests.map((r) => r.length));
    this.poller = new Poller({
      maxIds: slice.connections, slot: 16 << 10, maxEvents: 256,
      txBytes: Math.max(64 << 10, 2 * slice.connections * this.depth * reqLen),
    }, (n) => this.onEvents(n));
    this.conns = Array.from({ length: slice.connections }, (_, i) => new Conn(i, (slice.firstConnection + i) % T));
    for (const c of this.conns) {
      c.parser = new ResponseParser((status, closes) => this.onResponse(c, status, closes));
    }
  }

  private noteError(msg: string): void {
    if (this.errorSamples.size < 5) this.errorSamples.add(msg);
  }

  private onResponse(c: Conn, status: number, closes: boolean): void {
    const start = c.starts.shift();
    if (closes) c.serverCloses = true;
    if (start === undefined || !this.running) return;
    this.part.responses++;
    if (status >= 200 && status < 300) record(this.h, this.now - start);
    else {
      this.part.non2xx++;
      this.noteError(`HTTP ${status}`);
    }
  }

  /** Opens c to its next target; a request waiting for it (pendingStart >= 0) goes out once connected. */
  connect(c: Conn, pendingStart: number): void {
    const slice = this.slice;
    const t = slice.targets[c.cursor]!;
    c.target = c.cursor;
    c.cursor = (c.cursor + slice.totalConnections) % slice.targets.length;
    c.used = 0;
    c.serverCloses = false;
    c.starts.length = 0;
    c.parser.reset();
    c.pendingStart = pendingStart;
    c.connectStart = this.now;
    this.part.connects++;
    const fd = this.poller.open(c.id, TCP, t.host, t.port);
    if (fd < 0) {
      // no socket at all (out of ports or descriptors): counted, retried by the next scan
      c.state = St.Closed;
      c.fd = -1;
      this.lost(c, `${t.host}:${t.port}: ${errnoName(-fd)}`, 1);
      return;
    }
    c.fd = fd;
    c.state = St.Connecting;
  }

  /** Requests lost on c (at least `min`): counted as connection errors, c closed. */
  private lost(c: Conn, message: string, min: number): void {
    const owed = Math.max(min, c.starts.length + (c.pendingStart >= 0 ? 1 : 0));
    if (this.running && owed > 0) {
      this.part.connErrors += owed;
      this.noteError(message);
    }
    this.close(c);
  }

  private close(c: Conn): void {
    if (c.state !== St.Closed) this.poller.close(c.id);
    c.state = St.Closed;
    c.fd = -1;
    c.starts.length = 0;
    c.pendingStart = -1;
  }

  /** Queues a request on c; its latency counts from `start`. */
  send(c: Conn, start: number): void {
    const req = this.requests[c.target]!;
    req.copy(this.poller.tx, this.poller.reserve(c.id, req.length, this.flushFn));
    this.sentOn.push(c);
    c.starts.push(start);
    c.used++;
  }

  /** Sends what was queued in one call; a connection whose write failed is lost and replaced. */
  flush(): void {
    const poller = this.poller;
    if (poller.queued === 0) return;
    const n = poller.queued;
    poller.flush();
    for (let i = 0; i < n; i++) {
      const r = poller.lens[i]!;
      const c = this.sentOn[i]!;
      if (c.state !== St.Open || (r >= 0 && r === this.requests[c.target]!.length)) continue;
      this.lost(c, r < 0 ? `${this.slice.targets[c.target]!.host}: write: ${errnoName(-r)}` : 'send buffer full', 1);
      this.replace(c);
    }
    this.sentOn.length = 0;
  }

  /** A new connection for c after its old one ended (the loop decides when). */
  private replace(c: Conn): void {
    if (!this.running) return;
    this.loop.replace(c);
  }

  /** c can take more requests (the loop decides when they go out). */
  private offer(c: Conn): void {
    if (!this.running) return;
    this.loop.offer(c);
  }

  private onEvents(n: number): void {
    this.now = performance.now();
    const { ev, rx, slot } = this.poller;
    const targets = this.slice.targets;
    for (let i = 0; i < n; i++) {
      const e = i << 2;
      const c = this.conns[ev[e]!];
      if (!c || ev[e + 3] !== c.fd) continue; // an event of a socket already replaced
      const type = ev[e + 1]!;
      const t = targets[c.target]!;
      if (type === EV_DATA) {
        try {
          c.parser.execute(rx.subarray(i * slot, i * slot + ev[e + 2]!));
        } catch (err) {
          if (!(err instanceof HttpParseError)) throw err;
          this.lost(c, `${t.host}:${t.port}: ${err.message}`, 1);
          this.replace(c);
          continue;
        }
        this.afterResponses(c);
      } else if (type === EV_CONNECT) {
        c.state = St.Open;
        if (c.pendingStart >= 0 && this.running) {
          // a request that opened this connection (no keep-alive, or due in the open loop)
          const start = c.pendingStart;
          c.pendingStart = -1;
          this.send(c, start);
        } else this.offer(c);
      } else if (type === EV_EOF) {
        const fd = c.fd;
        if (c.parser.finish()) this.afterResponses(c);
        if (c.fd !== fd) continue; // the response it ended already replaced the connection
        this.lost(c, `${t.host}:${t.port}: connection closed by server`, 0);
        this.replace(c);
      } else if (type === EV_ERROR) {
        this.lost(c, `${t.host}:${t.port}: ${errnoName(ev[e + 2]!)}`, c.state === St.Connecting ? 1 : 0);
        this.replace(c);
      }
    }
    this.flush();
  }

  /** After c's bytes were parsed: replace its connection once it must close, refill it otherwise. */
  private afterResponses(c: Conn): void {
    if (!this.slice.keepAlive || c.serverCloses) {
      if (c.starts.length > 0) return;
      this.close(c);
      this.replace(c);
      return;
    }
    if (c.starts.length < this.depth) this.offer(c);
  }

  /** Requests unanswered after timeoutMs count as timeouts and their connection is replaced. */
  scan(): void {
    this.now = performance.now();
    const timeoutMs = this.slice.timeoutMs;
    for (const c of this.conns) {
      if (c.state === St.Connecting && this.now - c.connectStart > timeoutMs) {
        const t = this.slice.targets[c.target]!;
        this.lost(c, `${t.host}:${t.port}: connect timed out`, 1);
        this.replace(c);
      } else if (c.state === St.Open && c.starts.length > 0 && this.now - c.starts[0]! > timeoutMs) {
        this.part.timeouts += c.starts.length;
        this.noteError('request timed out');
        c.starts.length = 0;
        this.close(c);
        this.replace(c);
      } else if (c.state === St.Closed) {
        this.loop.closedOnScan(c);
      }
    }
    this.flush();
  }

  /** Ends the slice: sockets closed, what was measured in the window. */
  finish(): HttpPartial {
    const elapsedMs = Math.min(performance.now(), this.end) - this.t0;
    this.poller.destroy();
    return { hdr: encode(this.h), ...this.part, elapsedMs, errorSamples: [...this.errorSamples] };
  }
}
