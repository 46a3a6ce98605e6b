import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrerequisiteError } from '../../../src/core/errors.js';
import { newRunId } from '../../../src/core/ids.js';
import { SERVICE_CIDR } from '../../../src/model/addressing.js';
import type { ClientNodeApi } from '../../../src/providers/kube/client-node-api.js';
import { haveBinaries, requireBinaries } from '../../../src/providers/local/real/binaries.js';
import type { ControlPlane as RealControlPlane } from '../../../src/providers/local/real/control-plane.js';
import { startStandaloneControlPlane } from '../../../src/providers/local/real/standalone.js';

/**
 * A real kube-apiserver (with etcd), built by npm run setup, for the tests that only a real API
 * server can judge: server-side validation of every manifest the kind and existing paths apply,
 * Services pinned to model ClusterIPs on an apiserver that already holds dynamic ones, the
 * existing provider's names resolved by real CoreDNS. No controller-manager, scheduler or
 * kubelet: tests write pod status themselves, and deleted namespaces stay Terminating.
 */
export interface ControlPlane {
  /** https URL reachable from this (the root) namespace, through the run's loopback bridge */
  server: string;
  /** kubeconfig file with a cluster-admin client certificate */
  kubeconfig: string;
  context: string;
  serviceCIDR: string;
  /** absolute path of a pinned component binary (e.g. coredns) */
  bin(name: string): string;
  api: ClientNodeApi;
  controlPlane: RealControlPlane;
}

/** Runs fn against a control plane of its own, torn down afterwards whatever fn does; fails without the binaries. */
export async function withControlPlane<T>(fn: (cp: ControlPlane) => Promise<T>): Promise<T> {
  if (!haveBinaries(['etcd', 'kube-apiserver'])) throw new PrerequisiteError('etcd and kube-apiserver are missing', 'run npm run setup (discobench components install)');
  const runId = newRunId();
  const s = await startStandaloneControlPlane(runId, join(tmpdir(), `disco-cp-${runId}`));
  try {
    const server = s.controlPlane.kubeconfig?.getCurrentCluster()?.server ?? '';
    return await fn({
      server,
      kubeconfig: s.kubeconfig,
      context: 'discobench',
      serviceCIDR: SERVICE_CIDR,
      bin: (name) => requireBinaries([name])[name]!,
      api: s.api,
      controlPlane: s.controlPlane,
    });
  } finally {
    await s.stop();
  }
}
