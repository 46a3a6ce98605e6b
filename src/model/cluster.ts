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
   * An endpoint of a pod being deleted (EndpointSlice conditions): terminating, not ready, and
   * serving while its process still answers (graceful shutdown). Absent: serving = ready, not
   * terminating.
   */
  serving?: boolean;
  terminating?: boolean;
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

/**
 * The endpoints kube-proxy sends a Service's traffic to (its CategorizeEndpoints for cluster
 * traffic): the ready ones; when none is ready, the serving-terminating ones, so a Service whose
 * pods are all shutting down still answers while they drain.
 */
export function usableEndpoints(s: Service): Endpoint[] {
  const ready = s.endpoints.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return s.endpoints.filter((e) => e.terminating === true && e.serving === true);
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
