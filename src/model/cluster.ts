/**
 * The Services and endpoints a variant wants programmed, in Kubernetes terms. Providers turn this
 * into kube-proxy rules (local), or Service/EndpointSlice objects (kind, existing); the DNS zone
 * is rendered from it too, so DNS and data plane always agree.
 */
export type Protocol = 'TCP' | 'UDP';

export interface ServicePort {
  /** empty string for an unnamed single port */
  name: string;
  protocol: Protocol;
  port: number;
  targetPort: number;
}

export interface Endpoint {
  ip: string;
  /** hostname for headless records (<hostname>.<svc>.<ns>.svc.<zone>) */
  hostname?: string;
  ready: boolean;
  /**
   * A terminating pod's endpoint (its pod deleted, still in the slice): ready false, serving as
   * its readiness probe last said. kube-proxy v1.36 keeps UDP conntrack entries to a serving
   * endpoint (pkg/proxy/conntrack/cleanup.go), so existing flows keep reaching it.
   */
  terminating?: boolean;
  serving?: boolean;
}

export interface Service {
  namespace: string;
  name: string;
  type: 'ClusterIP' | 'ExternalName';
  /** 'None' for headless */
  clusterIP: string | 'None' | '';
  ports: ServicePort[];
  endpoints: Endpoint[];
  /** ExternalName target */
  externalName?: string;
}

export interface ClusterState {
  clusterDomain: string;
  services: Service[];
}

export function isHeadless(s: Service): boolean {
  return s.type === 'ClusterIP' && s.clusterIP === 'None';
}

/** Services that kube-proxy programs: ClusterIP with an address. */
export function isProxied(s: Service): boolean {
  return s.type === 'ClusterIP' && s.clusterIP !== 'None' && s.clusterIP !== '';
}

export function serviceKey(s: Pick<Service, 'namespace' | 'name'>): string {
  return `${s.namespace}/${s.name}`;
}

/**
 * The state as a provider that puts every Service into one namespace (existing) holds it: the
 * same Services, each in `namespace` (kube-system's stay where they are). Names are unique
 * across the model's namespaces (svc-i, headless-h, external-x), so nothing collides.
 */
export function inOneNamespace(state: ClusterState, namespace: string): ClusterState {
  return { ...state, services: state.services.map((s) => (s.namespace === 'kube-system' ? s : { ...s, namespace })) };
}
