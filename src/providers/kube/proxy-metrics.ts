import { histogramDelta, histogramOf, maxBoundMs, maxOf, meanMs, parsePrometheus, sumOf, type Histogram } from './prom.js';

/**
 * What one kube-proxy (or Cilium agent) says about its rule syncs at one instant. Rule syncs
 * are timed by the proxy itself; the harness only takes differences between two scrapes, so
 * the figures are kube-proxy's own and nothing is estimated from wall clocks.
 */
export interface ProxySnapshot {
  pod: string;
  /** all syncs (kubeproxy_sync_proxy_rules_duration_seconds) */
  all?: Histogram;
  /** iptables mode only: full and partial syncs separately */
  full?: Histogram;
  partial?: Histogram;
  /** unix seconds of the last completed sync */
  lastSync?: number;
  /** unix seconds of the last change kube-proxy saw and queued a sync for */
  lastQueued?: number;
  /** changes seen but not yet programmed (absent on older kube-proxies) */
  pending?: number;
  /** change (an EndpointSlice's trigger time) -> programmed, one observation per stamped slice change */
  programming?: Histogram;
  /** iptables rules in all tables after the last sync (iptables mode only) */
  iptablesRules?: number;
  /** Cilium: change -> datapath programmed */
  implementationDelay?: Histogram;
}

/**
 * A kube-proxy on a node with IPv6 runs a second proxier for that family (dual-stack: the
 * node's kernel has both), which syncs on every change too and, having no IPv6 Service, in
 * next to no time. Its series carry ip_family="IPv6": summed in, they would halve a sync's
 * measured duration and let "synced" come from the IPv6 proxier while the IPv4 one still
 * works. The harness's Services are IPv4, so only the IPv4 series count; a kube-proxy without
 * the label (before 1.29) has one family. The pending-changes gauges have no family (each
 * proxier overwrites them), so in dual-stack they say nothing and are not read.
 */
export function kubeProxySnapshot(pod: string, text: string): ProxySnapshot {
  const p = parsePrometheus(text);
  const dualStack = p.samples.some((s) => s.labels.ip_family === 'IPv6');
  const fam: Record<string, string> = p.samples.some((s) => s.labels.ip_family !== undefined) ? { ip_family: 'IPv4' } : {};
  const svcPending = sumOf(p, 'kubeproxy_sync_proxy_rules_service_changes_pending');
  const epPending = sumOf(p, 'kubeproxy_sync_proxy_rules_endpoint_changes_pending');
  return {
    pod,
    all: histogramOf(p, 'kubeproxy_sync_proxy_rules_duration_seconds', fam),
    full: histogramOf(p, 'kubeproxy_sync_full_proxy_rules_duration_seconds', fam),
    partial: histogramOf(p, 'kubeproxy_sync_partial_proxy_rules_duration_seconds', fam),
    lastSync: maxOf(p, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', fam),
    lastQueued: maxOf(p, 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', fam),
    pending: dualStack || (svcPending === undefined && epPending === undefined) ? undefined : (svcPending ?? 0) + (epPending ?? 0),
    programming: histogramOf(p, 'kubeproxy_network_programming_duration_seconds', fam),
    iptablesRules: sumOf(p, 'kubeproxy_sync_proxy_rules_iptables_total', fam),
  };
}

export function ciliumSnapshot(pod: string, text: string): ProxySnapshot {
  const p = parsePrometheus(text);
  return { pod, implementationDelay: histogramOf(p, 'cilium_service_implementation_delay') };
}

/**
 * Has this kube-proxy programmed everything changed up to `since` (unix seconds)? With
 * `queuedSince` (when the writes began), it must also have seen one of those changes (its
 * last-queued stamp) and synced after it: a sync that merely ends after the writes, before the
 * watch delivered them, does not count.
 */
export function kubeProxyCaughtUp(s: ProxySnapshot, since: number, queuedSince?: number): boolean {
  if (queuedSince !== undefined && s.lastQueued !== undefined && (s.lastQueued < queuedSince || (s.lastSync ?? 0) < s.lastQueued)) return false;
  return (s.lastSync ?? 0) >= since && (s.pending ?? 0) === 0;
}

/** Stamped slice changes kube-proxy has programmed between two snapshots. */
export function programmedBetween(before: ProxySnapshot | undefined, after: ProxySnapshot): number {
  return after.programming ? histogramDelta(before?.programming, after.programming).count : 0;
}

export interface SyncFigure {
  /** kube-proxy's own sync duration, ms */
  durationMs: number;
  /** syncs the figure is made of */
  syncs: number;
  /** which histogram: full / partial (iptables) or all syncs */
  source: 'full' | 'partial' | 'all' | 'cilium';
  /** upper bound of the bucket of the slowest of those syncs */
  maxBoundMs?: number;
}

/**
 * The duration of the syncs between two snapshots of one proxy: the full- or partial-sync
 * histogram when kube-proxy keeps one (iptables), else all syncs. One sync: its exact duration
 * (sum delta); several: their mean. No sync in between: undefined, never a guess.
 */
export function syncBetween(before: ProxySnapshot | undefined, after: ProxySnapshot, want: 'full' | 'partial'): SyncFigure | undefined {
  const pick = (h: 'full' | 'partial' | 'all' | 'implementationDelay') => (after[h] ? histogramDelta(before?.[h], after[h]!) : undefined);
  const candidates: Array<[SyncFigure['source'], Histogram | undefined]> = [
    [want, pick(want)],
    ['all', pick('all')],
    ['cilium', pick('implementationDelay')],
  ];
  for (const [source, h] of candidates) {
    if (!h || h.count <= 0) continue;
    return { durationMs: meanMs(h)!, syncs: h.count, source, maxBoundMs: maxBoundMs(h) };
  }
  return undefined;
}

/** The slowest node decides when the data plane holds the rules everywhere. */
export function slowest(figures: ReadonlyArray<SyncFigure | undefined>): SyncFigure | undefined {
  let worst: SyncFigure | undefined;
  for (const f of figures) if (f && (!worst || f.durationMs > worst.durationMs)) worst = f;
  return worst;
}
