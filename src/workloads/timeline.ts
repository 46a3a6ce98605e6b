import type { DnsAgentOutput } from '../load/dns/contract.js';

/** Lookups per bin, by when each lookup began: [bin start epoch ms, lookups, failed, delayed (waited out a resolver timeout)]. */
export interface Timeline {
  binMs: number;
  bins: Array<[number, number, number, number]>;
}

/** The agents' bins added up, and the empty bins between filled in, so a chart shows the quiet stretches as zero. */
export function mergeTimelines(outs: readonly DnsAgentOutput[]): Timeline {
  const binMs = outs.find((o) => o.info.timeline)?.info.timeline!.binMs ?? 100;
  const m = new Map<number, [number, number, number]>();
  for (const o of outs) for (const [t, n, f, d] of o.info.timeline?.bins ?? []) {
    const b = m.get(t) ?? [0, 0, 0];
    m.set(t, [b[0] + n, b[1] + f, b[2] + d]);
  }
  if (m.size === 0) return { binMs, bins: [] };
  const keys = [...m.keys()];
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  const bins: Timeline['bins'] = [];
  for (let t = first; t <= last; t += binMs) {
    const b = m.get(t) ?? [0, 0, 0];
    bins.push([t, b[0], b[1], b[2]]);
  }
  return { binMs, bins };
}

export interface ErrorWindow {
  /** the change this window follows (epoch ms) */
  changeAt: number;
  /** first failing bin's start to last failing bin's end, 0 when nothing failed */
  durationMs: number;
  /** first failing bin's start minus the change */
  startsAfterMs?: number;
  failed: number;
}

/**
 * Per change, the failures (or, with column 3, the delayed lookups) between it and the next change
 * (the last one: to the end): from the first such bin's start to the last one's end. Bins before
 * the first change belong to none.
 */
export function errorWindows(t: Timeline, changes: readonly number[], column: 2 | 3 = 2): ErrorWindow[] {
  return changes.map((at, k) => {
    const end = changes[k + 1] ?? Number.POSITIVE_INFINITY;
    const failing = t.bins.filter((b) => b[column] > 0 && b[0] + t.binMs > at && b[0] < end);
    if (failing.length === 0) return { changeAt: at, durationMs: 0, failed: 0 };
    const first = failing[0]![0];
    const last = failing[failing.length - 1]![0] + t.binMs;
    return { changeAt: at, durationMs: last - first, startsAfterMs: Math.round(first - at), failed: failing.reduce((a, b) => a + b[column], 0) };
  });
}
