import type { PodDnsConfig } from '../dns/pod-dns.js';
import type { AgentArg } from '../load/agent-contract.js';
import type { AgentOutput } from '../metrics/agent-output.js';
import type { ClusterState } from '../model/cluster.js';
import type { ClusterConfig } from '../scenario/schema.js';

/** What a workload needs to know about the system under test once it is up. */
export interface ClusterInfo {
  /** the nameserver pods' resolv.conf names: kube-dns (10.96.0.10) or NodeLocal DNSCache (169.254.20.10) */
  nameserver: string;
  clusterDomain: string;
  /** namespace of the client pods (for the search list: <ns>.svc.<zone>) */
  clientNamespace: string;
  /** how many client slots runAgent accepts (local: client namespaces) */
  clients: number;
  /**
   * When the provider runs the DNS pods itself (local), their IPs: the harness then programs the
   * kube-dns Service like any other. Absent where the cluster already has kube-dns (kind, existing).
   */
  dnsPodIPs?: string[];
  /**
   * ClusterIPs the cluster had already allocated to Services not ours when it came up (kind,
   * existing): generated Services skip them instead of failing with "already allocated".
   */
  allocatedClusterIPs?: string[];
  /**
   * When the provider puts every model Service into one namespace (existing), that namespace:
   * DNS names are built from where the Services are, not from the model's bench-N.
   */
  servicesNamespace?: string;
  /** versions of the parts under test, for run.json environment.tools */
  tools: Record<string, string>;
}

import type { SyncReport } from '../dataplane/sync-report.js';
export type { SyncReport };

