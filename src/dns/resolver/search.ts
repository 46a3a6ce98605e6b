import type { ResolvConf } from './conf.js';

/**
 * Which names a resolver asks for, in order, when every answer is "no such name". glibc's
 * __res_context_search and musl's name_from_dns_search differ: glibc tries the name as-is
 * first when it has >= ndots dots and falls back to it last otherwise; musl searches only when
 * dots < ndots and never re-tries. The real sequence also depends on the answers (a hit stops
 * it, glibc stops searching on some errors): see SearchWalk.
 */
export type Flavor = 'glibc' | 'musl';

/** where a candidate sits in glibc's algorithm; decides what an unsuccessful answer does next */
export type CandidateRole = 'as-is-first' | 'search' | 'as-is-last';

export interface Candidate {
  /** query name, without the trailing dot */
  name: string;
  role: CandidateRole;
}

/** h_errno values of glibc's resolver (netdb.h) and musl's EAI codes, folded into one set */
export type LookupStatus = 'ok' | 'HOST_NOT_FOUND' | 'NO_DATA' | 'TRY_AGAIN' | 'NO_RECOVERY';

function countDots(name: string): number {
  let n = 0;
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) === 46) n++;
  return n;
}

function strip(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function join(name: string, domain: string): string {
  // glibc: a domain of "." or "" means the root, so "name" + "." + "" is the bare name
  const d = domain.startsWith('.') ? domain.slice(1) : domain;
  return d === '' ? name : `${name}.${strip(d)}`;
}

export function candidates(name: string, conf: Pick<ResolvConf, 'ndots' | 'search' | 'noTldQuery'>, flavor: Flavor): Candidate[] {
  return flavor === 'glibc' ? glibcCandidates(name, conf) : muslCandidates(name, conf);
}

/** glibc 2.36 resolv/res_query.c __res_context_search (HOSTALIASES not emulated). */
export function glibcCandidates(name: string, conf: Pick<ResolvConf, 'ndots' | 'search' | 'noTldQuery'>): Candidate[] {
  // dots are counted over the whole name, the trailing one included
  const dots = countDots(name);
  const trailingDot = name.length > 0 && name.endsWith('.');
  const out: Candidate[] = [];
  let triedAsIs = false;
  if (dots >= conf.ndots || trailingDot) {
    out.push({ name: strip(name), role: 'as-is-first' });
    if (trailingDot) return out;
    triedAsIs = true;
  }
  let searched = false;
  let rootOnList = false;
  if (dots === 0 || !trailingDot) {
    for (const domain of conf.search) {
      searched = true;
      const d = domain.startsWith('.') ? domain.slice(1) : domain;
      if (d === '') rootOnList = true;
      out.push({ name: join(name, domain), role: 'search' });
    }
  }
  if ((dots > 0 || !searched || !conf.noTldQuery) && !(triedAsIs || rootOnList)) {
    out.push({ name: strip(name), role: 'as-is-last' });
  }
  return out;
}

/** musl src/network/lookup_name.c name_from_dns_search (musl caps ndots at 15 too). */
export function muslCandidates(name: string, conf: Pick<ResolvConf, 'ndots' | 'search'>): Candidate[] {
  const dots = countDots(name);
  const out: Candidate[] = [];
  if (!(dots >= Math.min(conf.ndots, 15) || name.endsWith('.'))) {
    for (const domain of conf.search) {
      if (domain === '') continue;
      out.push({ name: `${name}.${strip(domain)}`, role: 'search' });
    }
  }
  out.push({ name: strip(name), role: 'as-is-last' });
  return out;
}

/**
 * What one candidate's exchange (its A and/or AAAA queries) came to, in the resolver's terms:
 * found addresses, or a failure with the h_errno glibc's res_query sets. firstRcode is the rcode
 * of the response sitting in glibc's first answer buffer (the first that arrived), which the
 * search loop inspects to tell a SERVFAIL from a timeout; connRefused is ECONNREFUSED from send.
 */
export interface CandidateOutcome {
  status: LookupStatus;
  firstRcode?: number;
  connRefused?: boolean;
}

export const SERVFAIL = 2;

/**
 * Walks the candidate list as answers come in. next() takes the outcome of candidate i and says
 * which candidate to ask next, or that the lookup is over with which status.
 */
export class SearchWalk {
  private savedHerrno: LookupStatus | undefined;
  private gotNodata = false;
  private gotServfail = false;

  constructor(readonly flavor: Flavor, readonly list: readonly Candidate[]) {}

  /** returns the next candidate index, or a final status */
  next(i: number, o: CandidateOutcome): number | LookupStatus {
    if (o.status === 'ok') return 'ok';
    return this.flavor === 'glibc' ? this.glibcNext(i, o) : this.muslNext(i, o);
  }

  private glibcNext(i: number, o: CandidateOutcome): number | LookupStatus {
    const c = this.list[i]!;
    if (c.role === 'as-is-first') {
      if (i + 1 >= this.list.length) return o.status; // trailing dot: the answer is final
      this.savedHerrno = o.status;
      return i + 1;
    }
    if (c.role === 'search') {
      if (o.connRefused) return 'TRY_AGAIN';
      let done = false;
      if (o.status === 'NO_DATA') this.gotNodata = true;
      else if (o.status === 'HOST_NOT_FOUND') { /* keep trying */ }
      else if (o.status === 'TRY_AGAIN' && o.firstRcode === SERVFAIL) this.gotServfail = true;
      else done = true;
      let j = i + 1;
      if (done) while (j < this.list.length && this.list[j]!.role === 'search') j++;
      if (j < this.list.length) return j;
    }
    if (this.savedHerrno !== undefined) return this.savedHerrno;
    if (this.gotNodata) return 'NO_DATA';
    if (this.gotServfail) return 'TRY_AGAIN';
    return o.status;
  }

  private muslNext(i: number, o: CandidateOutcome): number | LookupStatus {
    // name_from_dns returns 0 (try the next one) only for NXDOMAIN; NODATA and errors end it
    if (o.status === 'HOST_NOT_FOUND' && i + 1 < this.list.length) return i + 1;
    return o.status;
  }
}
