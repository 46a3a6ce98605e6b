import type { KubeApi } from './kube-api.js';

/**
 * The production KubeApi for a kubeconfig context (current one when omitted). client-node is
 * loaded on first use: it takes seconds to import, and `--dry-run`, `doctor` for other providers
 * and the unit tests never need it.
 */
export async function connectKube(context?: string): Promise<KubeApi> {
  const { ClientNodeApi, loadKubeConfig } = await import('./client-node-api.js');
  return new ClientNodeApi(loadKubeConfig(context));
}

export type KubeApiFactory = (context?: string) => KubeApi | Promise<KubeApi>;
