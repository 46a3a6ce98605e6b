import type { ResolvConf } from './conf.js';
import { GlibcBehaviour } from './glibc.js';
import type { Behaviour, Candidates, Lookup } from './lookup.js';
import { MuslBehaviour } from './musl.js';
import type { Mode, PreparedName } from './prepare.js';
import { RawBehaviour } from './raw.js';
import { SearchWalk, type CandidateOutcome, type LookupStatus } from './search.js';
import { Transport, type QueryStats, type Server, type TraceEvent } from './transport.js';

const NO_ANSWERS: Buffer[] = [];

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

/**
 * The resolver emulation: many concurrent lookups, each walking its candidates (search.ts)
 * exactly as glibc (glibc.ts) or musl (musl.ts) would, or one query per lookup in raw mode
 * (raw.ts, dnsperf's way), over one transport (transport.ts: sockets, id tables, sends,
 * deadlines). This class owns a lookup from begin() to onDone.
 */
export class ResolverEngine implements Candidates {
  readonly stats: QueryStats;
  private readonly transport: Transport;
  private readonly behaviour: Behaviour;
  private rotateCounter = 0;

  constructor(private readonly opts: EngineOptions) {
    const timeoutMs = opts.conf.timeout * 1000;
    this.transport = new Transport({
      servers: opts.servers,
      sockets: opts.sockets,
      trace: opts.trace,
      batchSends: opts.batchSends,
      copyMessages: opts.mode !== 'raw' || opts.trace !== undefined,
      scanMs: Math.max(5, Math.min(100, Math.floor(timeoutMs / 20))),
    });
    this.stats = this.transport.stats;
    this.behaviour =
      opts.mode === 'glibc' ? new GlibcBehaviour(this.transport, opts.conf, this)
      : opts.mode === 'musl' ? new MuslBehaviour(this.transport, opts.conf, this)
      : new RawBehaviour(this.transport, timeoutMs, this);
    this.transport.behaviour = this.behaviour;
  }

  /** Opens and connects the sockets. */
  open(): Promise<void> {
    return this.transport.open();
  }

  close(): void {
    this.transport.close();
  }

  /** the clock as of the current event (ms); refreshed once per batch of received messages, per flush and per scan */
  get now(): number {
    return this.transport.now;
  }

  get inflight(): number {
    return this.transport.activeList.length;
  }

  tick(): number {
    return this.transport.tick();
  }

  /** Starts a lookup; opts.onDone(l) is called once it has a final status. Call tick() first unless inside onDone. */
  begin(l: Lookup, prepared: PreparedName, start: number, group: number): void {
    const conf = this.opts.conf;
    l.prepared = prepared;
    l.start = start;
    l.queries = 0;
    l.timeouts = 0;
    l.status = 'ok';
    l.answers = NO_ANSWERS;
    l.group = group % this.transport.groups.length;
    l.single = conf.singleRequest || conf.singleRequestReopen;
    l.reopen = conf.singleRequestReopen;
    l.buf1Rcode = -1;
    if (this.opts.mode !== 'raw') l.walk = new SearchWalk(this.opts.mode, prepared.list);
    const active = this.transport.activeList;
    l.active = active.length;
    active.push(l);
    this.startCandidate(l, 0);
  }

  private startCandidate(l: Lookup, ci: number): void {
    l.ci = ci;
    l.tryIdx = 0;
    l.nsShift = 0;
    l.gotSomewhere = false;
    l.got[0] = l.got[1] = null;
    l.sends[0] = l.sends[1] = 0;
    const nservers = this.transport.nservers;
    l.nsOffset = this.opts.conf.rotate && nservers > 1 ? this.rotateCounter++ % nservers : 0;
    this.behaviour.start(l);
  }

  /** The behaviour's verdict on a candidate (its ids already freed): the next candidate, or the lookup's status. */
  candidateDone(l: Lookup, o: CandidateOutcome): void {
    if (this.opts.mode === 'raw') return this.finish(l, o.status);
    const next = l.walk.next(l.ci, o);
    if (typeof next === 'number') this.startCandidate(l, next);
    else this.finish(l, next);
  }

  private finish(l: Lookup, status: LookupStatus): void {
    l.status = status;
    const active = this.transport.activeList;
    const last = active.pop()!;
    if (last !== l) {
      active[l.active] = last;
      last.active = l.active;
    }
    l.active = -1;
    this.opts.onDone(l);
  }
}
