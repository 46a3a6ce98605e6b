import { UsageError } from '../../core/errors.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import { haveBinaries } from './real/binaries.js';
import { REAL_BINARIES } from './real/components.js';

export interface Implementation {
  /** real: upstream kube-proxy (and the control plane); model: the TypeScript Proxier */
  proxy: 'real' | 'model';
  dns: 'coredns' | 'unbound';
}

/**
 * What a local cluster runs, from cluster.components and cluster.dnsServer: `auto` means the
 * real components when `npm run setup` has them (run.json names which ran, so nothing is
 * substituted unseen). CoreDNS needs the API server, so it comes with the real components only.
 */
export function implementationOf(cluster: ClusterConfig, have = haveBinaries(REAL_BINARIES)): Implementation {
  const proxy = cluster.components === 'auto' ? (have ? 'real' : 'model') : cluster.components;
  const dns = cluster.dnsServer === 'auto' ? (proxy === 'real' ? 'coredns' : 'unbound') : cluster.dnsServer;
  if (dns === 'coredns' && proxy === 'model') {
    throw new UsageError('cluster.dnsServer coredns needs cluster.components real (CoreDNS\'s kubernetes plugin watches the API server)', 'set cluster.components: real (after npm run setup) or cluster.dnsServer: unbound');
  }
  return { proxy, dns };
}
