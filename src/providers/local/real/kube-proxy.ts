import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, run } from '../../../core/exec.js';
import { POD_CIDR } from '../../../model/addressing.js';
import type { ClusterConfig } from '../../../scenario/schema.js';
import { kubeProxySnapshot, type ProxySnapshot } from '../../kube/proxy-metrics.js';
import type { ManagedProcess, ProcessSet } from '../processes.js';

export const KUBE_PROXY_METRICS = '127.0.0.1:10249';

export interface KubeProxyOptions {
  netns: string;
  nodeName: string;
  nodeIP: string;
  kubeconfig: string;
  binary: string;
  cluster: ClusterConfig;
  dir: string;
  procs: ProcessSet;
}

/**
 * Flags that keep kube-proxy to its own network namespace. Left to its defaults it raises
 * nf_conntrack_max and /sys/module/nf_conntrack/parameters/hashsize (host-global) and the
 * conntrack TCP timeouts; 0 leaves each as it is. Everything else it writes (route_localnet,
 * the IPVS sysctls) lives in the node namespace's own /proc/sys/net.
 */
export const HOST_SAFE_FLAGS = [
  '--conntrack-max-per-core=0',
  '--conntrack-tcp-timeout-established=0',
  '--conntrack-tcp-timeout-close-wait=0',
  '--conntrack-udp-timeout=0',
  '--conntrack-udp-timeout-stream=0',
];

export function kubeProxyArgs(o: Omit<KubeProxyOptions, 'procs' | 'binary' | 'dir'>): string[] {
  return [
    `--kubeconfig=${o.kubeconfig}`,
    `--proxy-mode=${o.cluster.proxy}`,
    `--hostname-override=${o.nodeName}`,
    `--bind-address=${o.nodeIP}`,
    '--detect-local-mode=ClusterCIDR',
    `--cluster-cidr=${POD_CIDR}`,
    `--metrics-bind-address=${KUBE_PROXY_METRICS}`,
    '--healthz-bind-address=127.0.0.1:10256',
    ...HOST_SAFE_FLAGS,
    '--v=1',
  ];
}

/**
 * kube-proxy calls `iptables`, `iptables-restore`, ...; Debian's alternatives point them at the
 * nft backend. For cluster.iptablesBackend legacy, a folder first on its PATH points them at
 * the legacy binaries, as a node whose alternatives say legacy would.
 */
function iptablesPath(dir: string, backend: ClusterConfig['iptablesBackend']): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['iptables', 'iptables-save', 'iptables-restore', 'ip6tables', 'ip6tables-save', 'ip6tables-restore']) {
    const target = `/usr/sbin/${tool.replace(/^(ip6?tables)/, `$1-${backend}`)}`;
    try {
      symlinkSync(target, join(bin, tool));
    } catch {
      /* already there (restart) */
    }
  }
  return `${bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
}

/** The real kube-proxy in the node namespace: started, restarted (for a full sync), scraped. */
export class KubeProxy {
  private proc?: ManagedProcess;
  private generation = 0;

  constructor(private readonly o: KubeProxyOptions) {}

  /** pid of the running kube-proxy (for its CPU) */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** A name that changes on every start, so a restarted kube-proxy is told apart from the old one. */
  get instance(): string {
    return `kube-proxy-${this.generation}`;
  }

  async start(): Promise<void> {
    this.generation++;
    mkdirSync(this.o.dir, { recursive: true });
    const env = { PATH: iptablesPath(this.o.dir, this.o.cluster.iptablesBackend) };
    this.proc = await this.o.procs.start({
      name: 'kube-proxy', netns: this.o.netns, file: 'env', args: [`PATH=${env.PATH}`, this.o.binary, ...kubeProxyArgs(this.o)],
      port: { proto: 'tcp', port: 10249 }, timeoutMs: 60_000, logFile: join(this.o.dir, 'kube-proxy.log'),
    });
  }

  async stop(): Promise<void> {
    if (this.proc) await this.o.procs.stop(this.proc);
    this.proc = undefined;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Is the kube-proxy process still there (a killed one must not be waited for)? */
  alive(): boolean {
    return this.proc !== undefined && processAlive(this.proc.pid);
  }

  /** What kube-proxy's /metrics says now, or undefined while it is not serving. */
  async scrape(): Promise<ProxySnapshot | undefined> {
    const res = await run('curl', ['-sS', '--max-time', '5', `http://${KUBE_PROXY_METRICS}/metrics`], { netns: this.o.netns, reject: false });
    if (res.exitCode !== 0) return undefined;
    return kubeProxySnapshot(this.instance, res.stdout);
  }

  /** The last lines kube-proxy printed, for error messages. */
  tail(): string {
    return this.proc?.tail() ?? '';
  }
}
