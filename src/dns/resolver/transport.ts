import { performance } from 'node:perf_hooks';
import { MeasurementError } from '../../core/errors.js';
import { EV_DATA, EV_ERROR, Poller, UDP } from '../../net/netio.js';
import { newHistogram, record, type Histogram } from '../../metrics/histogram.js';
import { NO_ID, type Behaviour, type Lookup } from './lookup.js';
import { countAnswers, matchesQuestion, rcodeOf } from './wire.js';

/**
 * The resolver emulation's transport: many concurrent lookups over a few connected UDP sockets.
 * Fast on purpose: ids are matched through a 64k table per socket, queries are copies of
 * pre-encoded templates written straight into the send buffer, sockets are read and written in
 * batches (recvmmsg/sendmmsg through load/netio.ts), and a single interval scans for timeouts
 * instead of a timer per query. What a query, an answer or a deadline means is the behaviour's
 * (glibc.ts, musl.ts, raw.ts).
 */
export interface Server {
  host: string;
  port: number;
}

export interface TraceEvent {
  /** error: an ICMP error on the socket ended the exchange of this query */
  kind: 'send' | 'answer' | 'timeout' | 'error';
  name: string;
  qtype: number;
  server: string;
  rcode?: number;
  answers?: number;
  rttMs?: number;
  response?: Buffer;
  /** kind error: the errno */
  errno?: number;
}

export interface QueryStats {
  latency: Histogram;
  sent: number;
  answered: number;
  timeouts: number;
  /** ICMP errors (port or host unreachable) reported on a socket */
  socketErrors: number;
  rcodes: number[];
}

export interface SockState {
  /** the socket's id in the poller */
  id: number;
  server: number;
  label: string;
  owner: (Lookup | null)[];
  which: Uint8Array;
  cursor: number;
}

export interface TransportOptions {
  servers: Server[];
  /** socket groups: lookups spread over them, one connected socket per server in each */
  sockets?: number;
  /** every query sent and every answer or timeout, in order (for `discobench resolv`) */
  trace?: (ev: TraceEvent) => void;
  /** queue sends and flush them once per event-loop turn (default true) */
  batchSends?: boolean;
  /** answers are kept beyond their event (glibc/musl buffers, traces): copy them out of the receive slots */
  copyMessages: boolean;
  /** how often the deadlines are scanned */
  scanMs: number;
}

export class Transport {
  readonly stats: QueryStats = { latency: newHistogram(), sent: 0, answered: 0, timeouts: 0, socketErrors: 0, rcodes: new Array(16).fill(0) };
  /** socket groups: one connected socket per server in each */
  readonly groups: SockState[][] = [];
  /** lookups in flight (the deadline scan's list) */
  readonly activeList: Lookup[] = [];
  /** the clock as of the current event (ms); refreshed once per batch of received messages, per flush and per scan */
  now = 0;
  /** set once by the engine before open() */
  behaviour!: Behaviour;
  readonly trace?: (ev: TraceEvent) => void;
  private timer: NodeJS.Timeout | undefined;
  private readonly batch: boolean;
  private poller: Poller | undefined;
  private readonly sockets: SockState[] = [];
  private readonly copyMessages: boolean;
  private outN = 0;
  private readonly outL: (Lookup | null)[] = [];
  private readonly outK: number[] = [];
  private flushScheduled = false;
  private readonly flushFn = () => this.flush();

  constructor(private readonly opts: TransportOptions) {
    this.trace = opts.trace;
    this.batch = opts.batchSends ?? true;
    this.copyMessages = opts.copyMessages;
    if (opts.servers.length === 0) throw new Error('no nameserver to query');
  }

  get nservers(): number {
    return this.opts.servers.length;
  }

  /** Opens and connects the sockets. */
  async open(): Promise<void> {
    const n = Math.max(1, this.opts.sockets ?? 1);
    const servers = this.opts.servers;
    this.poller = new Poller({ maxIds: n * servers.length, slot: 4096, maxEvents: 256, txBytes: 256 << 10 }, (count) => this.onEvents(count));
    for (let g = 0; g < n; g++) {
      const group: SockState[] = [];
      for (let s = 0; s < servers.length; s++) {
        const srv = servers[s]!;
        const id = this.sockets.length;
        const fd = this.connect(id, srv);
        if (fd < 0) {
          this.close();
          throw new MeasurementError(`cannot open a UDP socket to ${srv.host}:${srv.port} (errno ${-fd})`);
        }
        const st: SockState = { id, server: s, label: `${srv.host}:${srv.port}`, owner: new Array(65536).fill(null), which: new Uint8Array(65536), cursor: (Math.random() * 65536) | 0 };
        this.sockets.push(st);
        group.push(st);
      }
      this.groups.push(group);
    }
    this.timer = setInterval(() => this.scan(), this.opts.scanMs);
  }

