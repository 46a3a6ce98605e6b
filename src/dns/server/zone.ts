import { isHeadless, isProxied, type ClusterState, type Service } from '../../model/cluster.js';

/**
 * The cluster zone as the Kubernetes DNS specification (schema 1.1.0) defines it, rendered from
 * the same ClusterState the data plane is programmed from, so DNS and rules always agree. Kept as
 * a neutral record list so Unbound and CoreDNS zone files are two renderings of one truth, and
 * tests can check the records without a server.
 *
 * Not served: the deprecated `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` A records (section 2.6), which
 * CoreDNS synthesizes for any address (`pods insecure`); a zone file cannot synthesize, listing
 * every endpoint would double the zone, and no workload of ours asks for them.
 */
export type ZoneRecord =
  | { name: string; ttl: number; type: 'A'; data: string }
  | { name: string; ttl: number; type: 'PTR'; data: string }
  | { name: string; ttl: number; type: 'CNAME'; data: string }
  | { name: string; ttl: number; type: 'TXT'; data: string }
  | { name: string; ttl: number; type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } };

/** kubeadm's Corefile serves the cluster zone with `ttl 30`. */
export const ZONE_TTL = 30;
/** Value of the dns-version TXT record: the specification's schema version. */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** Absolute form of a name (one trailing dot, lower case): what every record here carries. */
export function fqdn(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n : `${n}.`;
}

/** `d.c.b.a.in-addr.arpa.` for IPv4 `a.b.c.d`. */
export function reverseName(ip: string): string {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  return `${parts.reverse().join('.')}.in-addr.arpa.`;
}

export function serviceName(s: Pick<Service, 'name' | 'namespace'>, zone: string): string {
  return fqdn(`${s.name}.${s.namespace}.svc.${zone}`);
}

/**
 * Name of a headless endpoint: its hostname, or (like CoreDNS) its address with dashes when it
 * has none, so every SRV target resolves.
 */
function endpointLabel(ep: { ip: string; hostname?: string }): string {
  return ep.hostname ?? ep.ip.replaceAll('.', '-');
}

function clusterIPRecords(s: Service, zone: string, ttl: number): ZoneRecord[] {
  const name = serviceName(s, zone);
  const out: ZoneRecord[] = [{ name, ttl, type: 'A', data: s.clusterIP }];
  for (const p of s.ports) {
    if (!p.name) continue;
    out.push({ name: fqdn(`_${p.name}._${p.protocol.toLowerCase()}.${name}`), ttl, type: 'SRV', data: { priority: 0, weight: 100, port: p.port, target: name } });
  }
  out.push({ name: reverseName(s.clusterIP), ttl, type: 'PTR', data: name });
  return out;
}

/** Headless: records only for ready endpoints; none ready means the name does not exist (NXDOMAIN). */
function headlessRecords(s: Service, zone: string, ttl: number): ZoneRecord[] {
  const name = serviceName(s, zone);
  const ready = s.endpoints.filter((e) => e.ready);
  const out: ZoneRecord[] = [];
  for (const ep of ready) out.push({ name, ttl, type: 'A', data: ep.ip });
  for (const ep of ready) {
    const host = fqdn(`${endpointLabel(ep)}.${name}`);
    out.push({ name: host, ttl, type: 'A', data: ep.ip });
    if (ep.hostname) out.push({ name: reverseName(ep.ip), ttl, type: 'PTR', data: host });
  }
  const weight = ready.length > 0 ? Math.floor(100 / ready.length) : 0;
  for (const p of s.ports) {
    if (!p.name) continue;
    const srv = fqdn(`_${p.name}._${p.protocol.toLowerCase()}.${name}`);
    for (const ep of ready) {
      out.push({ name: srv, ttl, type: 'SRV', data: { priority: 0, weight, port: p.port, target: fqdn(`${endpointLabel(ep)}.${name}`) } });
    }
  }
  return out;
}

/** Every record of the cluster zone and its reverse (in-addr.arpa) records. */
export function clusterZoneRecords(state: ClusterState, ttl = ZONE_TTL): ZoneRecord[] {
  const zone = state.clusterDomain;
  const out: ZoneRecord[] = [{ name: fqdn(`dns-version.${zone}`), ttl, type: 'TXT', data: DNS_SCHEMA_VERSION }];
  for (const s of state.services) {
    if (s.type === 'ExternalName') {
      if (s.externalName) out.push({ name: serviceName(s, zone), ttl, type: 'CNAME', data: fqdn(s.externalName) });
    } else if (isHeadless(s)) {
      out.push(...headlessRecords(s, zone, ttl));
    } else if (isProxied(s)) {
      out.push(...clusterIPRecords(s, zone, ttl));
    }
  }
  return out;
}

function quoteTxt(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** RFC 1035 presentation form (`name ttl IN TYPE rdata`), shared by zone files and Unbound local-data. */
export function renderRecord(r: ZoneRecord): string {
  const head = `${r.name} ${r.ttl} IN ${r.type}`;
  switch (r.type) {
    case 'SRV':
      return `${head} ${r.data.priority} ${r.data.weight} ${r.data.port} ${r.data.target}`;
    case 'TXT':
      return `${head} ${quoteTxt(r.data)}`;
    default:
      return `${head} ${r.data}`;
  }
}

