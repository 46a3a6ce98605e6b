import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { MeasurementError } from '../../../core/errors.js';
import { run } from '../../../core/exec.js';
import { SERVICE_CIDR } from '../../../model/addressing.js';
import { ClientNodeApi } from '../../kube/client-node-api.js';
import { CLI_MAIN } from '../agents.js';
import type { ProcessSet } from '../processes.js';
import { loopbackToUnix, type LoopbackBridge } from './bridge.js';
import { createPki, kubeconfigText, type Pki } from './pki.js';

export const APISERVER_PORT = 6443;
const ETCD_CLIENT = 'http://127.0.0.1:2379';

export interface ControlPlaneOptions {
  /** the node namespace: etcd and the API server run there */
  netns: string;
  /** the node's address (the API server's advertise address, reachable from every pod) */
  nodeIP: string;
  dir: string;
  binaries: { etcd: string; 'kube-apiserver': string };
  procs: ProcessSet;
  log(message: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * etcd and kube-apiserver of one run, in the node namespace (as kwok's binary runtime does, with
 * no kubelet): service CIDR 10.96.0.0/12, a throwaway PKI, kubeconfigs for the harness (through
 * the loopback bridge), for components in the node namespace (127.0.0.1) and for pods (node IP).
 */
export class ControlPlane {
  pki?: Pki;
  api?: ClientNodeApi;
  kubeconfig?: k8s.KubeConfig;
  private bridge?: LoopbackBridge;
  /** kubeconfig files: in the node namespace, and from a pod namespace */
  nodeKubeconfig = '';
  podKubeconfig = '';

  constructor(private readonly o: ControlPlaneOptions) {}

  async start(): Promise<ClientNodeApi> {
    const { dir, netns, procs } = this.o;
    mkdirSync(dir, { recursive: true });
    const started = Date.now();
    this.pki = await createPki(join(dir, 'pki'), [this.o.nodeIP, '127.0.0.1', '10.96.0.1'], ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost']);
    const pki = this.pki;
    await procs.start({
      name: 'etcd', netns, file: this.o.binaries.etcd,
      args: [
        '--name=discobench', `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${ETCD_CLIENT}`, `--advertise-client-urls=${ETCD_CLIENT}`,
        '--listen-peer-urls=http://127.0.0.1:2380', '--initial-advertise-peer-urls=http://127.0.0.1:2380',
        '--initial-cluster=discobench=http://127.0.0.1:2380', '--log-level=warn',
        // the control plane is scaffolding, not under test: no fsync waits on the run's disk
        '--unsafe-no-fsync',
      ],
      port: { proto: 'tcp', port: 2379 }, timeoutMs: 30_000, logFile: join(dir, 'etcd.log'),
    });
    await procs.start({
      name: 'kube-apiserver', netns, file: this.o.binaries['kube-apiserver'],
      args: [
        `--etcd-servers=${ETCD_CLIENT}`, `--advertise-address=${this.o.nodeIP}`, '--bind-address=0.0.0.0', `--secure-port=${APISERVER_PORT}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`, `--cert-dir=${join(dir, 'apiserver')}`,
        `--client-ca-file=${pki.caCert}`, `--tls-cert-file=${pki.serverCert}`, `--tls-private-key-file=${pki.serverKey}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`, `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
        '--authorization-mode=Node,RBAC', '--profiling=false', '--v=1',
      ],
      port: { proto: 'tcp', port: APISERVER_PORT }, timeoutMs: 120_000, logFile: join(dir, 'kube-apiserver.log'),
    });
    this.nodeKubeconfig = join(dir, 'node.kubeconfig');
    this.podKubeconfig = join(dir, 'pod.kubeconfig');
    writeFileSync(this.nodeKubeconfig, kubeconfigText(pki, `https://127.0.0.1:${APISERVER_PORT}`));
    writeFileSync(this.podKubeconfig, kubeconfigText(pki, `https://${this.o.nodeIP}:${APISERVER_PORT}`));
    const sock = join(dir, 'apiserver.sock');
    await procs.start({ name: 'api bridge', netns, file: process.execPath, args: [CLI_MAIN, 'bridge', '--unix', sock, '--to', `127.0.0.1:${APISERVER_PORT}`], readyLine: 'ready' });
    this.bridge = await loopbackToUnix(sock);
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfigText(pki, `https://127.0.0.1:${this.bridge.port}`));
    this.kubeconfig = kc;
    this.api = new ClientNodeApi(kc);
    await this.waitReady();
    this.o.log(`local: etcd and kube-apiserver ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return this.api;
  }

  /**
   * The Node object kubelet would register: kube-proxy waits (30 s) for its addresses before it
   * programs anything, and takes the node IP from it. Status is a subresource, written apart.
   */
  async registerNode(name: string, labels: Record<string, string>): Promise<void> {
    const core = this.kubeconfig!.makeApiClient(k8s.CoreV1Api);
    const node = await core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { ...labels, 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } } } });
    node.status = { ...node.status, addresses: [{ type: 'InternalIP', address: this.o.nodeIP }, { type: 'Hostname', address: name }] };
    await core.replaceNodeStatus({ name, body: node });
  }

  /** GET a path of the API server from inside the node namespace (readyz, metrics). */
  async get(path: string): Promise<string> {
    const pki = this.pki!;
    const res = await run('curl', ['-sS', '--max-time', '10', '--cacert', pki.caCert, '--cert', pki.clientCert, '--key', pki.clientKey, `https://127.0.0.1:${APISERVER_PORT}${path}`], { netns: this.o.netns, reject: false });
    if (res.exitCode !== 0) throw new Error(`GET ${path}: ${res.stderr.trim()}`);
    return res.stdout;
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 120_000;
    let last = '';
    while (Date.now() < deadline) {
      try {
        last = (await this.get('/readyz')).trim();
        if (last === 'ok') return;
      } catch (err) {
        last = (err as Error).message;
      }
      await sleep(250);
    }
    throw new MeasurementError(`kube-apiserver not ready after 120 s: ${last}`, `look at ${this.o.dir}`);
  }

  async stop(): Promise<void> {
    await this.bridge?.close();
    this.bridge = undefined;
  }
}
