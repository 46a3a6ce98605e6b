import type { KubernetesObject } from '@kubernetes/client-node';
import { MeasurementError } from '../../core/errors.js';
import type { PodDnsConfig } from '../../dns/pod-dns.js';
import { parseAgentOutput, type AgentOutput } from '../../metrics/agent-output.js';
import type { AgentRequest } from '../provider.js';
import { sleep } from './concurrency.js';
import type { KubeApi } from './kube-api.js';
import { runLabels } from './labels.js';

/** Where the agent's files (names lists, targets) appear inside the pod. */
export const AGENT_WORKDIR = '/work';
/** kind loads this tag; the existing provider needs it in a registry the cluster can pull from. */
export const DEFAULT_AGENT_IMAGE = 'discobench/agent:dev';

/** ConfigMap keys allow [-._a-zA-Z0-9]; file names of the workloads are already that simple. */
function fileKey(name: string): string {
  const key = name.replace(/[^-._a-zA-Z0-9]/g, '_');
  if (!key) throw new Error(`agent file name ${JSON.stringify(name)} is empty`);
  return key;
}

/** The container args: the same `agent <kind> ... --json` the local provider runs. */
export function agentArgs(req: Pick<AgentRequest, 'agent' | 'args'>): string[] {
  const args = req.args.map((a) => (typeof a === 'string' ? a : `${AGENT_WORKDIR}/${fileKey(a.file)}`));
  return ['agent', req.agent, ...args, ...(args.includes('--json') ? [] : ['--json'])];
}

/**
 * The request's pod DNS configuration as kubelet takes it: dnsPolicy None with every field
 * given, so the pod's /etc/resolv.conf is exactly what the workload asked for (the agent reads
 * it there). Without one the pod keeps ClusterFirst.
 */
export function podDnsSpec(dns: PodDnsConfig | undefined): Record<string, unknown> {
  if (!dns) return {};
  const options = [{ name: 'ndots', value: String(dns.ndots) }, ...dns.options.map((o) => (o.value === undefined ? { name: o.name } : { name: o.name, value: o.value }))];
  return { dnsPolicy: 'None', dnsConfig: { nameservers: [dns.nameserver], searches: dns.search, options } };
}

export interface AgentJobSpec {
  name: string;
  namespace: string;
  runId: string;
  image: string;
  req: AgentRequest;
}

export function agentConfigMap(spec: AgentJobSpec): KubernetesObject & { data: Record<string, string> } {
  const data: Record<string, string> = {};
  for (const [name, text] of Object.entries(spec.req.files ?? {})) data[fileKey(name)] = text;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: spec.name, namespace: spec.namespace, labels: runLabels(spec.runId) }, data };
}

export function agentJob(spec: AgentJobSpec): KubernetesObject & { spec: Record<string, any> } {
  const labels = { ...runLabels(spec.runId), 'app.kubernetes.io/name': 'discobench-agent', 'discobench.io/client': String(spec.req.client) };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace: spec.namespace, labels },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.ceil(spec.req.timeoutMs / 1000) + 300,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          ...podDnsSpec(spec.req.dns),
          containers: [
            {
              name: 'agent',
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              args: agentArgs(spec.req),
              volumeMounts: [{ name: 'files', mountPath: AGENT_WORKDIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'files', configMap: { name: spec.name } }],
        },
      },
    },
  };
}

/**
 * Runs one agent as a Job and returns the JSON line it printed last. The deadline is the
 * request's timeout plus time to schedule and start the pod; the Job and its files are deleted
 * whatever happens.
 */
export async function runAgentJob(api: KubeApi, spec: AgentJobSpec, pollMs = 1000, startupMs = 180_000): Promise<AgentOutput> {
  const cm = agentConfigMap(spec);
  const job = agentJob(spec);
  await api.apply(cm);
  try {
    await api.apply(job);
    const deadline = Date.now() + spec.req.timeoutMs + startupMs;
    for (;;) {
      if (spec.req.signal?.aborted) throw new MeasurementError(`agent ${spec.name} interrupted`);
      const st = await api.jobStatus(spec.namespace, spec.name);
      if (st.succeeded > 0 || st.failed > 0) {
        const pods = await api.listPods(spec.namespace, `job-name=${spec.name}`);
        const log = pods[0] ? await api.podLog(spec.namespace, pods[0].name, 'agent') : '';
        if (st.failed > 0) throw new MeasurementError(`agent ${spec.name} failed: ${st.message ?? ''} ${log.trim().split('\n').slice(-3).join(' | ')}`.trim());
        try {
          return parseAgentOutput(log);
        } catch (err) {
          throw new MeasurementError(`agent ${spec.name}: ${(err as Error).message}`);
        }
      }
      if (Date.now() > deadline) throw new MeasurementError(`agent ${spec.name} did not finish within ${Math.round((spec.req.timeoutMs + startupMs) / 1000)} s`, 'check `kubectl describe job` for image pulls or scheduling');
      await sleep(pollMs);
    }
  } finally {
    await api.remove(job).catch(() => undefined);
    await api.remove(cm).catch(() => undefined);
  }
}
