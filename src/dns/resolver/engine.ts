import { performance } from 'node:perf_hooks';
import { MeasurementError } from '../../core/errors.js';
import { EV_DATA, Poller, UDP } from '../../load/netio.js';
import { newHistogram, record, type Histogram } from '../../metrics/histogram.js';
import type { ResolvConf } from './conf.js';
import type { Mode, PreparedName } from './prepare.js';
import { SearchWalk, type CandidateOutcome, type LookupStatus } from './search.js';
import { countAnswers, isLame, matchesQuestion, rcodeOf } from './wire.js';

/**
 * The resolver emulation's transport: many concurrent lookups over a few connected UDP sockets,
 * each lookup walking its candidates exactly as glibc (send_dg/res_query/res_search) or musl
 * (res_msend/name_from_dns) would, or one query per lookup in raw mode (dnsperf's way).
 * Fast on purpose: ids are matched through a 64k table per socket, queries are copies of
 * pre-encoded templates written straight into the send buffer, sockets are read and written in
 * batches (recvmmsg/sendmmsg through load/netio.ts), and a single interval scans for timeouts
 * instead of a timer per query.
 */
export interface Server {
  host: string;
  port: number;
}

export interface TraceEvent {
  kind: 'send' | 'answer' | 'timeout';
  name: string;
  qtype: number;
  server: string;
  rcode?: number;
  answers?: number;
  rttMs?: number;
  response?: Buffer;
}

export interface EngineOptions {
  servers: Server[];
  conf: ResolvConf;
  mode: Mode;
  /** socket groups: lookups spread over them, one connected socket per server in each */
  sockets?: number;
  /** every query sent and every answer or timeout, in order (for `discobench resolv`) */
  trace?: (ev: TraceEvent) => void;
  onDone: (l: Lookup) => void;
  /** queue sends and flush them once per event-loop turn (default true) */
  batchSends?: boolean;
}

export interface QueryStats {
  latency: Histogram;
  sent: number;
  answered: number;
  timeouts: number;
  rcodes: number[];
}

interface SockState {
  /** the socket's id in the poller */
  id: number;
  server: number;
  label: string;
  owner: (Lookup | null)[];
  which: Uint8Array;
  cursor: number;
}

const NO_ID = -1;
const NO_ANSWERS: Buffer[] = [];

/** One application lookup in flight; pooled and reused by the load driver. */
export class Lookup {
  prepared!: PreparedName;
  /** intended start (ms, performance.now()): latency is measured from here */
  start = 0;
  queries = 0;
  status: LookupStatus = 'ok';
  /** responses of the candidate that produced the answer (kept only when tracing) */
  answers: Buffer[] = [];

  walk!: SearchWalk;
  ci = 0;
  active = -1;
  deadline = 0;
  group = 0;
  // exchange state for the current candidate
  sock: SockState | null = null;
  readonly ids = [NO_ID, NO_ID];
  readonly sentAt = [0, 0];
  readonly sends = [0, 0];
  readonly got: (Buffer | null)[] = [null, null];
  /** glibc: buffer 1 (first arrived) and buffer 2 of send_dg; musl: per query */
  buf1: Buffer | null = null;
  buf2: Buffer | null = null;
  /** glibc resplen > 0: buffer 1 holds a usable answer */
  resplenOk = false;
  tryIdx = 0;
  nsShift = 0;
  nsOffset = 0;
  single = false;
  reopen = false;
  /** rcode in glibc's first answer buffer, which outlives a candidate (res_search reads it) */
  buf1Rcode = -1;
  gotSomewhere = false;
  // musl
  final = 0;
  nextRetry = 0;
  servfailRetry = 0;
}

export class ResolverEngine {
  readonly stats: QueryStats = { latency: newHistogram(), sent: 0, answered: 0, timeouts: 0, rcodes: new Array(16).fill(0) };
  private readonly groups: SockState[][] = [];
  private readonly activeList: Lookup[] = [];
  private timer: NodeJS.Timeout | undefined;
  private rotateCounter = 0;
  /** the clock as of the current event (ms); refreshed once per batch of received messages, per flush and per scan */
  now = 0;
  private readonly batch: boolean;
  private poller: Poller | undefined;
  private readonly sockets: SockState[] = [];
  /** answers are kept beyond their event (glibc/musl buffers, traces): copy them out of the receive slots */
  private readonly copyMessages: boolean;
  private outN = 0;
  private readonly outL: (Lookup | null)[] = [];
  private readonly outK: number[] = [];
  private flushScheduled = false;
  private readonly flushFn = () => this.flush();
  private readonly timeoutMs: number;
  private readonly tickMs: number;
  private readonly trace?: (ev: TraceEvent) => void;

