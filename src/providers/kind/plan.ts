import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { ClusterDemand } from '../provider.js';
import { DEFAULT_AGENT_IMAGE } from '../kube/agent-job.js';
import { formatCommand } from '../kube/command.js';
import { REPO_ROOT } from '../kube/infra.js';
import { kindClusterName, runLabels, runNamespace } from '../kube/labels.js';
import { helmInstallArgs, renderCiliumValues } from './cilium.js';
import { nodeImage, renderKindConfig } from './config.js';
import { corednsConfigMapForUpstream } from '../kube/corefile.js';
import { UPSTREAM_IP, renderBackend, renderUpstream } from '../kube/manifests.js';
import { renderNodeLocalDNS } from '../kube/nodelocal.js';

export const AGENT_DOCKERFILE = join(REPO_ROOT, 'infra', 'agent', 'Dockerfile');

/** One step of bringing a kind cluster up: a file to write, then a command to run. */
export interface Step {
  title: string;
  /** file written into the run's work directory before the command */
  file?: { name: string; content: string };
  /**
   * a file made at run time from what the cluster says (`from`'s output through `transform`),
   * written before the command: the cluster's own CoreDNS Corefile with one line changed
   */
  derive?: { from: { file: string; args: string[] }; name: string; transform(stdout: string): string; description: string };
  command?: { file: string; args: string[] };
}

export interface KindPlanInput {
  cluster: ClusterConfig;
  /** what the variants will ask of the cluster (sizes Cilium's LB maps) */
  demand?: ClusterDemand;
  runId: string;
  workDir: string;
  image?: string;
}

/**
 * Everything up() does, in order, as data: --dry-run prints it, up() executes it, tests check
 * it. Files are written to the work directory so a failed step can be rerun by hand.
 */
export function kindUpPlan({ cluster, demand, runId, workDir, image = DEFAULT_AGENT_IMAGE }: KindPlanInput): Step[] {
  const name = kindClusterName(runId);
  const ctx = `kind-${name}`;
  const ns = runNamespace(runId);
  const path = (f: string) => join(workDir, f);
  const kubectl = (...args: string[]) => ({ file: 'kubectl', args: ['--context', ctx, ...args] });
  const cilium = cluster.proxy === 'cilium';
  const img = nodeImage(cluster);
  const steps: Step[] = [
    {
      title: 'create the kind cluster',
      file: { name: 'kind-config.yaml', content: renderKindConfig(cluster) },
      // Without a CNI (Cilium comes next) nodes cannot become Ready, so don't wait for them here.
      command: { file: 'kind', args: ['create', 'cluster', '--name', name, '--config', path('kind-config.yaml'), ...(img ? ['--image', img] : []), ...(cilium ? [] : ['--wait', '5m'])] },
    },
  ];
  if (cilium) {
    steps.push({
      title: 'install Cilium with kube-proxy replacement',
      file: { name: 'cilium-values.yaml', content: renderCiliumValues(name, cluster, demand) },
      command: { file: 'helm', args: helmInstallArgs(name, path('cilium-values.yaml')) },
    });
  }
  steps.push(
    { title: 'wait for the nodes', command: kubectl('wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=5m') },
    { title: 'build the agent image', command: { file: 'docker', args: ['build', '-t', image, '-f', AGENT_DOCKERFILE, REPO_ROOT] } },
    { title: 'load the agent image into the nodes', command: { file: 'kind', args: ['load', 'docker-image', image, '--name', name] } },
    {
      title: 'run namespace, upstream DNS stand-in, backend pods',
      file: {
        name: 'manifests.yaml',
        content: [
          stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: runLabels(runId) } }),
          renderUpstream(ns, runId, cluster, image),
          renderBackend(ns, runId, cluster.backends),
        ].join('---\n'),
      },
      command: kubectl('apply', '--server-side', '--force-conflicts', '-f', path('manifests.yaml')),
    },
    {
      title: 'CoreDNS: the cluster\'s own Corefile, forwarding external names to the stand-in',
      derive: {
        from: kubectl('-n', 'kube-system', 'get', 'configmap', 'coredns', '-o', 'json'),
        name: 'coredns.yaml',
        transform: (stdout) => corednsConfigMapForUpstream(stdout, UPSTREAM_IP),
        description: `kube-system/coredns as this Kubernetes version wrote it, with only "forward . /etc/resolv.conf" changed to "forward . ${UPSTREAM_IP}"`,
      },
      command: kubectl('apply', '--server-side', '--force-conflicts', '-f', path('coredns.yaml')),
    },
    { title: 'CoreDNS replicas', command: kubectl('-n', 'kube-system', 'scale', 'deployment/coredns', `--replicas=${cluster.dnsReplicas}`) },
    { title: 'restart CoreDNS on the new Corefile', command: kubectl('-n', 'kube-system', 'rollout', 'restart', 'deployment/coredns') },
  );
  if (cluster.nodeLocalDNS) {
    steps.push({
      title: `NodeLocal DNSCache (${cluster.proxy} mode)`,
      file: { name: 'nodelocaldns.yaml', content: renderNodeLocalDNS(cluster.proxy) },
      command: kubectl('apply', '--server-side', '--force-conflicts', '-f', path('nodelocaldns.yaml')),
    });
  }
  steps.push(
    { title: 'wait for CoreDNS', command: kubectl('-n', 'kube-system', 'rollout', 'status', 'deployment/coredns', '--timeout=5m') },
    { title: 'wait for the upstream stand-in', command: kubectl('-n', ns, 'rollout', 'status', 'deployment/disco-upstream', '--timeout=5m') },
    { title: 'wait for the backend', command: kubectl('-n', ns, 'rollout', 'status', 'deployment/disco-backend', '--timeout=5m') },
  );
  if (cluster.nodeLocalDNS) steps.push({ title: 'wait for NodeLocal DNSCache', command: kubectl('-n', 'kube-system', 'rollout', 'status', 'daemonset/node-local-dns', '--timeout=5m') });
  return steps;
}

export function kindDownCommand(runId: string): { file: string; args: string[] } {
  return { file: 'kind', args: ['delete', 'cluster', '--name', kindClusterName(runId)] };
}

/** The plan as text for --dry-run: each step's file in full, then its command. */
export function describePlan(steps: readonly Step[], workDir: string): string[] {
  const out: string[] = [];
  steps.forEach((s, i) => {
    const lines = [`# ${i + 1}. ${s.title}`];
    if (s.file) lines.push(`# file ${join(workDir, s.file.name)}:`, s.file.content.trimEnd());
    if (s.derive) lines.push(`$ ${formatCommand(s.derive.from)}`, `# file ${join(workDir, s.derive.name)}: ${s.derive.description}`);
    if (s.command) lines.push(`$ ${formatCommand(s.command)}`);
    out.push(lines.join('\n'));
  });
  return out;
}
