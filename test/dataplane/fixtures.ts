import type { ClusterState, Service } from '../../src/model/cluster.js';

/** Service `ns/name` on clusterIP:80 -> endpoints:8080, port named http. */
export function svc(namespace: string, name: string, clusterIP: string, endpoints: string[]): Service {
  return {
    namespace,
    name,
    type: 'ClusterIP',
    clusterIP,
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    endpoints: endpoints.map((ip) => ({ ip, ready: true })),
  };
}

export function state(...services: Service[]): ClusterState {
  return { clusterDomain: 'cluster.local', services };
}

/** The 2-Service state of the exact rendering tests: three endpoints, and one Service without any. */
export function twoServices(): ClusterState {
  return state(
    svc('default', 'web', '10.96.1.1', ['10.244.64.1', '10.244.64.2', '10.244.64.3']),
    { ...svc('kube-system', 'kube-dns', '10.96.0.10', []), ports: [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }] },
  );
}