export interface AgentRequest {
  agent: 'dns' | 'http' | 'connect';
  /** from the agent's contract (load/<agent>/contract.ts); {file: NAME} becomes the path the provider gives files[NAME] */
  args: AgentArg[];
  files?: Record<string, string>;
  /**
   * The pod's DNS configuration, which the provider makes the agent's /etc/resolv.conf (local:
   * the client namespace's resolv.conf; kube: the Job's dnsPolicy None + dnsConfig). Absent:
   * what a ClusterFirst pod in the client namespace gets.
   */
  dns?: PodDnsConfig;
  /** which client slot (0-based) runs it */
  client: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Cumulative counters read at one instant; rates come from differences of two samples. */
export interface ProviderSample {
  /** ms since epoch */
  time: number;
  /** CPU seconds consumed by all cluster DNS server processes/pods so far */
  dnsServerCpuSeconds: number;
  /** queries the cluster DNS servers answered so far, when the server reports it */
  dnsServerQueries?: number;
  cacheHits?: number;
  cacheMisses?: number;
  proxyCpuSeconds?: number;
  /**
   * ms since epoch the CPU counters refer to, when not `time`: the kubelet's resource metrics are
   * cached stats stamped by their last refresh. Rates must use these, not the scrape's clock.
   */
  cpuTime?: number;
}

export interface ProviderContext {
  runId: string;
  /** scratch directory for configs and logs of this run */
  workDir: string;
  log(message: string): void;
  options: { keep?: boolean; context?: string; yes?: boolean };
  signal?: AbortSignal;
}

/**
 * What the variants sharing one cluster will ask of it at most, for providers that size the
 * cluster up front (Cilium's load-balancing maps on kind). Computed from the scenario before up().
 */
export interface ClusterDemand {
  /** ClusterIP Services with an address (initial plus churn's), the largest variant's */
  proxiedServices: number;
  /** ports per Service */
  portsPerService: number;
  /** endpoints per Service, the largest variant's */
  endpointsPerService: number;
}

/** The demand of a group of variants that share one cluster configuration. */
export function clusterDemand(scenarios: ReadonlyArray<{ services: { count: number; endpointsPerService: number }; workloads: { churn?: { create: number } } }>): ClusterDemand {
  let proxiedServices = 0;
  let endpointsPerService = 1;
  for (const s of scenarios) {
    proxiedServices = Math.max(proxiedServices, s.services.count + (s.workloads.churn?.create ?? 0));
    endpointsPerService = Math.max(endpointsPerService, s.services.endpointsPerService);
  }
  return { proxiedServices, portsPerService: 1, endpointsPerService };
}

/** What the address of a pod does: answers (serving), answers every packet with a RST (its process exited), or nothing (its network is gone). */
export type EndpointState = 'serving' | 'reset' | 'drop';

/**
 * Endpoints as pods that start and stop, for workloads that replace them under load (a rollout).
 * Providers without it cannot run those workloads.
 */
export interface EndpointControl {
  set(ips: readonly string[], state: EndpointState): Promise<void>;
  /** every address back to serving */
  reset(): Promise<void>;
}

/** A cluster DNS server instance (a CoreDNS pod behind kube-dns) the provider started. */
export interface DnsInstance {
  /** pod name, for logs and change labels (dns-3) */
  name: string;
  ip: string;
}

/**
 * Replacing cluster DNS instances one at a time, as a CoreDNS Deployment rollout does (the
 * dnsChurn workload). Only where the provider runs the DNS pods itself (local with real
 * CoreDNS); the workload edits kube-dns's endpoints through applyServices in between.
 */
export interface DnsInstances {
  /** the instances serving now, in start order */
  list(): DnsInstance[];
  /** starts a new instance at a new pod address; resolves once it is ready (CoreDNS's /ready) */
  start(): Promise<DnsInstance>;
  /** stops it as the kubelet stops a deleted pod (SIGTERM, lameduck); resolves once it has exited, with the ms that took */
  stop(ip: string): Promise<number>;
  /** deletes the pod's network namespace: its address then leads nowhere */
  remove(ip: string): Promise<void>;
  /** queries the instance has answered so far (its server-side counter), undefined once stopped */
  queries(ip: string): Promise<number | undefined>;
  /** UDP flows on the node steered to this address: conntrack entries whose reply comes from it (IPVS: its own connection table's entries) */
  conntrackEntries(ip: string): Promise<number>;
}

/**
 * One interface, three implementations (local, kind, existing). A provider instance drives one
 * cluster configuration from up() to down(); down() must be safe to call at any point, twice.
 */
export interface Provider {
  readonly name: string;
  /** human-readable setup for --dry-run (for kind: the kind config and manifests); touches nothing */
  describe(cluster: ClusterConfig, demand?: ClusterDemand): string[];
  /** prerequisites only; throws PrerequisiteError (exit 4) naming what is missing */
  check(cluster: ClusterConfig): Promise<void>;
  up(cluster: ClusterConfig, demand?: ClusterDemand): Promise<ClusterInfo>;
  /** makes the data plane and DNS match state; resolves once the rules are in place */
  applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport>;
  runAgent(req: AgentRequest): Promise<AgentOutput>;
  sample(): Promise<ProviderSample>;
  /** present only where cluster DNS instances can be replaced during a run (local, real CoreDNS) */
  dnsInstances?(): DnsInstances | undefined;
  down(): Promise<void>;
  /** local only: start and stop single endpoints' backends (rollouts) */
  readonly endpoints?: EndpointControl;
}

export type ProviderFactory = (ctx: ProviderContext) => Provider;

/** How `clean` and the second Ctrl-C reach what a run created, knowing only its id. */
export interface CleanOptions {
  /** existing: the kubeconfig context the run used (the current one when absent) */
  context?: string;
  log(message: string): void;
}

/**
 * A provider as the registry holds it. `create` builds one instance per cluster configuration;
 * the rest belongs to a run as a whole and needs no instance, so the CLI can call it from a
 * signal handler while up() is still running.
 */
export interface ProviderEntry {
  create: ProviderFactory;
  /**
   * Taken before the run creates anything (not even its results directory); returns the
   * release. Local: the machine-wide lock, since two local runs would measure each other.
   */
  claim?(runId: string): () => void;
  /**
   * Removes everything run `runId` created, found by its id alone (the second Ctrl-C): local its
   * namespaces, kind its cluster, existing its namespace. Safe when nothing is left; returns
   * what it removed, for the log.
   */
  clean(runId: string, opts: CleanOptions): Promise<string[]>;
}
