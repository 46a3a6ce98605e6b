import type { Behaviour, Candidates, Lookup } from './lookup.js';
import type { SockState, Transport } from './transport.js';
import { rcodeOf } from './wire.js';

/**
 * dnsperf's way: each names-file line is one query and the lookup ends with its answer or its
 * timeout (the --timeout exactly, in ms); no search list, no retries, no second nameserver.
 */
export class RawBehaviour implements Behaviour {
  constructor(private readonly t: Transport, private readonly timeoutMs: number, private readonly candidates: Candidates) {}

  start(l: Lookup): void {
    const nservers = this.t.nservers;
    let ns = l.nsShift + l.nsOffset;
    if (ns >= nservers) ns -= nservers;
    const st = this.t.groups[l.group]![ns]!;
    if (l.sock !== st) {
      this.t.freeIds(l);
      this.t.allocIds(l, st, 1);
    }
    l.deadline = this.t.now + this.timeoutMs;
    this.t.send(l, 0);
  }

  response(l: Lookup, _st: SockState, _k: number, msg: Buffer): void {
    const rcode = rcodeOf(msg);
    if (this.t.trace) l.answers = [msg];
    this.done(l, rcode === 0 ? 'ok' : rcode === 3 ? 'HOST_NOT_FOUND' : rcode === 2 ? 'TRY_AGAIN' : 'NO_RECOVERY');
  }

  timeout(l: Lookup): void {
    this.t.timedOut(l, 0);
    this.done(l, 'TRY_AGAIN');
  }

  private done(l: Lookup, status: 'ok' | 'HOST_NOT_FOUND' | 'TRY_AGAIN' | 'NO_RECOVERY'): void {
    this.t.freeIds(l);
    this.candidates.candidateDone(l, { status });
  }
}
