import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { PROVIDER_NAMES } from './provider-names.js';

/** Durations are written "30s", "200ms", "2m"; the parsed scenario holds milliseconds. */
const duration = (def: string) =>
  z.union([z.string(), z.number()]).default(def).transform((v, ctx) => {
    const ms = parseDuration(v);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `must be a duration like 200ms, 30s or 2m (got ${JSON.stringify(v)})` });
      return z.NEVER;
    }
    return ms;
  });

const int = (min: number, max: number) =>
  z.number({ error: `must be an integer ${min}..${max}` }).int(`must be an integer ${min}..${max}`).min(min, `must be an integer ${min}..${max}`).max(max, `must be an integer ${min}..${max}`);
const ratio = z.number({ error: 'must be a number 0..1' }).min(0, 'must be a number 0..1').max(1, 'must be a number 0..1');
const ndots = int(0, 15);

export const ClusterSpec = z.strictObject({
  proxy: z.enum(['iptables', 'ipvs', 'nftables', 'cilium']).default('iptables'),
  /** which iptables kube-proxy drives: the nf_tables-backed one or legacy xtables */
  iptablesBackend: z.enum(['nft', 'legacy']).default('nft'),
  nodeLocalDNS: z.boolean().default(false),
  nodes: int(1, 100).default(1),
  /**
   * local: what runs the cluster. real: etcd, kube-apiserver, kube-proxy and CoreDNS built by
   * `npm run setup`; model: the TypeScript kube-proxy model and Unbound; auto: real when built.
   */
  components: z.enum(['auto', 'real', 'model']).default('auto'),
  /** cluster DNS: coredns (real components only) or unbound; auto: coredns with real components */
  dnsServer: z.enum(['auto', 'unbound', 'coredns']).default('auto'),
  dnsReplicas: int(1, 16).default(1),
  /** local: namespaces holding the HTTP servers behind the endpoints */
  backends: int(1, 16).default(1),
  /**
   * client slots the agents run in: local, client namespaces; kind and existing, how many agent
   * Jobs a workload spreads over at once (connect starts one per slot), so a scenario asks for
   * the same parallelism on every provider
   */
  clients: int(1, 16).default(1),
  /** added round-trip delay of the stand-in upstream DNS (the internet) */
  upstreamDelay: duration('0ms'),
  /** kind: node image version (kindest/node:vX) */
  kubernetesVersion: z.string().regex(/^v?\d+\.\d+(\.\d+)?$/, 'must look like v1.36.1').optional(),
});

export const ServicesSpec = z.strictObject({
  count: int(0, 50_000).default(100),
  endpointsPerService: int(1, 1000).default(2),
  headless: int(0, 10_000).default(0),
  externalName: int(0, 10_000).default(0),
  namespaces: int(1, 1000).default(10),
});

export const SyncSpec = z.strictObject({
  /** full syncs to time (the first, which creates everything, is reported separately) */
  full: int(0, 100).default(3),
  /** single-Service changes to time */
  partial: int(0, 1000).default(3),
});

export const ConnectSpec = z.strictObject({
  probes: int(1, 10_000_000).default(1000),
  concurrency: int(1, 1024).default(8),
  /** how many Services the probes spread over (the last ones in KUBE-SERVICES order hit the worst case) */
  targets: int(1, 50_000).default(100),
  timeout: duration('1s'),
});

export const NamesMix = z.strictObject({
  /** "svc-12": relies on the search list */
  short: ratio.default(0.5),
  /** "svc-12.bench-3" */
  namespaced: ratio.default(0.1),
  /** "svc-12.bench-3.svc.cluster.local." */
  fqdn: ratio.default(0.1),
  /** "api-4.example.com": walks the whole search list before the real name (with ndots 5) */
  external: ratio.default(0.3),
  /** "headless-2.bench-0" */
  headless: ratio.default(0),
});