  constructor(private readonly opts: EngineOptions) {
    const conf = opts.conf;
    this.timeoutMs = conf.timeout * 1000;
    this.tickMs = Math.max(5, Math.min(100, Math.floor(this.timeoutMs / 20)));
    this.trace = opts.trace;
    this.batch = opts.batchSends ?? true;
    this.copyMessages = opts.mode !== 'raw' || opts.trace !== undefined;
    if (opts.servers.length === 0) throw new Error('no nameserver to query');
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
        const fd = this.poller.open(id, UDP, srv.host, srv.port, 4 << 20);
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
    this.timer = setInterval(() => this.scan(), this.tickMs);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.poller?.destroy();
    this.groups.length = 0;
  }

  get inflight(): number {
    return this.activeList.length;
  }

  tick(): number {
    return (this.now = performance.now());
  }

  /** Starts a lookup; opts.onDone(l) is called once it has a final status. Call tick() first unless inside onDone. */
  begin(l: Lookup, prepared: PreparedName, start: number, group: number): void {
    l.prepared = prepared;
    l.start = start;
    l.queries = 0;
    l.status = 'ok';
    l.answers = NO_ANSWERS;
    l.group = group % this.groups.length;
    l.single = this.opts.conf.singleRequest || this.opts.conf.singleRequestReopen;
    l.reopen = this.opts.conf.singleRequestReopen;
    l.buf1Rcode = -1;
    if (this.opts.mode !== 'raw') l.walk = new SearchWalk(this.opts.mode, prepared.list);
    l.active = this.activeList.length;
    this.activeList.push(l);
    this.startCandidate(l, 0);
  }

  // ---- candidates -------------------------------------------------------------------------

  private startCandidate(l: Lookup, ci: number): void {
    l.ci = ci;
    l.tryIdx = 0;
    l.nsShift = 0;
    l.gotSomewhere = false;
    l.got[0] = l.got[1] = null;
    l.sends[0] = l.sends[1] = 0;
    const nservers = this.opts.servers.length;
    l.nsOffset = this.opts.conf.rotate && nservers > 1 ? this.rotateCounter++ % nservers : 0;
    if (this.opts.mode === 'musl') this.muslStart(l);
    else this.glibcAttempt(l);
  }

  private candidateDone(l: Lookup, o: CandidateOutcome): void {
    this.freeIds(l);
    if (this.opts.mode === 'raw') return this.finish(l, o.status);
    const next = l.walk.next(l.ci, o);
    if (typeof next === 'number') this.startCandidate(l, next);
    else this.finish(l, next);
  }

  private finish(l: Lookup, status: LookupStatus): void {
    l.status = status;
    const last = this.activeList.pop()!;
    if (last !== l) {
      this.activeList[l.active] = last;
      last.active = l.active;
    }
    l.active = -1;
    this.opts.onDone(l);
  }

  // ---- ids and sending ----------------------------------------------------------------------

