import { constants } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ResolvConf } from './conf.js';
import { ResolverEngine } from './engine.js';
import { Lookup } from './lookup.js';
import type { Server, TraceEvent } from './transport.js';
import { Preparer, type Family } from './prepare.js';
import type { Flavor, LookupStatus } from './search.js';
import { addressesOf } from './wire.js';

/** One query as `discobench resolv` shows it: sent in this order, answered with rcode or timed out. */
export interface QueryRecord {
  name: string;
  type: string;
  server: string;
  rcode?: number;
  answers?: number;
  rttMs?: number;
  timedOut?: boolean;
  /** an ICMP error on the socket ended it: the error's name (ECONNREFUSED: nothing listens there) */
  socketError?: string;
}

export interface ResolveResult {
  status: LookupStatus;
  addresses: string[];
  queries: QueryRecord[];
  durationMs: number;
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 28: 'AAAA' };

/** Resolves one name for real through the emulation, recording every query in sending order. */
export async function resolveOnce(name: string, conf: ResolvConf, flavor: Flavor, opts: { servers?: Server[]; family?: Family } = {}): Promise<ResolveResult> {
  const servers = opts.servers ?? conf.nameservers.map((host) => ({ host, port: 53 }));
  const queries: QueryRecord[] = [];
  const trace = (ev: TraceEvent) => {
    const type = TYPE_NAMES[ev.qtype] ?? String(ev.qtype);
    if (ev.kind === 'send') {
      queries.push({ name: ev.name, type, server: ev.server });
      return;
    }
    const pending = (q: QueryRecord) => q.rcode === undefined && !q.timedOut && q.socketError === undefined;
    if (ev.kind === 'error') {
      for (const q of queries) if (q.server === ev.server && pending(q)) q.socketError = errnoName(ev.errno ?? 0);
      return;
    }
    const row = queries.find((q) => q.name === ev.name && q.type === type && q.server === ev.server && pending(q));
    if (!row) return;
    if (ev.kind === 'timeout') row.timedOut = true;
    else Object.assign(row, { rcode: ev.rcode, answers: ev.answers, rttMs: ev.rttMs });
  };
  let done: (l: Lookup) => void = () => {};
  const finished = new Promise<Lookup>((resolve) => { done = resolve; });
  const engine = new ResolverEngine({ servers, conf, mode: flavor, trace, onDone: (l) => done(l) });
  await engine.open();
  try {
    const prepared = new Preparer(flavor, conf, opts.family ?? 'unspec').prepare(name);
    const t0 = performance.now();
    engine.tick();
    engine.begin(new Lookup(), prepared, t0, 0);
    const l = await finished;
    const addresses = l.status === 'ok' ? [...new Set(l.answers.flatMap(addressesOf))] : [];
    return { status: l.status, addresses, queries, durationMs: performance.now() - t0 };
  } finally {
    engine.close();
  }
}

function errnoName(errno: number): string {
  return Object.entries(constants.errno).find(([, v]) => v === errno)?.[0] ?? `errno ${errno}`;
}