export const DnsSpec = z.strictObject({
  duration: duration('10s'),
  /** 0 = closed loop at `inflight`; > 0 = open loop at this lookup rate per client */
  qps: z.number().min(0, 'must be >= 0').default(0),
  inflight: int(1, 65_536).default(64),
  clients: int(1, 64).default(1),
  workers: int(1, 64).default(1),
  ndots: z.union([ndots, z.array(ndots).min(1, 'must list at least one value')]).default(5),
  resolver: z.enum(['glibc', 'musl']).default('glibc'),
  /** glibc's options single-request */
  singleRequest: z.boolean().default(false),
  timeout: duration('5s'),
  attempts: int(1, 5).default(2),
  /** distinct names drawn from the mix */
  distinctNames: int(1, 1_000_000).default(1000),
  names: NamesMix.default({ short: 0.5, namespaced: 0.1, fqdn: 0.1, external: 0.3, headless: 0 }),
});

/**
 * DNS capacity search (issue 17): an open-loop ramp of lookups through the pod resolver, raised
 * by `factor` each step until the SLO breaks, then narrowed between the last good and the first
 * bad rate. The lookup settings (ndots, names, resolver, clients) are those of a DNS flood.
 */
export const CapacitySloSpec = z.strictObject({
  /** lookup p99 bound; lookups unfinished at the end of a step count as above it */
  p99: duration('20ms'),
  /** failed + unfinished lookups, and query timeouts, as a fraction of the step's lookups / queries */
  failures: ratio.default(0.001),
  /** a step fails when it achieves less than offered x (1 - tolerance) */
  tolerance: ratio.default(0.05),
});

export const CapacitySpec = DnsSpec.omit({ duration: true, qps: true, inflight: true }).extend({
  slo: CapacitySloSpec.default(CapacitySloSpec.parse({})),
  /** first offered rate, lookups/s over all clients */
  start: z.number({ error: 'must be a number > 0' }).positive('must be a number > 0').default(500),
  /** each step offers `factor` times the last good one */
  factor: z.number({ error: 'must be a number > 1' }).gt(1, 'must be a number > 1').max(16, 'must be at most 16').default(2),
  /** how long each step is held (its own agent run, its own histograms) */
  step: duration('5s'),
  /** idle time between steps, so one step's backlog does not spill into the next */
  pause: duration('1s'),
  /** stop raising here: the result is then "at least maxRate" */
  maxRate: z.number({ error: 'must be a number > 0' }).positive('must be a number > 0').default(1_000_000),
  /** at most this many ramp steps (up or down from start) before narrowing */
  maxSteps: int(1, 50).default(12),
  /** narrowing steps between the last good and the first bad rate */
  refine: int(0, 20).default(3),
  /** a step that breaks the SLO is measured again this many times; the rate is bad only if every try breaks */
  confirm: int(0, 5).default(1),
  /** stop narrowing once the bracket is this narrow, relative to the good rate */
  resolution: z.number({ error: 'must be a number 0.001..1' }).min(0.001, 'must be a number 0.001..1').max(1, 'must be a number 0.001..1').default(0.05),
  /** the peak lookups/s to plan replicas for (0: none) */
  peak: z.number({ error: 'must be a number >= 0' }).min(0, 'must be >= 0').default(0),
  /** an agent using this share of its worker threads' CPU is saturated: the load generator is the limit */
  clientSaturation: ratio.default(0.85),
}).superRefine((c, ctx) => {
  // p99 is only a figure when a step holds enough lookups for its tail to be measured
  const lookups = (c.start * c.step) / 1000;
  if (lookups < MIN_STEP_LOOKUPS) {
    ctx.addIssue({ code: 'custom', path: ['step'], message: `a step at the start rate (${c.start}/s for ${c.step} ms) holds ${Math.round(lookups)} lookups; p99 needs at least ${MIN_STEP_LOOKUPS}: raise start or step` });
  }
  if (c.maxRate < c.start) ctx.addIssue({ code: 'custom', path: ['maxRate'], message: `must be >= start (${c.start})` });
});

/** fewest lookups in a step at the start rate: with 1000, p99 rests on the 10 slowest */
export const MIN_STEP_LOOKUPS = 1000;

