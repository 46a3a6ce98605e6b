import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../core/exec.js';
import type { ClientNodeApi } from '../../kube/client-node-api.js';
import { NODE_GATEWAY } from '../addresses.js';
import { deleteNetns, netnsName } from '../netns.js';
import { ProcessSet } from '../processes.js';
import { requireBinaries } from './binaries.js';
import { ControlPlane } from './control-plane.js';

export interface StandaloneControlPlane {
  api: ClientNodeApi;
  /** kubeconfig file reaching the API server from the root namespace (context "discobench") */
  kubeconfig: string;
  controlPlane: ControlPlane;
  stop(): Promise<void>;
}

/**
 * etcd and kube-apiserver alone, in one namespace of their own: a real API server for checks
 * that need no data plane (server-side validation of manifests, the existing provider's API
 * paths). Named like a run's namespaces, so `clean` finds it after a crash.
 */
export async function startStandaloneControlPlane(runId: string, workDir: string, log: (m: string) => void = () => undefined): Promise<StandaloneControlPlane> {
  const bins = requireBinaries(['etcd', 'kube-apiserver']);
  const netns = netnsName(runId, 'node');
  const procs = new ProcessSet();
  mkdirSync(workDir, { recursive: true });
  await run('ip', ['netns', 'add', netns]);
  const stop = async () => {
    await cp.stop();
    await procs.stopAll();
    await deleteNetns(netns);
    rmSync(workDir, { recursive: true, force: true });
  };
  const cp = new ControlPlane({ netns, nodeIP: NODE_GATEWAY, dir: join(workDir, 'control-plane'), binaries: { etcd: bins.etcd!, 'kube-apiserver': bins['kube-apiserver']! }, procs, log });
  try {
    await run('ip', ['-n', netns, '-batch', '-'], { input: `link set lo up\naddr add ${NODE_GATEWAY}/32 dev lo\n` });
    const api = await cp.start();
    return { api, kubeconfig: cp.adminKubeconfig, controlPlane: cp, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
