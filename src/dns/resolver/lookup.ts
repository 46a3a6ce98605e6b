import type { SockState } from './transport.js';
import type { PreparedName } from './prepare.js';
import type { CandidateOutcome, LookupStatus, SearchWalk } from './search.js';

export const NO_ID = -1;

/**
 * One application lookup in flight; pooled and reused by the load driver. One flat object for
 * the transport's and both behaviours' state, so a pooled lookup never changes shape.
 */
export class Lookup {
  prepared!: PreparedName;
  /** intended start (ms, performance.now()): latency is measured from here */
  start = 0;
  queries = 0;
  /** queries of this lookup whose resolver timeout fired (unanswered in time) */
  timeouts = 0;
  status: LookupStatus = 'ok';
  /** responses of the candidate that produced the answer (kept only when tracing) */
  answers: Buffer[] = [];

  walk!: SearchWalk;
  ci = 0;
  active = -1;
  deadline = 0;
  group = 0;
  // exchange state for the current candidate (transport: ids, sends and their times)
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

/**
 * How a C library drives one candidate's exchange over the transport (glibc.ts, musl.ts,
 * raw.ts): its first sends, what an answer does, what a deadline does. It reports the
 * candidate's outcome to its Candidates, which walks the search list.
 */
export interface Behaviour {
  start(l: Lookup): void;
  /** an answer to l's query k, matched by id and question, on socket st */
  response(l: Lookup, st: SockState, k: number, msg: Buffer): void;
  /** l's deadline has passed */
  timeout(l: Lookup, now: number): void;
  /** an ICMP error on socket st (errno); absent: the error is ignored and queries time out */
  socketError?(st: SockState, errno: number): void;
}

/** The engine's side: a candidate is over (its ids already freed); the next one starts or the lookup ends. */
export interface Candidates {
  candidateDone(l: Lookup, o: CandidateOutcome): void;
}