  private connect(id: number, srv: Server): number {
    return this.poller!.open(id, UDP, srv.host, srv.port, 4 << 20);
  }

  /**
   * A new socket in place of st (a new source port, so a new conntrack entry on the way to the
   * server): what glibc gets after an error closes its sockets. False when it cannot be opened.
   */
  reopen(st: SockState): boolean {
    return this.poller !== undefined && this.connect(st.id, this.opts.servers[st.server]!) >= 0;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    // a pending expire() finds nothing to time out
    this.due.length = 0;
    this.poller?.destroy();
    this.groups.length = 0;
  }

  tick(): number {
    return (this.now = performance.now());
  }

  // ---- ids ----------------------------------------------------------------------------------

  /** n free ids on one socket for l's queries. */
  allocIds(l: Lookup, st: SockState, n: number): void {
    for (let k = 0; k < n; k++) {
      let id = st.cursor;
      while (st.owner[id] !== null) id = (id + 1) & 0xffff;
      st.owner[id] = l;
      st.which[id] = k;
      l.ids[k] = id;
      st.cursor = (id + 7919) & 0xffff;
    }
    l.sock = st;
  }

  freeIds(l: Lookup): void {
    const st = l.sock;
    if (!st) return;
    for (let k = 0; k < 2; k++) {
      const id = l.ids[k]!;
      if (id !== NO_ID && st.owner[id] === l) st.owner[id] = null;
      l.ids[k] = NO_ID;
    }
    l.sock = null;
  }

  /** n ids free on every socket of l's group, so an answer from any server matches (musl sends the same ids to all). */
  allocGroupIds(l: Lookup, n: number): void {
    const group = this.groups[l.group]!;
    for (let k = 0; k < n; k++) {
      let id = group[0]!.cursor;
      while (group.some((s) => s.owner[id] !== null)) id = (id + 1) & 0xffff;
      for (const s of group) { s.owner[id] = l; s.which[id] = k; }
      l.ids[k] = id;
      group[0]!.cursor = (id + 7919) & 0xffff;
    }
    l.sock = group[0]!;
  }