export const HttpSpec = z.strictObject({
  duration: duration('10s'),
  connections: int(1, 10_000).default(16),
  keepAlive: z.boolean().default(true),
  /** how many Services (ClusterIPs) the load spreads over */
  targets: int(1, 50_000).default(100),
  pipelining: int(1, 64).default(1),
  workers: int(1, 64).default(1),
  clients: int(1, 64).default(1),
  /** 0 = as fast as possible */
  rate: z.number().min(0, 'must be >= 0').default(0),
});

export const ChurnSpec = z.strictObject({
  /** Services created during the run, one at a time */
  create: int(1, 10_000).default(20),
  interval: duration('200ms'),
  /** give up on a Service that is not reachable after this long */
  timeout: duration('10s'),
});

/**
 * A Deployment-style rollout of `services` Services under paced HTTP load: each has `replicas`
 * endpoints, replaced in batches bounded by maxSurge / maxUnavailable (as the Deployment
 * controller does); a replaced endpoint goes terminating (not ready, still serving) for
 * terminationGrace, then its backend stops (stoppedBackend) and it leaves the slice.
 */
export const RollingUpdateSpec = z.strictObject({
  services: int(1, 200).default(10),
  replicas: int(1, 64).default(4),
  maxSurge: int(0, 64).default(1),
  maxUnavailable: int(0, 64).default(1),
  /** false: a new connection per request */
  keepAlive: z.boolean().default(true),
  /** connections per rolled Service */
  connections: int(1, 64).default(2),
  /** pause between two requests on a connection */
  interval: duration('20ms'),
  /** one request's limit (a longer wait counts as a timeout) */
  timeout: duration('1s'),
  /** how long a terminating endpoint's backend keeps serving (graceful shutdown, preStop) */
  terminationGrace: duration('2s'),
  /** what the address of a stopped backend does: reset (RST: the process exited) or drop (the pod's network is gone) */
  stoppedBackend: z.enum(['reset', 'drop']).default('reset'),
  /** pause after each batch (the rollout's pace) */
  batchInterval: duration('2s'),
  /** quiet load before the first change and after the last */
  settle: duration('3s'),
}).superRefine((r, ctx) => {
  if (r.maxSurge + r.maxUnavailable < 1) ctx.addIssue({ code: 'custom', path: ['maxSurge'], message: 'maxSurge and maxUnavailable are both 0: the rollout could never progress; set one of them to at least 1' });
  if (r.maxUnavailable > r.replicas) ctx.addIssue({ code: 'custom', path: ['maxUnavailable'], message: `must be at most replicas (${r.replicas})` });
});

/**
 * DNS server churn (issue 18): a DNS flood through the pods' resolvers while cluster DNS
 * instances are replaced one at a time as a CoreDNS Deployment rollout does (new pod ready and
 * added, old one terminating and stopped with CoreDNS's lameduck, then its endpoint removed).
 * Failures per 100 ms and their windows are measured, after a control flood with no change.
 */
export const DnsChurnSpec = DnsSpec.pick({ ndots: true, resolver: true, singleRequest: true, timeout: true, attempts: true, distinctNames: true, names: true }).extend({
  /** instances replaced one after the other */
  replacements: int(1, 16).default(2),
  /** from one replacement's start to the next one's */
  interval: duration('10s'),
  /** flood before the first change */
  warmup: duration('3s'),
  /** flood after the last change: long enough for 5 s timeouts and their retries to finish */
  settle: duration('12s'),
  /** from the old CoreDNS's exit to its endpoint's removal (kubelet reports, the pod object goes, the EndpointSlice controller writes) */
  removalDelay: duration('1s'),
  /** whether a terminating endpoint stays serving (its readiness probe, every 10 s in CoreDNS's Deployment, has not failed yet) */
  servingWhileTerminating: z.boolean().default(true),
  /** open-loop lookups per second per client */
  qps: z.number({ error: 'must be a number > 0' }).positive('must be a number > 0').default(200),
  clients: int(1, 64).default(1),
  /** UDP sockets per client, kept for the whole flood: their source ports are reused lookup after lookup, as a long-lived resolver (or NodeLocal's forward plugin) does */
  sockets: int(1, 1024).default(8),
  /** a flood of the same length with no change first: its failures are the harness's and the node's, not the churn's */
  control: z.boolean().default(true),
});

