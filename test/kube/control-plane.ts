import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * A real kube-apiserver (with etcd) for the tests that only a real API server can judge:
 * server-side validation of every manifest the kind and existing paths apply, Services pinned
 * to model ClusterIPs on an apiserver that already holds dynamic ones, the existing provider's
 * names resolved by real CoreDNS.
 *
 * Contract for the local control plane (issue 14), which is to start one here:
 *   - `server`: the https URL of a kube-apiserver started with
 *     --service-cluster-ip-range=10.96.0.0/12 (the model's SERVICE_CIDR), backed by etcd;
 *   - `kubeconfig`: a file whose `context` authenticates as a cluster admin (all verbs on all
 *     resources, incl. pods/status, services, endpointslices, namespaces, configmaps, apps/*);
 *   - namespaces default and kube-system exist (kube-apiserver creates them itself);
 *   - `bin(name)`: absolute path of a pinned component binary, at least `coredns`;
 *   - no kube-controller-manager, scheduler or kubelet are needed (the tests write pod status
 *     themselves); one control plane may be shared by all tests of a file; objects the tests
 *     create carry discobench's labels and live in namespaces the tests delete.
 * Until then, DISCOBENCH_TEST_KUBECONFIG may name the kubeconfig of such an apiserver (its
 * current context is used) and DISCOBENCH_BIN_DIR the directory of the binaries. With neither,
 * the tests fail with this message instead of passing silently unchecked.
 */
export interface ControlPlane {
  server: string;
  kubeconfig: string;
  context: string;
  serviceCIDR: string;
  bin(name: string): string;
}

export const MISSING = 'no local control plane for this test: test/kube/control-plane.ts awaits the etcd + kube-apiserver of issue 14 (see its doc comment for what it must provide); meanwhile set DISCOBENCH_TEST_KUBECONFIG (and DISCOBENCH_BIN_DIR for coredns) to run it against one';

function fromEnvironment(): ControlPlane | undefined {
  const kubeconfig = process.env['DISCOBENCH_TEST_KUBECONFIG'];
  if (!kubeconfig) return undefined;
  const kc = parse(readFileSync(kubeconfig, 'utf8')) as { 'current-context': string; contexts: Array<{ name: string; context: { cluster: string } }>; clusters: Array<{ name: string; cluster: { server: string } }> };
  const context = kc['current-context'];
  const cluster = kc.contexts.find((c) => c.name === context)?.context.cluster;
  const server = kc.clusters.find((c) => c.name === cluster)?.cluster.server;
  if (!server) throw new Error(`DISCOBENCH_TEST_KUBECONFIG=${kubeconfig}: no server for its current context ${context}`);
  const binDir = process.env['DISCOBENCH_BIN_DIR'];
  return {
    server,
    kubeconfig,
    context,
    serviceCIDR: '10.96.0.0/12',
    bin: (name) => {
      const p = binDir ? join(binDir, name) : '';
      if (!p || !existsSync(p)) throw new Error(`${name}: not found in DISCOBENCH_BIN_DIR (${binDir ?? 'unset'})`);
      return p;
    },
  };
}

/** Runs fn against the local real control plane; fails loudly when there is none. */
export async function withControlPlane<T>(fn: (cp: ControlPlane) => Promise<T>): Promise<T> {
  const cp = fromEnvironment();
  if (!cp) throw new Error(MISSING);
  return fn(cp);
}
