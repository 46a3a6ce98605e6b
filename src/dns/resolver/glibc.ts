import type { ResolvConf } from './conf.js';
import type { Behaviour, Candidates, Lookup } from './lookup.js';
import type { CandidateOutcome, LookupStatus } from './search.js';
import type { SockState, Transport } from './transport.js';
import { countAnswers, isLame, rcodeOf } from './wire.js';

/**
 * glibc's exchange for one candidate: __res_context_send / send_dg / __res_context_query.
 * A and AAAA go out together on one socket (one after the other with single-request, and on a
 * reopened socket with single-request-reopen), each (try, nameserver) round has send_dg's
 * timeout, and the two answer buffers decide the candidate's outcome as res_query does.
 */
export class GlibcBehaviour implements Behaviour {
  constructor(private readonly t: Transport, private readonly conf: ResolvConf, private readonly candidates: Candidates) {}

  start(l: Lookup): void {
    this.attempt(l);
  }

  private done(l: Lookup, o: CandidateOutcome): void {
    this.t.freeIds(l);
    this.candidates.candidateDone(l, o);
  }

  /** One (try, nameserver) round of send_dg. */
  private attempt(l: Lookup): void {
    const nservers = this.t.nservers;
    let ns = l.nsShift + l.nsOffset;
    if (ns >= nservers) ns -= nservers;
    const st = this.t.groups[l.group]![ns]!;
    const nq = l.prepared.cands[l.ci]!.queries.length;
    if (l.sock !== st) {
      this.t.freeIds(l);
      this.t.allocIds(l, st, nq);
    }
    l.deadline = this.t.now + this.seconds(l) * 1000;
    this.sendRound(l);
  }

  /** send_dg: seconds = retrans << ns, divided by the server count for ns > 0. */
  private seconds(l: Lookup): number {
    const nservers = this.t.nservers;
    let ns = l.nsShift + l.nsOffset;
    if (ns >= nservers) ns -= nservers;
    let seconds = this.conf.timeout << ns;
    if (ns > 0) seconds = Math.floor(seconds / nservers);
    return seconds <= 0 ? 1 : seconds;
  }

  /** send_dg's "retry:" label: fresh timer, nothing received, first query (and the second unless single-request). */
  private sendRound(l: Lookup): void {
    const nq = l.prepared.cands[l.ci]!.queries.length;
    l.got[0] = l.got[1] = null;
    l.buf1 = l.buf2 = null;
    l.resplenOk = false;
    this.t.send(l, 0);
    if (nq > 1 && !l.single) this.t.send(l, 1);
  }

  response(l: Lookup, _st: SockState, k: number, msg: Buffer): void {
    if (l.got[k]) return; // a duplicate of an answered query: send_dg drops it as not matching
    const nq = l.prepared.cands[l.ci]!.queries.length;
    l.gotSomewhere = true;
    const rcode = rcodeOf(msg);
    const anyReceived = l.got[0] !== null || l.got[1] !== null;
    if (rcode === 2 || rcode === 4 || rcode === 5 || isLame(msg)) {
      if (anyReceived) return this.exchangeDone(l, l.resplenOk, false);
      if (nq > 1) {
        // "no data from the first reply": it stays in buffer 1 with resplen 0; wait for the other
        l.got[k] = msg;
        l.buf1 = msg;
        l.buf1Rcode = rcode;
        l.resplenOk = false;
        return;
      }
      return this.nextServer(l);
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
      if (l.single && l.sends[1 - k] === 0) this.t.send(l, 1 - k);
      return;
    }
    this.exchangeDone(l, l.resplenOk, l.buf2 !== null);
  }

  timeout(l: Lookup): void {
    const nq = l.prepared.cands[l.ci]!.queries.length;
    if (l.resplenOk && nq > 1 && (l.got[0] !== null || l.got[1] !== null)) {
      // one answer and a timeout: switch to sequential sends (then reopen) and go again
      this.t.timedOut(l, l.got[0] === null ? 0 : 1);
      if (!l.single || !l.reopen) {
        if (!l.single) l.single = true;
        else l.reopen = true;
        l.sends[0] = l.sends[1] = 0;
        l.deadline = this.t.now + this.seconds(l) * 1000;
        this.sendRound(l);
        return;
      }
      return this.exchangeDone(l, true, false);
    }
    for (let k = 0; k < nq; k++) {
      if (l.got[k] === null && l.sends[k]! > 0) this.t.timedOut(l, k);
    }
    l.gotSomewhere = true;
    this.nextServer(l);
  }

  /**
   * send_dg on POLLERR (an ICMP error on its connected socket): err_out closes the resolver's
   * sockets and returns 0, so this round ends at once, unanswered, and the next one goes out on
   * a new socket (a new source port). Every lookup waiting on st is in that position here.
   */
  socketError(st: SockState): void {
    const waiting = this.t.activeList.filter((l) => l.sock === st);
    this.t.reopen(st);
    for (const l of waiting) {
      if (l.sock !== st || l.active < 0) continue;
      this.nextServer(l);
    }
  }

  /** send_dg returned 0 without a second answer: next nameserver, then next try, then give up. */
  private nextServer(l: Lookup): void {
    l.nsShift++;
    if (l.nsShift >= this.t.nservers) {
      l.nsShift = 0;
      l.tryIdx++;
    }
    if (l.tryIdx >= this.conf.attempts) {
      return this.done(l, { status: 'TRY_AGAIN', firstRcode: l.buf1Rcode, connRefused: !l.gotSomewhere });
    }
    l.sends[0] = l.sends[1] = 0;
    this.attempt(l);
  }

  /** __res_context_query's verdict on the answer buffers (hp = buffer 1, hp2 = buffer 2). */
  private exchangeDone(l: Lookup, n: boolean, resplen2: boolean): void {
    if (!n && !resplen2) return this.nextServer(l);
    let hp = l.buf1!;
    const hp2 = resplen2 ? l.buf2! : hp;
    if (!n) hp = hp2;
    const ok = (r: Buffer) => rcodeOf(r) === 0 && ((r[6]! << 8) | r[7]!) > 0;
    if (!ok(hp) && !ok(hp2)) {
      const code = rcodeOf(hp) === 0 ? rcodeOf(hp2) : rcodeOf(hp);
      const status: LookupStatus = code === 3 ? 'HOST_NOT_FOUND' : code === 2 ? 'TRY_AGAIN' : code === 0 ? 'NO_DATA' : 'NO_RECOVERY';
      return this.done(l, { status, firstRcode: l.buf1Rcode });
    }
    // res_search returns here; getaddrinfo then wants address records of the asked types
    const qs = l.prepared.cands[l.ci]!.queries;
    let addrs = 0;
    for (const q of qs) addrs += countAnswers(hp, q.type) + (hp2 !== hp ? countAnswers(hp2, q.type) : 0);
    if (this.t.trace) l.answers = hp === hp2 ? [hp] : [hp, hp2];
    this.done(l, { status: addrs > 0 ? 'ok' : 'NO_DATA', firstRcode: l.buf1Rcode });
  }
}
