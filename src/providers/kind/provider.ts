import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandError } from '../../core/exec.js';
import { InterruptedError, PrerequisiteError } from '../../core/errors.js';
import { KUBE_DNS_IP, NODE_LOCAL_DNS_IP, CLUSTER_DOMAIN } from '../../model/addressing.js';
import { clientNamespace } from '../../model/generate.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { ClusterDemand, ClusterInfo, Provider, ProviderContext, ProviderEntry } from '../provider.js';
import { DEFAULT_AGENT_IMAGE } from '../kube/agent-job.js';
import { connectKube, type KubeApiFactory } from '../kube/connect.js';
import { execRunner, type CommandRunner } from '../kube/command.js';
import { kindClusterName, runNamespace } from '../kube/labels.js';
import { KubeSession } from '../kube/session.js';
import { SessionProvider } from '../kube/session-provider.js';
import { CILIUM_VERSION } from './cilium.js';
import { kubeletClusterDNS } from './config.js';
import { describePlan, kindDownCommand, kindUpPlan } from './plan.js';
import { countRulesInNode } from './rules.js';
import { criCpuSeconds } from '../kube/resource-metrics.js';

export interface KindDeps {
  runner?: CommandRunner;
  /** builds the API client once the cluster exists (tests: an in-memory fake) */
  kubeApi?: KubeApiFactory;
  image?: string;
}

const INSTALL_HINTS: Record<string, string> = {
  kind: 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or `go install sigs.k8s.io/kind@latest`)',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
  docker: 'install Docker Engine (apt-get install docker.io) and start it',
  helm: 'install helm (needed for Cilium): https://helm.sh/docs/intro/install/',
};

/**
 * cluster.iptablesBackend picks legacy or nft for the local provider; a kind node image decides
 * for itself (its iptables wrapper follows whatever rules the host's kernel already holds), so
 * on kind the setting is not applied, and describe() and up() say so instead of ignoring it.
 */
export const IPTABLES_BACKEND_NOTE = (cluster: Pick<ClusterConfig, 'iptablesBackend'>): string =>
  `cluster.iptablesBackend=${cluster.iptablesBackend} is not applied on kind: the node image chooses the iptables backend itself (iptables-wrapper)`;

/** Where dns.server.cpu / proxy.cpu come from on kind, for run.json's environment. */
export const CPU_SOURCE_KIND = 'crictl stats in each node (cgroup counters read live by containerd at every sample, 500 ms)';

/** Checks a tool by running its version command through the seam; ENOENT -> exit 4 with a hint. */
async function requireTool(runner: CommandRunner, file: string, args: string[]): Promise<string> {
  try {
    const out = await runner.run(file, args);
    return out.stdout.trim().split('\n')[0] ?? '';
  } catch (err) {
    if (err instanceof PrerequisiteError) throw new PrerequisiteError(`${file} not found`, INSTALL_HINTS[file]);
    throw err;
  }
}

/**
 * kind: a real Kubernetes cluster in Docker per run (`disco-<runId>`), kube-proxy in the
 * scenario's mode or Cilium, NodeLocal DNSCache on request, agents as Jobs from an image built
 * from this repository. Deleted in down() unless --keep.
 */
export class KindProvider extends SessionProvider implements Provider {
  readonly name = 'kind';
  private readonly runner: CommandRunner;
  private created = false;
  private deleted = false;

  constructor(private readonly ctx: ProviderContext, private readonly deps: KindDeps = {}) {
    super();
    this.runner = deps.runner ?? execRunner;
  }

  get clusterName(): string {
    return kindClusterName(this.ctx.runId);
  }

  describe(cluster: ClusterConfig, demand?: ClusterDemand): string[] {
    const steps = kindUpPlan({ cluster, demand, runId: this.ctx.runId, workDir: this.ctx.workDir, image: this.deps.image });
    const header = `kind cluster ${this.clusterName} (context kind-${this.clusterName}); ${cluster.proxy === 'cilium' ? `Cilium ${CILIUM_VERSION} replacing kube-proxy` : `kube-proxy in ${cluster.proxy} mode`}; NodeLocal DNSCache ${cluster.nodeLocalDNS ? 'on' : 'off'}`;
    const out = [header, ...(cluster.proxy !== 'cilium' ? [`# ${IPTABLES_BACKEND_NOTE(cluster)}`] : []), ...describePlan(steps, this.ctx.workDir)];
    if (!this.ctx.options.keep) out.push(`# afterwards\n$ ${[kindDownCommand(this.ctx.runId).file, ...kindDownCommand(this.ctx.runId).args].join(' ')}`);
    return out;
  }

  async check(cluster: ClusterConfig): Promise<void> {
    await requireTool(this.runner, 'kind', ['version']);
    await requireTool(this.runner, 'kubectl', ['version', '--client']);
    await requireTool(this.runner, 'docker', ['--version']);
    if (cluster.proxy === 'cilium') await requireTool(this.runner, 'helm', ['version', '--short']);
    try {
      await this.runner.run('docker', ['info', '--format', '{{.ServerVersion}}']);
    } catch (err) {
      if (err instanceof CommandError || err instanceof PrerequisiteError) {
        throw new PrerequisiteError('the Docker engine is not reachable', 'start Docker (systemctl start docker) and check `docker info` works for this user');
      }
      throw err;
    }
  }

