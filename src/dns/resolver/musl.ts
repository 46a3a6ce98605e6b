import type { ResolvConf } from './conf.js';
import type { Behaviour, Candidates, Lookup } from './lookup.js';
import type { LookupStatus } from './search.js';
import type { SockState, Transport } from './transport.js';
import { countAnswers, rcodeOf } from './wire.js';

/**
 * musl's exchange for one candidate: __res_msend_rc / name_from_dns. Every query goes to every
 * nameserver at once with the same id, is retransmitted every timeout/attempts until the
 * overall timeout, a SERVFAIL is retried a bounded number of times, and any query left
 * unanswered or failed ends the candidate with EAI_AGAIN.
 */
export class MuslBehaviour implements Behaviour {
  private readonly timeoutMs: number;

  constructor(private readonly t: Transport, private readonly conf: ResolvConf, private readonly candidates: Candidates) {
    this.timeoutMs = conf.timeout * 1000;
  }

  start(l: Lookup): void {
    const now = this.t.now;
    const nq = l.prepared.cands[l.ci]!.queries.length;
    // one id set per server socket; every query goes to every server
    this.t.freeIds(l);
    l.sock = null;
    this.t.allocGroupIds(l, nq);
    l.final = now + this.timeoutMs;
    l.nextRetry = now;
    this.retransmit(l, now);
  }

  private retransmit(l: Lookup, now: number): void {
    const cand = l.prepared.cands[l.ci]!;
    const group = this.t.groups[l.group]!;
    for (let k = 0; k < cand.queries.length; k++) {
      if (l.got[k] !== null) continue;
      for (const st of group) {
        l.sock = st;
        this.t.send(l, k);
      }
    }
    l.sock = group[0]!;
    l.servfailRetry = 2 * cand.queries.length;
    l.nextRetry = now + this.timeoutMs / this.conf.attempts;
    l.deadline = Math.min(l.nextRetry, l.final);
  }

  response(l: Lookup, st: SockState, k: number, msg: Buffer): void {
    if (l.got[k] !== null) return;
    const rcode = rcodeOf(msg);
    if (rcode === 2) {
      if (l.servfailRetry > 0) {
        l.servfailRetry--;
        const prev = l.sock;
        l.sock = st;
        this.t.send(l, k);
        l.sock = prev;
      }
      return;
    }
    if (rcode !== 0 && rcode !== 3) return;
    l.got[k] = msg;
    const nq = l.prepared.cands[l.ci]!.queries.length;
    for (let i = 0; i < nq; i++) if (l.got[i] === null) return;
    this.done(l);
  }

  timeout(l: Lookup, now: number): void {
    if (now >= l.final) {
      const nq = l.prepared.cands[l.ci]!.queries.length;
      for (let k = 0; k < nq; k++) {
        if (l.got[k] === null) this.t.timedOut(l, k);
      }
      return this.done(l);
    }
    this.retransmit(l, now);
  }

  /** name_from_dns: any query unanswered or SERVFAIL -> EAI_AGAIN; NXDOMAIN -> next candidate. */
  private done(l: Lookup): void {
    const cand = l.prepared.cands[l.ci]!;
    this.t.freeGroupIds(l);
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
      if (this.t.trace) l.answers = l.got.filter((b): b is Buffer => b !== null);
    }
    this.candidates.candidateDone(l, { status });
  }
}
