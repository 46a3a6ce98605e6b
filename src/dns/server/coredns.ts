import { join } from 'node:path';
import type { ClusterState } from '../../model/cluster.js';
import { CLUSTER_CACHE_TTL, NODELOCAL_DENIAL_TTL, NODELOCAL_SUCCESS_TTL } from './unbound.js';
import { fqdn } from './zone.js';
import { clusterZoneFiles, REVERSE_ZONE } from './zonefile.js';

/**
 * CoreDNS configurations, used instead of Unbound when a `coredns` binary is on PATH. The
 * kubernetes plugin needs an API server, so the cluster zone is served by the file plugin from the
 * same records Unbound gets; the rest of the Corefile follows kubeadm's (cache 30, forward,
 * loadbalance, prometheus). The file plugin resolves out-of-zone CNAME targets (ExternalName)
 * through the server itself, so they reach the forward like in a cluster.
 */
export interface CorefileOptions {
  /** addresses to bind */
  listen: string[];
  port?: number;
  /** `IP` or `IP:PORT` of the stand-in internet DNS */
  upstream: string;
  /** directory holding the zone files (corednsZonePaths) */
  zoneDir: string;
  clusterDomain: string;
  /** prometheus listen address, e.g. `:9153` */
  metrics?: string;
}

/** CoreDNS wants `IP:PORT`; accept the unbound form too. */
export function corednsAddr(addr: string, defaultPort = 53): string {
  const m = /^([0-9.]+)(?:[:@](\d+))?$/.exec(addr.trim());
  if (!m) throw new Error(`not an IPv4 address with optional port: ${addr}`);
  return `${m[1]}:${m[2] ?? defaultPort}`;
}

export function corednsZonePaths(zoneDir: string): { forward: string; reverse: string } {
  return { forward: join(zoneDir, 'db.cluster'), reverse: join(zoneDir, 'db.reverse') };
}

/** Zone files for the file plugin, keyed by the path renderCorefile points at. */
export function corednsZoneFiles(state: ClusterState, zoneDir: string, serial = 1): Record<string, string> {
  const files = clusterZoneFiles(state, { serial });
  const paths = corednsZonePaths(zoneDir);
  return { [paths.forward]: files.forward.text, [paths.reverse]: files.reverse.text };
}

const strip = (zone: string): string => fqdn(zone).replace(/\.$/, '');

export function renderCorefile(o: CorefileOptions): string {
  const paths = corednsZonePaths(o.zoneDir);
  return [
    `.:${o.port ?? 53} {`,
    `    bind ${o.listen.join(' ')}`,
    '    errors',
    `    file ${paths.forward} ${strip(o.clusterDomain)} {`,
    '        reload 2s',
    '    }',
    `    file ${paths.reverse} ${strip(REVERSE_ZONE)} {`,
    '        reload 2s',
    '    }',
    `    forward . ${corednsAddr(o.upstream)}`,
    `    cache ${CLUSTER_CACHE_TTL}`,
    '    loadbalance',
    `    prometheus ${o.metrics ?? ':9153'}`,
    '}',
    '',
  ].join('\n');
}

export interface NodeLocalCorefileOptions {
  listen: string[];
  port?: number;
  /** kube-dns ClusterIP */
  clusterDns: string;
  upstream: string;
  clusterDomain: string;
  metrics?: string;
}

/** node-cache's Corefile (cluster/addons/dns/nodelocaldns), with our addresses substituted. */
export function renderNodeLocalCorefile(o: NodeLocalCorefileOptions): string {
  const port = o.port ?? 53;
  const bind = `    bind ${o.listen.join(' ')}`;
  const metrics = `    prometheus ${o.metrics ?? ':9253'}`;
  const cluster = corednsAddr(o.clusterDns);
  const block = (zone: string, body: string[]): string[] => [`${zone}:${port} {`, '    errors', ...body, bind, '}'];
  return [
    ...block(strip(o.clusterDomain), [
      '    cache {',
      `        success 9984 ${NODELOCAL_SUCCESS_TTL}`,
      `        denial 9984 ${NODELOCAL_DENIAL_TTL}`,
      '    }',
      '    reload',
      '    loop',
      `    forward . ${cluster} {`,
      '        force_tcp',
      '    }',
      metrics,
    ]),
    ...block('in-addr.arpa', ['    cache 30', '    reload', '    loop', `    forward . ${cluster} {`, '        force_tcp', '    }', metrics]),
    ...block('ip6.arpa', ['    cache 30', '    reload', '    loop', `    forward . ${cluster} {`, '        force_tcp', '    }', metrics]),
    ...block('.', ['    cache 30', '    reload', '    loop', `    forward . ${corednsAddr(o.upstream)}`, metrics]),
    '',
  ].join('\n');
}
