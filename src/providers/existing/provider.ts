import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { MeasurementError, PrerequisiteError } from '../../core/errors.js';
import { CLUSTER_DOMAIN } from '../../model/addressing.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { ClusterInfo, Provider, ProviderContext, ProviderEntry } from '../provider.js';
import { DEFAULT_AGENT_IMAGE } from '../kube/agent-job.js';
import { connectKube, type KubeApiFactory } from '../kube/connect.js';
import { execRunner, formatCommand, type CommandRunner } from '../kube/command.js';
import type { KubeApi } from '../kube/kube-api.js';
import { runLabels, runNamespace } from '../kube/labels.js';
import { namespaceObject } from '../kube/objects.js';
import { KubeSession } from '../kube/session.js';
import { SessionProvider } from '../kube/session-provider.js';
import { renderBackend } from '../kube/manifests.js';
import { guardContext } from '../kube/guard.js';

/** Where dns.server.cpu / proxy.cpu come from on an existing cluster, for run.json's environment. */
export const CPU_SOURCE_KUBELET = "kubelet /metrics/resource (stats cached by the kubelet, refreshed every 10-15 s; rates use the samples' own timestamps, so a DNS window shorter than two refreshes has no figure)";

export interface ExistingDeps {
  runner?: CommandRunner;
  /** the API client for a context ('' = kubeconfig's current one); tests pass a fake */
  kubeApi?: KubeApiFactory;
  image?: string;
}

/**
 * existing: any kubeconfig context. Everything lives in one labelled namespace
 * `discobench-<runId>` that down() deletes; the cluster's own DNS and proxy are measured as they
 * are (no CoreDNS or NodeLocal changes on someone else's cluster). The agent image must be
 * pullable by the cluster: DISCOBENCH_AGENT_IMAGE names it.
 */
export class ExistingProvider extends SessionProvider implements Provider {
  readonly name = 'existing';
  private readonly runner: CommandRunner;
  private api?: KubeApi;
  private namespaceCreated = false;
  private deleted = false;

  constructor(private readonly ctx: ProviderContext, private readonly deps: ExistingDeps = {}) {
    super();
    this.runner = deps.runner ?? execRunner;
  }

  private get namespace(): string {
    return runNamespace(this.ctx.runId);
  }

  private image(): string {
    return this.deps.image ?? process.env.DISCOBENCH_AGENT_IMAGE ?? DEFAULT_AGENT_IMAGE;
  }

  /** Connects and applies the context guard before anything else touches the cluster. */
  private async connect(): Promise<KubeApi> {
    if (!this.api) {
      const api = await (this.deps.kubeApi ?? connectKube)(this.ctx.options.context);
      guardContext(api.context, this.ctx.options);
      this.api = api;
    }
    return this.api;
  }

  describe(cluster: ClusterConfig): string[] {
    const ctxName = this.ctx.options.context ?? '(kubeconfig current context)';
    return [
      `existing cluster, context ${ctxName}; namespace ${this.namespace} labelled ${Object.entries(runLabels(this.ctx.runId)).map(([k, v]) => `${k}=${v}`).join(',')}, deleted afterwards${this.ctx.options.keep ? ' (kept: --keep)' : ''}`,
      `the cluster's own kube-proxy/CNI and DNS are measured as configured; scenario proxy "${cluster.proxy}" and nodeLocalDNS=${cluster.nodeLocalDNS} are not applied`,
      `# namespace\n${stringify(namespaceObject(this.namespace, this.ctx.runId)).trimEnd()}`,
      `# backend\n${renderBackend(this.namespace, this.ctx.runId, cluster.backends).trimEnd()}`,
      `# agents: Jobs in ${this.namespace} running image ${this.image()}`,
    ];
  }

  async check(_cluster: ClusterConfig): Promise<void> {
    try {
      await this.runner.run('kubectl', ['version', '--client']);
    } catch (err) {
      if (err instanceof PrerequisiteError) throw new PrerequisiteError('kubectl not found', 'install kubectl: https://kubernetes.io/docs/tasks/tools/');
      throw err;
    }
    const api = await this.connect();
    try {
      await api.listNodes();
    } catch (err) {
      throw new PrerequisiteError(`cannot reach the API server of context ${api.context}: ${(err as Error).message}`, 'check `kubectl cluster-info` with the same context');
    }
  }