  async up(cluster: ClusterConfig, demand?: ClusterDemand): Promise<ClusterInfo> {
    await mkdir(this.ctx.workDir, { recursive: true });
    if (cluster.proxy !== 'cilium') this.ctx.log(`kind: ${IPTABLES_BACKEND_NOTE(cluster)}`);
    const steps = kindUpPlan({ cluster, demand, runId: this.ctx.runId, workDir: this.ctx.workDir, image: this.deps.image });
    for (const step of steps) {
      if (this.ctx.signal?.aborted) throw new InterruptedError('interrupted while creating the kind cluster');
      this.ctx.log(`kind: ${step.title}`);
      if (step.file) await writeFile(join(this.ctx.workDir, step.file.name), step.file.content);
      if (step.derive) {
        const out = await this.runner.run(step.derive.from.file, step.derive.from.args, { signal: this.ctx.signal });
        await writeFile(join(this.ctx.workDir, step.derive.name), step.derive.transform(out.stdout));
      }
      if (step.command) {
        if (step.command.file === 'kind' && step.command.args[0] === 'create') this.created = true;
        await this.runner.run(step.command.file, step.command.args, { signal: this.ctx.signal });
      }
    }
    const context = `kind-${this.clusterName}`;
    const api = await (this.deps.kubeApi ?? connectKube)(context);
    const ns = runNamespace(this.ctx.runId);
    const controlPlane = `${this.clusterName}-control-plane`;
    this.session = new KubeSession({
      api,
      runner: this.runner,
      runId: this.ctx.runId,
      runNamespace: ns,
      // agents run where the model's short names live, so their search list matches a real pod's
      agentNamespace: clientNamespace(),
      namespaceOf: (s) => s.namespace,
      createNamespaces: true,
      restartProxyForFullSync: true,
      cluster,
      image: this.deps.image ?? DEFAULT_AGENT_IMAGE,
      log: this.ctx.log,
      countRules: () => countRulesInNode(this.runner, controlPlane, cluster.proxy, context),
      // live cgroup counters from containerd, not the kubelet's stats cached for 10-15 s
      readNodeCpu: async (node) => {
        const out = await this.runner.run('docker', ['exec', node, 'crictl', 'stats', '-o', 'json'], { signal: this.ctx.signal });
        return (refs) => criCpuSeconds(out.stdout, refs);
      },
    });
    return {
      nameserver: kubeletClusterDNS(cluster) ?? KUBE_DNS_IP,
      allocatedClusterIPs: await api.listClusterIPs(),
      clusterDomain: CLUSTER_DOMAIN,
      clientNamespace: clientNamespace(),
      clients: cluster.clients,
      tools: await this.versions(context, cluster),
    };
  }

  private async versions(context: string, cluster: ClusterConfig): Promise<Record<string, string>> {
    const tools: Record<string, string> = {};
    const first = async (file: string, args: string[]) => (await this.runner.run(file, args, { reject: false })).stdout.trim().split('\n')[0] ?? '';
    tools.kind = await first('kind', ['version']);
    try {
      const v = JSON.parse((await this.runner.run('kubectl', ['--context', context, 'version', '-o', 'json'], { reject: false })).stdout || '{}') as { clientVersion?: { gitVersion?: string }; serverVersion?: { gitVersion?: string } };
      if (v.clientVersion?.gitVersion) tools.kubectl = v.clientVersion.gitVersion;
      if (v.serverVersion?.gitVersion) tools.kubernetes = v.serverVersion.gitVersion;
    } catch {
      /* versions are informative only */
    }
    if (cluster.proxy === 'cilium') tools.cilium = CILIUM_VERSION;
    if (cluster.nodeLocalDNS) tools.nodeLocalDNS = NODE_LOCAL_DNS_IP;
    tools.cpuSource = CPU_SOURCE_KIND;
    return tools;
  }

  /** Deletes the cluster (kind delete is a no-op when it's gone); safe twice and before up(). */
  async down(): Promise<void> {
    if (this.deleted || !this.created) return;
    if (this.ctx.options.keep) {
      this.ctx.log(`kind: keeping cluster ${this.clusterName} (--keep); delete it with: kind delete cluster --name ${this.clusterName}`);
      this.deleted = true;
      return;
    }
    const { file, args } = kindDownCommand(this.ctx.runId);
    this.ctx.log(`kind: deleting cluster ${this.clusterName}`);
    await this.runner.run(file, args);
    this.deleted = true;
  }
}

/**
 * kind's registry entry. clean() needs only the run id: the cluster is named after it, and
 * `kind delete cluster` of a cluster that is gone (or half created) succeeds.
 */
export function kindProvider(deps: KindDeps = {}): ProviderEntry {
  return {
    create: (ctx) => new KindProvider(ctx, deps),
    async clean(runId, { log }) {
      const { file, args } = kindDownCommand(runId);
      log(`kind: deleting cluster ${kindClusterName(runId)}`);
      await (deps.runner ?? execRunner).run(file, args);
      return [`kind cluster ${kindClusterName(runId)}`];
    },
  };
}