/**
 * Stale answers (issue 18): Services looked up by name before every connection while they are
 * deleted and recreated with a new ClusterIP. The lookup settings are a pod's (ndots, search
 * list, timeout, attempts); lookups go through getaddrinfo, as an application's do.
 */
export const RecreateSpec = DnsSpec.pick({ ndots: true, singleRequest: true, timeout: true, attempts: true }).extend({
  /** Services deleted and recreated together */
  services: int(1, 20).default(3),
  /** lookups and connections before the deletion: their failures are the harness's and the node's */
  warmup: duration('5s'),
  /** from the deletion to the recreation (0: at once, as kubectl replace --force does) */
  gap: duration('2s'),
  /** after the recreation: longer than every cache's TTL (CoreDNS answers with TTL 30 s, NodeLocal caches up to it) */
  settle: duration('45s'),
  /** a new lookup + connection per Service this often */
  interval: duration('50ms'),
  /** one connection's limit */
  attemptTimeout: duration('1s'),
});

export const WorkloadsSpec = z.strictObject({
  sync: SyncSpec.optional(),
  connect: ConnectSpec.optional(),
  dns: DnsSpec.optional(),
  capacity: CapacitySpec.optional(),
  http: HttpSpec.optional(),
  churn: ChurnSpec.optional(),
  rollingUpdate: RollingUpdateSpec.optional(),
  dnsChurn: DnsChurnSpec.optional(),
  recreate: RecreateSpec.optional(),
});

const matrixValue = z.union([z.string(), z.number(), z.boolean()]);

export const ScenarioSpec = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  description: z.string().default(''),
  provider: z.enum(PROVIDER_NAMES).default('local'),
  cluster: ClusterSpec.default(ClusterSpec.parse({})),
  services: ServicesSpec.default(ServicesSpec.parse({})),
  workloads: WorkloadsSpec.default({}),
  matrix: z.record(z.string(), z.array(matrixValue).min(1, 'must list at least one value')).default({}),
  repeat: int(1, 100).default(1),
}).superRefine((s, ctx) => {
  // replacing DNS pods and stopping endpoints' backends under load needs the provider to run them itself
  const does = { dnsChurn: 'replaces cluster DNS pods', rollingUpdate: "stops single endpoints' backends", recreate: 'recreates Services under load and reads its agent\'s every attempt' } as const;
  for (const w of ['dnsChurn', 'rollingUpdate', 'recreate'] as const) {
    if (!s.workloads[w]) continue;
    if (s.provider !== 'local') ctx.addIssue({ code: 'custom', path: ['workloads', w], message: `runs on the local provider only (it ${does[w]} itself; ${s.provider} does not let it yet): use provider local` });
    else if (w === 'dnsChurn' && (s.cluster.components === 'model' || s.cluster.dnsServer === 'unbound')) ctx.addIssue({ code: 'custom', path: ['workloads', w], message: 'replaces real CoreDNS pods: needs cluster.components real (or auto) and cluster.dnsServer coredns (or auto)' });
  }
  if (s.workloads.dnsChurn && s.cluster.dnsReplicas + s.workloads.dnsChurn.replacements > 20) ctx.addIssue({ code: 'custom', path: ['workloads', 'dnsChurn', 'replacements'], message: `dnsReplicas + replacements must be at most 20 (the local topology's DNS pod addresses)` });
});

export type Scenario = z.output<typeof ScenarioSpec>;
export type ClusterConfig = Scenario['cluster'];
export type ServicesConfig = Scenario['services'];
export type WorkloadsConfig = Scenario['workloads'];
export type DnsWorkload = NonNullable<WorkloadsConfig['dns']>;
export type CapacityWorkload = NonNullable<WorkloadsConfig['capacity']>;
export type ConnectWorkload = NonNullable<WorkloadsConfig['connect']>;
export type SyncWorkload = NonNullable<WorkloadsConfig['sync']>;
export type ChurnWorkload = NonNullable<WorkloadsConfig['churn']>;
export type DnsChurnWorkload = NonNullable<WorkloadsConfig['dnsChurn']>;
export type RecreateWorkload = NonNullable<WorkloadsConfig['recreate']>;
