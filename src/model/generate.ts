import { CLUSTER_DOMAIN, GeneratedAddresses, KUBE_DNS_IP, endpointIP, serviceIP } from './addressing.js';
import type { ClusterState, Service } from './cluster.js';
import type { ServicesConfig } from '../scenario/schema.js';

/** Namespace of generated Service i. */
export function namespaceOf(i: number, namespaces: number): string {
  return `bench-${i % namespaces}`;
}

/**
 * Where the client pods (the agents) live: the model's first namespace, so short Service names
 * resolve through their search list (<ns>.svc.<zone> first) as they would from a real pod there.
 */
export function clientNamespace(): string {
  return namespaceOf(0, 1);
}

/** Upstream (stand-in internet) names that ExternalName Services and the DNS mix point at. */
export const EXTERNAL_ZONE = 'example.com';
export function externalHost(x: number): string {
  return `api-${x}.${EXTERNAL_ZONE}`;
}

/** The kube-dns Service itself, so the data plane really carries DNS to the DNS pods. */
export function kubeDnsService(dnsPodIPs: readonly string[]): Service {
  return {
    namespace: 'kube-system',
    name: 'kube-dns',
    type: 'ClusterIP',
    clusterIP: KUBE_DNS_IP,
    ports: [
      { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
    ],
    endpoints: dnsPodIPs.map((ip) => ({ ip, ready: true })),
  };
}

/**
 * Generated ClusterIP Service i: port "http" 80 -> 8080 on endpointsPerService endpoints.
 * `addresses` skips ClusterIPs the cluster already gave to Services not ours.
 */
export function generatedService(i: number, spec: Pick<ServicesConfig, 'endpointsPerService' | 'namespaces'>, addresses?: GeneratedAddresses): Service {
  const n = spec.endpointsPerService;
  return {
    namespace: namespaceOf(i, spec.namespaces),
    name: `svc-${i}`,
    type: 'ClusterIP',
    clusterIP: serviceIP(i, addresses),
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    endpoints: Array.from({ length: n }, (_, k) => ({ ip: endpointIP(i * n + k), ready: true })),
  };
}

export function headlessService(h: number, spec: Pick<ServicesConfig, 'endpointsPerService' | 'namespaces'>, offset: number): Service {
  const n = spec.endpointsPerService;
  return {
    namespace: namespaceOf(h, spec.namespaces),
    name: `headless-${h}`,
    type: 'ClusterIP',
    clusterIP: 'None',
    ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    endpoints: Array.from({ length: n }, (_, k) => ({ ip: endpointIP(offset + h * n + k), hostname: `pod-${k}`, ready: true })),
  };
}

export function externalNameService(x: number, spec: Pick<ServicesConfig, 'namespaces'>): Service {
  return {
    namespace: namespaceOf(x, spec.namespaces),
    name: `external-${x}`,
    type: 'ExternalName',
    clusterIP: '',
    ports: [],
    endpoints: [],
    externalName: externalHost(x),
  };
}

/**
 * The whole cluster state a scenario's `services` block describes. kube-dns is included when the
 * provider runs the DNS pods itself (dnsPodIPs given); real clusters already have it.
 */
export function generateServices(spec: ServicesConfig, dnsPodIPs: readonly string[] = [], addresses?: GeneratedAddresses): ClusterState {
  const services: Service[] = dnsPodIPs.length > 0 ? [kubeDnsService(dnsPodIPs)] : [];
  for (let i = 0; i < spec.count; i++) services.push(generatedService(i, spec, addresses));
  const offset = spec.count * spec.endpointsPerService;
  for (let h = 0; h < spec.headless; h++) services.push(headlessService(h, spec, offset));
  for (let x = 0; x < spec.externalName; x++) services.push(externalNameService(x, spec));
  return { clusterDomain: CLUSTER_DOMAIN, services };
}
