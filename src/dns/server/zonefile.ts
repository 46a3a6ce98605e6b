import type { ClusterState } from '../../model/cluster.js';
import { clusterZoneRecords, fqdn, renderRecord, ZONE_TTL, type ZoneRecord } from './zone.js';

/**
 * RFC 1035 master files for the cluster zone and its reverse zone: what Unbound's auth-zone and
 * CoreDNS's file plugin load. A zone file needs an SOA (its minimum is the negative-caching TTL,
 * so NXDOMAIN for search-list expansions is cached as long as CoreDNS's `ttl 30` would) and an NS.
 */
export const REVERSE_ZONE = 'in-addr.arpa.';

export interface ZoneFile {
  /** zone apex, absolute */
  origin: string;
  text: string;
}

/** Name server name used in the SOA/NS of our zones (never resolved: the zones are served locally). */
export function nsName(clusterDomain: string): string {
  return fqdn(`ns.dns.${clusterDomain}`);
}

export function renderZoneFile(origin: string, records: readonly ZoneRecord[], opts: { ns: string; serial?: number; ttl?: number }): string {
  const ttl = opts.ttl ?? ZONE_TTL;
  const o = fqdn(origin);
  const head = [
    `$ORIGIN ${o}`,
    `$TTL ${ttl}`,
    `${o} ${ttl} IN SOA ${opts.ns} hostmaster.${o === '.' ? '' : o} ${opts.serial ?? 1} 7200 1800 86400 ${ttl}`,
    `${o} ${ttl} IN NS ${opts.ns}`,
  ];
  return [...head, ...records.map(renderRecord), ''].join('\n');
}

/** The cluster zone and the reverse zone, records split by where they belong. */
export function clusterZoneFiles(state: ClusterState, opts: { serial?: number } = {}): { forward: ZoneFile; reverse: ZoneFile } {
  const records = clusterZoneRecords(state);
  const ns = nsName(state.clusterDomain);
  const origin = fqdn(state.clusterDomain);
  // PTRs are exactly the reverse zone's records; everything else lives under the cluster domain
  const fwd = records.filter((r) => r.type !== 'PTR');
  const rev = records.filter((r) => r.type === 'PTR');
  return {
    forward: { origin, text: renderZoneFile(origin, fwd, { ns, serial: opts.serial }) },
    reverse: { origin: REVERSE_ZONE, text: renderZoneFile(REVERSE_ZONE, rev, { ns, serial: opts.serial }) },
  };
}
