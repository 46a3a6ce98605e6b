import * as packet from 'dns-packet';

/**
 * DNS messages on the hot path. Queries are encoded once per (name, type) with dns-packet and
 * copied with a fresh id for each send; responses are read straight from the header bytes
 * (rcode, counts, flags) and matched to their query by id and question bytes, as glibc's
 * send_dg does, so no response is fully decoded unless addresses are wanted.
 */
export const QTYPE = { A: 1, AAAA: 28 } as const;
export const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

export function rcodeName(rcode: number): string {
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

export interface QueryTemplateOptions {
  /** glibc's options edns0: an OPT record advertising 1200 bytes */
  edns0?: boolean;
  /** glibc's options trust-ad: the AD bit set in queries */
  trustAd?: boolean;
  /** musl clears the AD bit; glibc sets only RD unless trust-ad */
  recursionDesired?: boolean;
}

/** A query with id 0; sendable after writing the id into bytes 0-1. */
export function encodeQuery(name: string, type: packet.RecordType, opts: QueryTemplateOptions = {}): Buffer {
  let flags = opts.recursionDesired === false ? 0 : packet.RECURSION_DESIRED;
  if (opts.trustAd) flags |= packet.AUTHENTIC_DATA;
  const msg: packet.Packet = {
    type: 'query',
    id: 0,
    flags,
    questions: [{ type, class: 'IN', name }],
  };
  if (opts.edns0) msg.additionals = [{ type: 'OPT', name: '.', udpPayloadSize: 1200, flags: 0 } as packet.Answer];
  return packet.encode(msg);
}

/** Where the question section of a query template ends (header + one question). */
export function questionEnd(q: Buffer): number {
  let o = 12;
  while (o < q.length && q[o] !== 0) o += q[o]! + 1;
  return o + 5; // root label + qtype + qclass
}

/** True when resp answers query: same id and the same question bytes (case-insensitive names). */
export function matchesQuestion(query: Buffer, qEnd: number, resp: Buffer): boolean {
  if (resp.length < qEnd || resp[0] !== query[0] || resp[1] !== query[1]) return false;
  if (resp[4] !== 0 || resp[5] !== 1) return false;
  for (let i = 12; i < qEnd; i++) {
    let a = query[i]!;
    let b = resp[i]!;
    if (a !== b) {
      if (a >= 65 && a <= 90) a += 32;
      if (b >= 65 && b <= 90) b += 32;
      if (a !== b) return false;
    }
  }
  return true;
}

export const rcodeOf = (r: Buffer): number => r[3]! & 15;
export const ancountOf = (r: Buffer): number => (r[6]! << 8) | r[7]!;
export const arcountOf = (r: Buffer): number => (r[10]! << 8) | r[11]!;
/** glibc treats NOERROR with no answers and neither AA nor RA nor additionals as a lame referral */
export function isLame(r: Buffer): boolean {
  return rcodeOf(r) === 0 && ancountOf(r) === 0 && (r[2]! & 4) === 0 && (r[3]! & 128) === 0 && arcountOf(r) === 0;
}

/** Counts the answer records of a type, without decoding names (compression pointers skipped). */
export function countAnswers(r: Buffer, qtype: number): number {
  const an = ancountOf(r);
  if (an === 0) return 0;
  let o = 12;
  const skipName = () => {
    while (o < r.length) {
      const l = r[o]!;
      if (l === 0) { o += 1; return; }
      if ((l & 0xc0) === 0xc0) { o += 2; return; }
      o += l + 1;
    }
  };
  const qd = (r[4]! << 8) | r[5]!;
  for (let i = 0; i < qd; i++) { skipName(); o += 4; }
  let n = 0;
  for (let i = 0; i < an && o + 10 <= r.length; i++) {
    skipName();
    const type = (r[o]! << 8) | r[o + 1]!;
    const rdlen = (r[o + 8]! << 8) | r[o + 9]!;
    if (type === qtype) n++;
    o += 10 + rdlen;
  }
  return n;
}

/** Addresses in a response (for `discobench resolv`, not the hot path). */
export function addressesOf(r: Buffer): string[] {
  try {
    const p = packet.decode(r);
    return (p.answers ?? []).filter((a) => a.type === 'A' || a.type === 'AAAA').map((a) => String((a as { data: unknown }).data));
  } catch {
    return [];
  }
}
