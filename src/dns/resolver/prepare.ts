import { candidates, type Candidate, type Flavor } from './search.js';
import type { ResolvConf } from './conf.js';
import { QTYPE, encodeQuery, questionEnd } from './wire.js';

/**
 * Everything about one name that does not change between lookups, computed once: the candidate
 * list and, per candidate, the encoded queries in the order the resolver sends them (A before
 * AAAA, as glibc and musl do). Shared by the lookups that cycle over a names file.
 */
export type Family = 'unspec' | 'inet' | 'inet6';
export type Mode = Flavor | 'raw';

export interface PreparedQuery {
  type: number;
  template: Buffer;
  qEnd: number;
}

export interface PreparedCandidate {
  name: string;
  role: Candidate['role'];
  queries: PreparedQuery[];
}

export interface PreparedName {
  text: string;
  list: Candidate[];
  cands: PreparedCandidate[];
}

const TYPE_CODES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 };

export function typeCode(type: string): number | undefined {
  return TYPE_CODES[type.toUpperCase()];
}

export class Preparer {
  private readonly cache = new Map<string, PreparedQuery>();

  constructor(readonly mode: Mode, readonly conf: ResolvConf, readonly family: Family = 'unspec') {}

  private query(name: string, type: string): PreparedQuery {
    const key = `${name} ${type}`;
    let q = this.cache.get(key);
    if (!q) {
      const template = encodeQuery(name || '.', type as 'A', {
        edns0: this.mode === 'glibc' && this.conf.edns0,
        trustAd: this.mode === 'glibc' && this.conf.trustAd,
      });
      q = { type: typeCode(type) ?? 1, template, qEnd: questionEnd(template) };
      this.cache.set(key, q);
    }
    return q;
  }

  /** the types one candidate asks for, in sending order */
  private types(): string[] {
    if (this.family === 'inet') return ['A'];
    if (this.family === 'inet6') return ['AAAA'];
    if (this.mode === 'glibc' && this.conf.noAaaa) return ['A'];
    return ['A', 'AAAA'];
  }

  /** name: an application's host name; for raw mode, type is the query type of the line */
  prepare(name: string, type = 'A'): PreparedName {
    if (this.mode === 'raw') {
      const list: Candidate[] = [{ name: name.endsWith('.') ? name.slice(0, -1) : name, role: 'as-is-last' }];
      return { text: `${name} ${type}`, list, cands: [{ ...list[0]!, queries: [this.query(list[0]!.name, type.toUpperCase())] }] };
    }
    const list = candidates(name, this.conf, this.mode);
    const types = this.types();
    return { text: name, list, cands: list.map((c) => ({ ...c, queries: types.map((t) => this.query(c.name, t)) })) };
  }
}

export { QTYPE };