  freeGroupIds(l: Lookup): void {
    const group = this.groups[l.group]!;
    for (let k = 0; k < 2; k++) {
      const id = l.ids[k]!;
      if (id === NO_ID) continue;
      for (const s of group) if (s.owner[id] === l) s.owner[id] = null;
      l.ids[k] = NO_ID;
    }
    l.sock = null;
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Queues l's query k on l.sock (sent at the next flush). */
  send(l: Lookup, k: number): void {
    const q = l.prepared.cands[l.ci]!.queries[k]!;
    const st = l.sock!;
    const t = q.template;
    const poller = this.poller!;
    const off = poller.reserve(st.id, t.length, this.flushFn);
    const tx = poller.tx;
    t.copy(tx, off);
    const id = l.ids[k]!;
    tx[off] = id >>> 8;
    tx[off + 1] = id & 255;
    l.sends[k]!++;
    l.queries++;
    this.stats.sent++;
    if (this.trace) this.trace({ kind: 'send', name: l.prepared.cands[l.ci]!.name, qtype: q.type, server: st.label });
    const n = this.outN++;
    this.outL[n] = l;
    this.outK[n] = k;
    if (!this.batch) return this.flush();
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushFn);
    }
  }

  /**
   * Sends what was queued, in order, in one call. Answers that arrive together are replaced by a
   * burst of queries instead of one wake-up of the server per query, which is what lets a closed
   * loop keep pace with dnsperf's separate sending thread.
   */
  private flush(): void {
    this.flushScheduled = false;
    const n = this.outN;
    if (n === 0) return;
    const now = this.tick();
    this.outN = 0;
    const poller = this.poller;
    // UDP datagrams go out whole or not at all: fewer than n means some send failed
    const whole = poller ? poller.flush() : n;
    // a send that failed on a pending ICMP error took that error from the socket: the same as
    // its POLLERR (handled after this flush, which may run inside a behaviour's step)
    let failed: Map<SockState, number> | undefined;
    for (let i = 0; i < n; i++) {
      const l = this.outL[i]!;
      l.sentAt[this.outK[i]!] = now;
      if (whole < n && poller!.lens[i]! < 0 && l.sock && !failed?.has(l.sock)) (failed ??= new Map()).set(l.sock, -poller!.lens[i]!);
      this.outL[i] = null;
    }
    if (failed) queueMicrotask(() => { for (const [st, errno] of failed) this.socketError(st, errno); });
  }

  /**
   * An ICMP error on st (the address it leads to answers "port unreachable", or nothing routes
   * there): counted and traced, then the behaviour decides (glibc gives up the round at once and
   * reopens; musl and dnsperf never see it on their unconnected sockets and wait for the timeout).
   */
  private socketError(st: SockState, errno: number): void {
    this.stats.socketErrors++;
    if (this.trace) this.trace({ kind: 'error', name: '', qtype: 0, server: st.label, errno });
    this.behaviour.socketError?.(st, errno);
  }

  // ---- receiving ----------------------------------------------------------------------------

  /** One batch of received datagrams (all sockets), stamped with one arrival time; queued sends leave after it. */
  private onEvents(count: number): void {
    const now = this.tick();
    const { ev, rx, slot } = this.poller!;
    for (let i = 0; i < count; i++) {
      const e = i << 2;
      const st = this.sockets[ev[e]!];
      if (!st) continue;
      if (ev[e + 1] === EV_ERROR) {
        this.socketError(st, ev[e + 2]!);
        continue;
      }
      if (ev[e + 1] !== EV_DATA) continue;
      const view = rx.subarray(i * slot, i * slot + Math.min(ev[e + 2]!, slot));
      this.onMessage(st, this.copyMessages ? Buffer.from(view) : view, now);
    }
    this.flush();
  }

  private onMessage(st: SockState, msg: Buffer, now: number): void {
    if (msg.length < 12) return;
    const id = (msg[0]! << 8) | msg[1]!;
    const l = st.owner[id];
    if (!l) return;
    const k = st.which[id]!;
    const q = l.prepared.cands[l.ci]!.queries[k]!;
    // compare the question with the template (whose id bytes are 0): patch the id check
    if (!sameQuestion(q.template, q.qEnd, msg)) return;
    const rtt = now - l.sentAt[k]!;
    record(this.stats.latency, rtt);
    this.stats.answered++;
    const rcode = rcodeOf(msg);
    this.stats.rcodes[rcode]!++;
    if (this.trace) this.trace({ kind: 'answer', name: l.prepared.cands[l.ci]!.name, qtype: q.type, server: st.label, rcode, answers: countAnswers(msg, q.type), rttMs: rtt, response: msg });
    this.behaviour.response(l, st, k, msg);
  }

  // ---- deadlines ----------------------------------------------------------------------------

  private readonly due: Lookup[] = [];
  private expiring = false;
  private readonly expireFn = () => this.expire();

  /**
   * Finds the lookups past their deadline and times them out after this turn's poll: glibc's
   * send_dg polls before it judges a timeout, so an answer already waiting in the socket (a
   * process that stalled past the deadline while it arrived) counts. libuv runs due timers
   * before it polls, so judging here would time out answers that are already in.
   */
  private scan(): void {
    if (this.expiring) return;
    const now = this.tick();
    for (const l of this.activeList) if (l.deadline <= now) this.due.push(l);
    if (this.due.length === 0) return;
    this.expiring = true;
    setImmediate(this.expireFn);
  }

  private expire(): void {
    this.expiring = false;
    const now = this.tick();
    const due = this.due;
    for (const l of due) {
      // answered meanwhile, or a pooled lookup begun again: its deadline is a new one
      if (l.active < 0 || l.deadline > now) continue;
      this.behaviour.timeout(l, now);
    }
    due.length = 0;
  }

  /** Counts and traces a timeout of l's query k. */
  timedOut(l: Lookup, k: number): void {
    this.stats.timeouts++;
    l.timeouts++;
    if (!this.trace) return;
    const q = l.prepared.cands[l.ci]!.queries[k]!;
    this.trace({ kind: 'timeout', name: l.prepared.cands[l.ci]!.name, qtype: q.type, server: l.sock?.label ?? '' });
  }
}

/** matchesQuestion against a template whose id bytes are zero: the id was already matched by table lookup. */
function sameQuestion(template: Buffer, qEnd: number, msg: Buffer): boolean {
  const id0 = template[0]!;
  const id1 = template[1]!;
  template[0] = msg[0]!;
  template[1] = msg[1]!;
  const ok = matchesQuestion(template, qEnd, msg);
  template[0] = id0;
  template[1] = id1;
  return ok;
}
