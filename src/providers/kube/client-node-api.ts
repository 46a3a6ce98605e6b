import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';
import { PrerequisiteError, UsageError } from '../../core/errors.js';
import { apiStatus, type JobStatus, type KubeApi, type PodInfo } from './kube-api.js';

const FIELD_MANAGER = 'discobench';

/** Loads the kubeconfig ($KUBECONFIG or ~/.kube/config) and selects `context` when given. */
export function loadKubeConfig(context?: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  try {
    kc.loadFromDefault();
  } catch (err) {
    throw new PrerequisiteError(`cannot load a kubeconfig: ${(err as Error).message}`, 'set KUBECONFIG or create ~/.kube/config (kind create cluster writes one)');
  }
  if (context) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      throw new UsageError(`kubeconfig has no context "${context}"`, `--context must be one of: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentContext()) throw new PrerequisiteError('kubeconfig has no current context', 'pass --context NAME or run kubectl config use-context NAME');
  return kc;
}

function podInfo(p: k8s.V1Pod): PodInfo {
  return {
    name: p.metadata?.name ?? '',
    namespace: p.metadata?.namespace ?? '',
    node: p.spec?.nodeName ?? '',
    ip: p.status?.podIP ?? '',
    ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    phase: p.status?.phase ?? '',
    labels: p.metadata?.labels ?? {},
  };
}

const PLURALS: Record<string, string> = { Namespace: 'namespaces', Service: 'services', EndpointSlice: 'endpointslices', ConfigMap: 'configmaps' };

/** REST path of an object of a kind the harness writes in bulk, or undefined for the rest. */
export function resourcePath(obj: k8s.KubernetesObject): string | undefined {
  const plural = obj.kind ? PLURALS[obj.kind] : undefined;
  const name = obj.metadata?.name;
  if (!plural || !name || !obj.apiVersion) return undefined;
  const base = obj.apiVersion === 'v1' ? '/api/v1' : `/apis/${obj.apiVersion}`;
  const ns = obj.metadata?.namespace;
  return `${base}/${ns ? `namespaces/${encodeURIComponent(ns)}/` : ''}${plural}/${encodeURIComponent(name)}`;
}

/** KubeApi over @kubernetes/client-node 1.x. */
export class ClientNodeApi implements KubeApi {
  readonly context: string;
  private readonly objects: k8s.KubernetesObjectApi;
  private readonly core: k8s.CoreV1Api;
  private readonly batch: k8s.BatchV1Api;

  constructor(private readonly kc: k8s.KubeConfig) {
    this.context = kc.getCurrentContext();
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.batch = kc.makeApiClient(k8s.BatchV1Api);
  }

  /**
   * Server-side apply. The kinds the harness writes by the thousand go over one keep-alive
   * connection pool (client-node 1.x opens a new TLS connection per request, which made a
   * 5000-Service write handshake-bound); anything else through client-node's object API.
   */
  async apply(obj: k8s.KubernetesObject): Promise<void> {
    const path = resourcePath(obj);
    if (!path) {
      await this.objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, k8s.PatchStrategy.ServerSideApply);
      return;
    }
    await this.request('PATCH', `${path}?fieldManager=${FIELD_MANAGER}&force=true`, JSON.stringify(obj), 'application/apply-patch+yaml');
  }

  private agent?: https.Agent;

  /** One request with the kubeconfig's credentials (applyToHTTPSOptions: CA, client certificates, token, exec). */
  private async request(method: string, path: string, body: string | undefined, contentType?: string, accept = 'application/json'): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error(`context ${this.context} has no cluster server`);
    const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
    const opts: https.RequestOptions = { method, headers: { accept, ...(contentType ? { 'content-type': contentType } : {}) } };
    await this.kc.applyToHTTPSOptions(opts);
    if (url.protocol === 'https:') {
      this.agent ??= new https.Agent({ keepAlive: true, maxSockets: 64, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername });
      opts.agent = this.agent;
    }
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, opts, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(body);
    });
    if (status < 200 || status >= 300) throw Object.assign(new Error(`${method} ${path}: HTTP ${status} ${text.slice(0, 300)}`), { code: status, body: text });
    return text;
  }

  async remove(obj: k8s.KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(obj, undefined, undefined, undefined, undefined, 'Background');
    } catch (err) {
      if (apiStatus(err) !== 404) throw err;
    }
  }

  async listNamespaces(labelSelector: string): Promise<string[]> {
    const list = await this.core.listNamespace({ labelSelector });
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  async listNodes(): Promise<string[]> {
    const list = await this.core.listNode();
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
  }

  async listClusterIPs(): Promise<string[]> {
    const list = await this.core.listServiceForAllNamespaces();
    return list.items.flatMap((s) => s.spec?.clusterIPs ?? (s.spec?.clusterIP ? [s.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    const list = await this.core.listNamespacedPod({ namespace, labelSelector });
    return list.items.map(podInfo);
  }

  async deletePods(namespace: string, labelSelector: string): Promise<void> {
    await this.core.deleteCollectionNamespacedPod({ namespace, labelSelector });
  }

  async jobStatus(namespace: string, name: string): Promise<JobStatus> {
    const job = await this.batch.readNamespacedJobStatus({ namespace, name });
    const done = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
    return { succeeded: job.status?.succeeded ?? 0, failed: job.status?.failed ?? 0, message: done?.message ?? done?.reason };
  }

  async podLog(namespace: string, pod: string, container?: string): Promise<string> {
    return this.core.readNamespacedPodLog({ namespace, name: pod, container });
  }

  async proxyPod(namespace: string, pod: string, port: number, path: string): Promise<string> {
    return this.rawGet(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}:${port}/proxy/${path}`);
  }

  async proxyNode(node: string, path: string): Promise<string> {
    return this.rawGet(`/api/v1/nodes/${encodeURIComponent(node)}/proxy/${path}`);
  }

  /**
   * GET a text path with the kubeconfig's credentials. The generated connect*ProxyWithPath calls
   * percent-encode the slashes of a sub-path (metrics%2Fresource); metric paths are plain, so
   * they go as written.
   */
  private rawGet(path: string): Promise<string> {
    return this.request('GET', path, undefined, undefined, 'text/plain, */*');
  }
}
