import { KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { ClientNodeApi } from '../../../src/providers/kube/client-node-api.js';
import type { ControlPlane } from './control-plane.js';

/** kubectl against the test control plane; output and exit code returned, never thrown. */
export async function kubectl(cp: ControlPlane, args: string[], input?: string) {
  return execa('kubectl', ['--kubeconfig', cp.kubeconfig, '--context', cp.context, ...args], { reject: false, ...(input !== undefined ? { input } : {}) });
}

/** The production KubeApi (client-node) on the test control plane's kubeconfig. */
export function clientFor(cp: ControlPlane): ClientNodeApi {
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  kc.setCurrentContext(cp.context);
  return new ClientNodeApi(kc);
}
