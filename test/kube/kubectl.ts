import { execa } from 'execa';
import type { ControlPlane } from './control-plane.js';

/** kubectl against the test control plane; output and exit code returned, never thrown. */
export async function kubectl(cp: ControlPlane, args: string[], input?: string) {
  return execa('kubectl', ['--kubeconfig', cp.kubeconfig, '--context', cp.context, ...args], { reject: false, ...(input !== undefined ? { input } : {}) });
}