  private allocIds(l: Lookup, st: SockState, n: number): void {
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

  private freeIds(l: Lookup): void {
    const st = l.sock;
    if (!st) return;
    for (let k = 0; k < 2; k++) {
      const id = l.ids[k]!;
      if (id !== NO_ID && st.owner[id] === l) st.owner[id] = null;
      l.ids[k] = NO_ID;
    }
    l.sock = null;
  }

  private send(l: Lookup, k: number): void {
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
    for (let i = 0; i < n; i++) {
      this.outL[i]!.sentAt[this.outK[i]!] = now;
      this.outL[i] = null;
    }
    this.poller?.flush();
  }

  // ---- receiving ----------------------------------------------------------------------------

  /** One batch of received datagrams (all sockets), stamped with one arrival time; queued sends leave after it. */
  private onEvents(count: number): void {
    const now = this.tick();
    const { ev, rx, slot } = this.poller!;
    for (let i = 0; i < count; i++) {
      const e = i << 2;
      if (ev[e + 1] !== EV_DATA) continue;
      const st = this.sockets[ev[e]!];
      if (!st) continue;
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
    if (this.opts.mode === 'glibc') this.glibcResponse(l, k, msg);
    else if (this.opts.mode === 'musl') this.muslResponse(l, st, k, msg);
    else {
      if (this.trace) l.answers = [msg];
      this.candidateDone(l, { status: rcode === 0 ? 'ok' : rcode === 3 ? 'HOST_NOT_FOUND' : rcode === 2 ? 'TRY_AGAIN' : 'NO_RECOVERY' });
    }
  }

  // ---- timers -------------------------------------------------------------------------------

  private readonly due: Lookup[] = [];

  private scan(): void {
    const now = this.tick();
    const due = this.due;
    for (const l of this.activeList) if (l.deadline <= now) due.push(l);
    for (const l of due) {
      if (l.active < 0 || l.deadline > now) continue;
      if (this.opts.mode === 'musl') this.muslTimer(l, now);
      else if (this.opts.mode === 'glibc') this.glibcTimeout(l);
      else {
        this.stats.timeouts++;
        if (this.trace) this.traceTimeout(l, 0);
        this.candidateDone(l, { status: 'TRY_AGAIN' });
      }
    }
    due.length = 0;
  }

  private traceTimeout(l: Lookup, k: number): void {
    const q = l.prepared.cands[l.ci]!.queries[k]!;
    this.trace?.({ kind: 'timeout', name: l.prepared.cands[l.ci]!.name, qtype: q.type, server: l.sock?.label ?? '' });
  }

  // ---- glibc: __res_context_send / send_dg / __res_context_query -----------------------------

  /** One (try, nameserver) round of send_dg. */
  private glibcAttempt(l: Lookup): void {
    const conf = this.opts.conf;
    const nservers = this.opts.servers.length;
    let ns = l.nsShift + l.nsOffset;
    if (ns >= nservers) ns -= nservers;
    const st = this.groups[l.group]![ns]!;
    const nq = this.opts.mode === 'raw' ? 1 : l.prepared.cands[l.ci]!.queries.length;
    if (l.sock !== st) {
      this.freeIds(l);
      this.allocIds(l, st, nq);
    }
    // send_dg: seconds = retrans << ns, divided by the server count for ns > 0
    let seconds = conf.timeout << ns;
    if (ns > 0) seconds = Math.floor(seconds / nservers);
    if (seconds <= 0) seconds = 1;
    l.deadline = this.now + (this.opts.mode === 'raw' ? this.timeoutMs : seconds * 1000);
    this.glibcSendRound(l);
  }

  /** send_dg's "retry:" label: fresh timer, nothing received, first query (and the second unless single-request). */
  private glibcSendRound(l: Lookup): void {
    const nq = l.prepared.cands[l.ci]!.queries.length;
    l.got[0] = l.got[1] = null;
    l.buf1 = l.buf2 = null;
    l.resplenOk = false;
    this.send(l, 0);
    if (nq > 1 && !l.single) this.send(l, 1);
  }

  private glibcResponse(l: Lookup, k: number, msg: Buffer): void {
    if (l.got[k]) return; // a duplicate of an answered query: send_dg drops it as not matching
    const nq = l.prepared.cands[l.ci]!.queries.length;
    l.gotSomewhere = true;
    const rcode = rcodeOf(msg);
    const anyReceived = l.got[0] !== null || l.got[1] !== null;
    if (rcode === 2 || rcode === 4 || rcode === 5 || isLame(msg)) {
      if (anyReceived) return this.glibcExchangeDone(l, l.resplenOk, false);
      if (nq > 1) {
        // "no data from the first reply": it stays in buffer 1 with resplen 0; wait for the other
        l.got[k] = msg;
        l.buf1 = msg;
        l.buf1Rcode = rcode;
        l.resplenOk = false;
        return;
      }
      return this.glibcNextServer(l);
    }
    if (!anyReceived) {
      l.buf1 = msg;
      l.buf1Rcode = rcode;
      l.resplenOk = true;
    } else {
      l.buf2 = msg;
    }
    l.got[k] = msg;
    if (nq > 1 && (l.got[0] === null || l.got[1] === null)) {
      // single-request: the second query goes out once the first is answered (reopen: new socket, same server)
      if (l.single && l.sends[1 - k] === 0) this.send(l, 1 - k);
      return;
    }
    this.glibcExchangeDone(l, l.resplenOk, l.buf2 !== null);
  }

  private glibcTimeout(l: Lookup): void {
    const nq = l.prepared.cands[l.ci]!.queries.length;
    if (l.resplenOk && nq > 1 && (l.got[0] !== null || l.got[1] !== null)) {
      // one answer and a timeout: switch to sequential sends (then reopen) and go again
      const missing = l.got[0] === null ? 0 : 1;
      this.stats.timeouts++;
      if (this.trace) this.traceTimeout(l, missing);
      if (!l.single || !l.reopen) {
        if (!l.single) l.single = true;
        else l.reopen = true;
        l.sends[0] = l.sends[1] = 0;
        l.deadline = this.now + this.glibcSeconds(l) * 1000;
        this.glibcSendRound(l);
        return;
      }
      return this.glibcExchangeDone(l, true, false);
    }
    for (let k = 0; k < nq; k++) {
      if (l.got[k] === null && l.sends[k]! > 0) {
        this.stats.timeouts++;
        if (this.trace) this.traceTimeout(l, k);
      }
    }
    l.gotSomewhere = true;
    this.glibcNextServer(l);
  }

  private glibcSeconds(l: Lookup): number {
    const nservers = this.opts.servers.length;
    let ns = l.nsShift + l.nsOffset;
    if (ns >= nservers) ns -= nservers;
    let seconds = this.opts.conf.timeout << ns;
    if (ns > 0) seconds = Math.floor(seconds / nservers);
    return seconds <= 0 ? 1 : seconds;
  }

  /** send_dg returned 0 without a second answer: next nameserver, then next try, then give up. */
  private glibcNextServer(l: Lookup): void {
    if (this.opts.mode === 'raw') return this.candidateDone(l, { status: 'TRY_AGAIN' });
    l.nsShift++;
    if (l.nsShift >= this.opts.servers.length) {
      l.nsShift = 0;
      l.tryIdx++;
    }
    if (l.tryIdx >= this.opts.conf.attempts) {
      return this.candidateDone(l, { status: 'TRY_AGAIN', firstRcode: l.buf1Rcode, connRefused: !l.gotSomewhere });
    }
    l.sends[0] = l.sends[1] = 0;
    this.glibcAttempt(l);
  }

  /** __res_context_query's verdict on the answer buffers (hp = buffer 1, hp2 = buffer 2). */
  private glibcExchangeDone(l: Lookup, n: boolean, resplen2: boolean): void {
    if (!n && !resplen2) return this.glibcNextServer(l);
    let hp = l.buf1!;
    let hp2 = resplen2 ? l.buf2! : hp;
    if (!n) hp = hp2;
    const ok = (r: Buffer) => rcodeOf(r) === 0 && ((r[6]! << 8) | r[7]!) > 0;
    if (!ok(hp) && !ok(hp2)) {
      const code = rcodeOf(hp) === 0 ? rcodeOf(hp2) : rcodeOf(hp);
      const status: LookupStatus = code === 3 ? 'HOST_NOT_FOUND' : code === 2 ? 'TRY_AGAIN' : code === 0 ? 'NO_DATA' : 'NO_RECOVERY';
      return this.candidateDone(l, { status, firstRcode: l.buf1Rcode });
    }
    // res_search returns here; getaddrinfo then wants address records of the asked types
    const qs = l.prepared.cands[l.ci]!.queries;
    let addrs = 0;
    for (const q of qs) addrs += countAnswers(hp, q.type) + (hp2 !== hp ? countAnswers(hp2, q.type) : 0);
    if (this.trace) l.answers = hp === hp2 ? [hp] : [hp, hp2];
    this.candidateDone(l, { status: addrs > 0 ? 'ok' : 'NO_DATA', firstRcode: l.buf1Rcode });
  }

  // ---- musl: __res_msend_rc / name_from_dns ------------------------------------------------

  private muslStart(l: Lookup): void {
    const now = this.now;
    const nq = l.prepared.cands[l.ci]!.queries.length;
    // one id set per server socket; every query goes to every server
    this.freeIds(l);
    l.sock = null;
    this.allocMuslIds(l, nq);
    l.final = now + this.timeoutMs;
    l.nextRetry = now;
    this.muslRetransmit(l, now);
  }

  /** musl sends the same ids to all servers; here each server has its own socket and id table. */
  private allocMuslIds(l: Lookup, nq: number): void {
    const group = this.groups[l.group]!;
    // pick ids free on every socket of the group so responses from any server match
    for (let k = 0; k < nq; k++) {
      let id = group[0]!.cursor;
      while (group.some((s) => s.owner[id] !== null)) id = (id + 1) & 0xffff;
      for (const s of group) { s.owner[id] = l; s.which[id] = k; }
      l.ids[k] = id;
      group[0]!.cursor = (id + 7919) & 0xffff;
    }
    l.sock = group[0]!;
  }

  private freeMuslIds(l: Lookup): void {
    const group = this.groups[l.group]!;
    for (let k = 0; k < 2; k++) {
      const id = l.ids[k]!;
      if (id === NO_ID) continue;
      for (const s of group) if (s.owner[id] === l) s.owner[id] = null;
      l.ids[k] = NO_ID;
    }
    l.sock = null;
  }

  private muslRetransmit(l: Lookup, now: number): void {
    const cand = l.prepared.cands[l.ci]!;
    const group = this.groups[l.group]!;
    for (let k = 0; k < cand.queries.length; k++) {
      if (l.got[k] !== null) continue;
      for (const st of group) {
        l.sock = st;
        this.send(l, k);
      }
    }
    l.sock = group[0]!;
    l.servfailRetry = 2 * cand.queries.length;
    l.nextRetry = now + this.timeoutMs / this.opts.conf.attempts;
    l.deadline = Math.min(l.nextRetry, l.final);
  }

  private muslResponse(l: Lookup, st: SockState, k: number, msg: Buffer): void {
    if (l.got[k] !== null) return;
    const rcode = rcodeOf(msg);
    if (rcode === 2) {
      if (l.servfailRetry > 0) {
        l.servfailRetry--;
        const prev = l.sock;
        l.sock = st;
        this.send(l, k);
        l.sock = prev;
      }
      return;
    }
    if (rcode !== 0 && rcode !== 3) return;
    l.got[k] = msg;
    const nq = l.prepared.cands[l.ci]!.queries.length;
    for (let i = 0; i < nq; i++) if (l.got[i] === null) return;
    this.muslDone(l);
  }

  private muslTimer(l: Lookup, now: number): void {
    if (now >= l.final) {
      const nq = l.prepared.cands[l.ci]!.queries.length;
      for (let k = 0; k < nq; k++) {
        if (l.got[k] === null) {
          this.stats.timeouts++;
          if (this.trace) this.traceTimeout(l, k);
        }
      }
      return this.muslDone(l);
    }
    this.muslRetransmit(l, now);
  }

  /** name_from_dns: any query unanswered or SERVFAIL -> EAI_AGAIN; NXDOMAIN -> next candidate. */
  private muslDone(l: Lookup): void {
    const cand = l.prepared.cands[l.ci]!;
    this.freeMuslIds(l);
    let status: LookupStatus | undefined;
    for (let i = 0; i < cand.queries.length && !status; i++) {
      const r = l.got[i];
      if (!r || rcodeOf(r) === 2) status = 'TRY_AGAIN';
      else if (rcodeOf(r) === 3) status = 'HOST_NOT_FOUND';
      else if (rcodeOf(r) !== 0) status = 'NO_RECOVERY';
    }
    if (!status) {
      let addrs = 0;
      for (let i = 0; i < cand.queries.length; i++) addrs += countAnswers(l.got[i]!, cand.queries[i]!.type);
      status = addrs > 0 ? 'ok' : 'NO_DATA';
      if (this.trace) l.answers = l.got.filter((b): b is Buffer => b !== null);
    }
    const next = l.walk.next(l.ci, { status });
    if (typeof next === 'number') this.startCandidate(l, next);
    else this.finish(l, next);
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
