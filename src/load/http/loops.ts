import { performance } from 'node:perf_hooks';
import type { HttpSlice } from './client.js';
import { St, type Conn, type Connections, type Loop } from './connections.js';

/**
 * Closed loop (as fast as possible): every open connection keeps `depth` requests in flight, a
 * finished one replaced at once; without keep-alive a request's latency counts from the connect
 * it opens.
 */
export class ClosedLoop implements Loop {
  constructor(private readonly cx: Connections, private readonly keepAlive: boolean) {}

  open(c: Conn): void {
    this.cx.connect(c, this.keepAlive ? -1 : this.cx.now);
  }

  replace(c: Conn): void {
    this.cx.connect(c, this.keepAlive ? -1 : this.cx.now);
  }

  offer(c: Conn): void {
    const cx = this.cx;
    while (c.starts.length < cx.depth) cx.send(c, cx.now);
  }

  /** a connect that found no socket (descriptors or ports exhausted): try again */
  closedOnScan(c: Conn): void {
    if (this.cx.running) this.cx.connect(c, this.keepAlive ? -1 : this.cx.now);
  }
}

/**
 * Open loop at `rate`: request k is due at t0 + k/rate and its latency counts from that moment,
 * even when it waited for a free connection, so a slow server cannot hide its queue. Free
 * connections wait in a ready list; pace() (every millisecond) hands them the due requests.
 */
export class OpenLoop implements Loop {
  private readonly ready: Conn[] = [];
  private issued = 0;
  private readonly intervalMs: number;

  constructor(private readonly cx: Connections, private readonly slice: HttpSlice) {
    this.intervalMs = 1000 / slice.rate;
  }

  open(c: Conn): void {
    this.cx.connect(c, -1);
  }

  replace(c: Conn): void {
    this.makeReady(c);
  }

  offer(c: Conn): void {
    this.makeReady(c);
  }

  /** closed connections reconnect when a request is due for them */
  closedOnScan(): void {}

  private makeReady(c: Conn): void {
    if (c.ready) return;
    c.ready = true;
    this.ready.push(c);
  }

  /** Hands due requests to ready connections; the latency of each counts from its due time. */
  pace(): void {
    const cx = this.cx;
    const ready = this.ready;
    const depth = cx.depth;
    const keepAlive = this.slice.keepAlive;
    cx.now = performance.now();
    const due = Math.floor((Math.min(cx.now, cx.end) - cx.t0) / this.intervalMs);
    while (this.issued < due && ready.length > 0) {
      const c = ready.pop()!;
      c.ready = false;
      const start = cx.t0 + this.issued * this.intervalMs;
      if (c.state === St.Open && c.starts.length < depth && (keepAlive ? !c.serverCloses : c.used === 0)) {
        cx.send(c, start);
        this.issued++;
        if (c.starts.length < depth) this.makeReady(c);
      } else if (c.state === St.Closed) {
        cx.connect(c, start);
        this.issued++;
      }
    }
    cx.flush();
  }
}