  async up(cluster: ClusterConfig): Promise<ClusterInfo> {
    const api = await this.connect();
    const kubectl = (...args: string[]) => this.runner.run('kubectl', ['--context', api.context, ...args], { signal: this.ctx.signal });
    this.namespaceCreated = true;
    await api.apply(namespaceObject(this.namespace, this.ctx.runId));
    await mkdir(this.ctx.workDir, { recursive: true });
    const backend = join(this.ctx.workDir, 'backend.yaml');
    await writeFile(backend, renderBackend(this.namespace, this.ctx.runId, cluster.backends));
    this.ctx.log(`existing: $ ${formatCommand({ file: 'kubectl', args: ['--context', api.context, 'apply', '-f', backend] })}`);
    await kubectl('apply', '--server-side', '-f', backend);
    await kubectl('-n', this.namespace, 'rollout', 'status', 'deployment/disco-backend', '--timeout=5m');
    const dnsIP = (await kubectl('-n', 'kube-system', 'get', 'service', 'kube-dns', '-o', 'jsonpath={.spec.clusterIP}')).stdout.trim();
    if (!dnsIP) throw new MeasurementError('the cluster has no kube-system/kube-dns Service', 'discobench measures cluster DNS behind kube-dns');
    const kubeProxies = await api.listPods('kube-system', 'k8s-app=kube-proxy');
    const ciliumAgents = kubeProxies.length ? [] : await api.listPods('kube-system', 'k8s-app=cilium');
    const proxyKind = ciliumAgents.length ? 'cilium' : 'kube-proxy';
    this.ctx.log(`existing: Services are programmed by ${proxyKind === 'cilium' ? 'Cilium' : `kube-proxy (${kubeProxies.length} pods)`}`);
    this.session = new KubeSession({
      proxyKind,
      rulesFromMetrics: true,
      api,
      runner: this.runner,
      runId: this.ctx.runId,
      runNamespace: this.namespace,
      agentNamespace: this.namespace,
      namespaceOf: () => this.namespace,
      createNamespaces: false,
      cluster,
      image: this.image(),
      log: this.ctx.log,
    });
    const server = JSON.parse((await kubectl('version', '-o', 'json')).stdout || '{}') as { serverVersion?: { gitVersion?: string } };
    return {
      nameserver: dnsIP,
      allocatedClusterIPs: await api.listClusterIPs(),
      servicesNamespace: this.namespace,
      clusterDomain: CLUSTER_DOMAIN,
      clientNamespace: this.namespace,
      clients: cluster.clients,
      tools: { context: api.context, cpuSource: CPU_SOURCE_KUBELET, ...(server.serverVersion?.gitVersion ? { kubernetes: server.serverVersion.gitVersion } : {}) },
    };
  }

  /** Deletes the run's namespace (and with it every object of the run); safe twice. */
  async down(): Promise<void> {
    if (this.deleted || !this.namespaceCreated || !this.api) return;
    this.deleted = true;
    if (this.ctx.options.keep) {
      this.ctx.log(`existing: keeping namespace ${this.namespace} (--keep)`);
      return;
    }
    this.ctx.log(`existing: deleting namespace ${this.namespace}`);
    await this.api.remove(namespaceObject(this.namespace, this.ctx.runId));
  }
}

/**
 * existing's registry entry. clean() deletes the run's one namespace in the context the run
 * used; deleting it takes every object of the run with it, and a namespace that is gone is fine.
 */
export function existingProvider(deps: ExistingDeps = {}): ProviderEntry {
  return {
    create: (ctx) => new ExistingProvider(ctx, deps),
    async clean(runId, { context, log }) {
      const api = await (deps.kubeApi ?? connectKube)(context);
      const ns = runNamespace(runId);
      log(`existing: deleting namespace ${ns} (context ${api.context})`);
      await api.remove(namespaceObject(ns, runId));
      return [`namespace ${api.context}/${ns}`];
    },
  };
}
