import type { KubernetesObject } from '@kubernetes/client-node';

/** What the providers read about a pod. */
export interface PodInfo {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  ready: boolean;
  phase: string;
  labels: Record<string, string>;
}

export interface JobStatus {
  succeeded: number;
  failed: number;
  /** Complete or Failed condition message, when the Job has finished */
  message?: string;
}

/**
 * The seam over the Kubernetes API: the few calls the kind and existing providers make. The
 * production implementation is client-node-api.ts; tests pass an in-memory fake, since no
 * cluster can run here. Every call that creates something is idempotent (server-side apply).
 */
export interface KubeApi {
  /** the kubeconfig context the calls go to */
  readonly context: string;
  /** create-or-update by server-side apply (field manager "discobench") */
  apply(obj: KubernetesObject): Promise<void>;
  /** no error when already gone */
  remove(obj: KubernetesObject): Promise<void>;
  listNamespaces(labelSelector: string): Promise<string[]>;
  listNodes(): Promise<string[]>;
  /** every ClusterIP allocated in the cluster (all namespaces, all families; no None/empty) */
  listClusterIPs(): Promise<string[]>;
  listPods(namespace: string, labelSelector: string): Promise<PodInfo[]>;
  deletePods(namespace: string, labelSelector: string): Promise<void>;
  jobStatus(namespace: string, name: string): Promise<JobStatus>;
  podLog(namespace: string, pod: string, container?: string): Promise<string>;
  /** GET through the API server's pod proxy: /api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH */
  proxyPod(namespace: string, pod: string, port: number, path: string): Promise<string>;
  /** GET through the API server's node proxy (the kubelet): /api/v1/nodes/NODE/proxy/PATH */
  proxyNode(node: string, path: string): Promise<string>;
}

/** HTTP status of a failed API call, when there is one (client-node's ApiException.code). */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}
