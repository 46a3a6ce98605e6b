import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { componentOf, pinnedVersion } from '../../../components/catalog.js';
import { parseAllDocuments } from 'yaml';
import { MeasurementError, PrerequisiteError } from '../../../core/errors.js';
import { run } from '../../../core/exec.js';
import { processCpuSeconds } from '../../../dns/server/process.js';
import { nodeLocalNotrackRules } from '../../../dns/server/unbound.js';
import { CLUSTER_DOMAIN, KUBE_DNS_IP, NODE_LOCAL_DNS_IP } from '../../../model/addressing.js';
import type { ClusterConfig } from '../../../scenario/schema.js';
import { forwardToUpstream } from '../../kube/corefile.js';
import { nodeLocalPillars } from '../../kube/nodelocal.js';
import { fillTemplate, readInfra } from '../../kube/infra.js';
import { parsePrometheus, sumOf } from '../../kube/prom.js';
import { UPSTREAM_IP } from '../addresses.js';
import type { ManagedProcess, ProcessSet } from '../processes.js';
import type { Pod } from '../topology.js';

export const COREDNS_METRICS_PORT = 9153;
export const NODE_LOCAL_METRICS_PORT = 9253;
/** kube-dns-upstream: node-cache's way to CoreDNS, pinned in the static band of the service CIDR */
export const KUBE_DNS_UPSTREAM_IP = '10.96.0.11';

function corefileOf(configMapYaml: string, name: string): string {
  for (const doc of parseAllDocuments(configMapYaml)) {
    const o = doc.toJS() as { kind?: string; metadata?: { name?: string }; data?: { Corefile?: string } } | null;
    if (o?.kind === 'ConfigMap' && o.metadata?.name === name && o.data?.Corefile) return o.data.Corefile;
  }
  throw new Error(`no ConfigMap ${name} with a Corefile`);
}

/**
 * kubeadm's CoreDNS Corefile of the pinned Kubernetes version, read from that version's source
 * in the Go module cache (npm run setup downloads it to build kube-apiserver), with the cluster
 * domain filled in as kubeadm's template does.
 */
export function kubeadmCorefile(domain = CLUSTER_DOMAIN): string {
  const version = pinnedVersion(componentOf('kube-apiserver'));
  let modcache = process.env.GOMODCACHE;
  if (!modcache) {
    try {
      modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    } catch {
      modcache = join(homedir(), 'go', 'pkg', 'mod');
    }
  }
  const file = join(modcache, `k8s.io/kubernetes@${version}`, 'cmd/kubeadm/app/phases/addons/dns/manifests.go');
  if (!existsSync(file)) throw new PrerequisiteError(`kubeadm's CoreDNS manifest of Kubernetes ${version} is not in the Go module cache (${file})`, 'run npm run setup, which downloads the pinned modules');
  const m = /CoreDNSConfigMap = `([^`]*)`/.exec(readFileSync(file, 'utf8'));
  if (!m) throw new Error(`${file}: no CoreDNSConfigMap`);
  // Go templates: "{{-" trims the whitespace before it; the if holds for a non-empty domain
  const rendered = m[1]!
    .replace(/\s*\{\{- if \.DNSDomain \}\}/g, '')
    .replace(/\s*\{\{- end \}\}/g, '')
    .replace(/\{\{ \.DNSDomain \}\}/g, domain);
  if (/\{\{/.test(rendered)) throw new Error(`${file}: template constructs this renderer does not know: ${/\{\{[^}]*\}\}/.exec(rendered)?.[0]}`);
  return corefileOf(rendered, 'coredns');
}

/**
 * The cluster DNS Corefile of the local provider: kubeadm's (the pinned version's, as a stock
 * cluster runs it) with the one change the kind provider makes (external names to the upstream
 * stand-in, never the host's resolver), and the kubernetes plugin pointed at the run's API
 * server by kubeconfig, as a CoreDNS outside a pod must be.
 */
export function clusterCorefile(kubeconfig: string): string {
  const text = forwardToUpstream(kubeadmCorefile(), UPSTREAM_IP);
  const out = text.replace(/^(\s*)kubernetes ([^\n{]*)\{\n(\s*)/m, (_m, indent: string, zones: string, inner: string) => `${indent}kubernetes ${zones}{\n${inner}kubeconfig ${kubeconfig}\n${inner}`);
  if (out === text) throw new Error('the CoreDNS Corefile has no kubernetes block');
  return out;
}

/**
 * node-cache's Corefile from the NodeLocal DNSCache manifest, with the pillars node-cache fills
 * at start: the local addresses per proxy mode and kube-dns-upstream's ClusterIP.
 */
export function nodeLocalCorefile(proxy: ClusterConfig['proxy']): string {
  const filled = fillTemplate(readInfra('nodelocaldns', 'nodelocaldns.yaml.tmpl'), nodeLocalPillars(proxy), ['__PILLAR__CLUSTER__DNS__']);
  return corefileOf(filled, 'node-local-dns').split('__PILLAR__CLUSTER__DNS__').join(KUBE_DNS_UPSTREAM_IP);
}

/** The addresses node-cache holds on the node in this proxy mode (IPVS: kube-ipvs0 has kube-dns's). */
export function nodeLocalAddresses(proxy: ClusterConfig['proxy']): string[] {
  return proxy === 'ipvs' ? [NODE_LOCAL_DNS_IP] : [NODE_LOCAL_DNS_IP, KUBE_DNS_IP];
}

async function metricsOf(netns: string, addr: string): Promise<string> {
  const res = await run('curl', ['-sS', '--max-time', '5', `http://${addr}/metrics`], { netns, reject: false });
  if (res.exitCode !== 0) throw new MeasurementError(`cannot read metrics at ${addr} in ${netns}: ${res.stderr.trim()}`);
  return res.stdout;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Real CoreDNS, one process per DNS pod namespace, and NodeLocal DNSCache in the node namespace. */
export class RealClusterDns {
  private readonly servers: Array<{ pod: Pod; proc: ManagedProcess }> = [];
  private cache?: ManagedProcess;

  constructor(private readonly o: { coredns: string; dir: string; procs: ProcessSet; nodeNetns: string; cluster: ClusterConfig; podKubeconfig: string }) {}

  async startPod(pod: Pod): Promise<void> {
    const dir = join(this.o.dir, `coredns-${pod.index}`);
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'Corefile');
    writeFileSync(conf, clusterCorefile(this.o.podKubeconfig));
    const proc = await this.o.procs.start({ name: `coredns dns-${pod.index}`, netns: pod.netns, file: this.o.coredns, args: ['-conf', conf], port: { proto: 'udp', port: 53 }, timeoutMs: 60_000, logFile: join(dir, 'coredns.log') });
    this.servers.push({ pod, proc });
    // the ready plugin answers 200 once the kubernetes plugin has synced with the API server
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '2', 'http://127.0.0.1:8181/ready'], { netns: pod.netns, reject: false });
      if (res.stdout.trim() === '200') return;
      if (Date.now() > deadline) throw new MeasurementError(`CoreDNS in ${pod.netns} not ready after 60 s: ${proc.tail()}`);
      await sleep(100);
    }
  }

  async startNodeLocal(): Promise<void> {
    const dir = join(this.o.dir, 'node-local-dns');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'Corefile');
    writeFileSync(conf, nodeLocalCorefile(this.o.cluster.proxy));
    // node-cache's own set-up: DNS to and from its addresses bypasses conntrack (and so kube-proxy's DNAT)
    const restore = this.o.cluster.iptablesBackend === 'legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore';
    await run(restore, ['-w', '5', '--noflush'], { netns: this.o.nodeNetns, input: nodeLocalNotrackRules(nodeLocalAddresses(this.o.cluster.proxy)) });
    this.cache = await this.o.procs.start({ name: 'node-local-dns (CoreDNS with node-cache\'s Corefile)', netns: this.o.nodeNetns, file: this.o.coredns, args: ['-conf', conf], port: { proto: 'tcp', port: NODE_LOCAL_METRICS_PORT }, timeoutMs: 60_000, logFile: join(dir, 'node-local-dns.log') });
  }

  /**
   * Stops the CoreDNS of one pod as the kubelet stops a deleted pod: SIGTERM, then the
   * Corefile's `health { lameduck 5s }` keeps it answering for 5 s before it exits; SIGKILL
   * only after the grace period. Resolves once it has exited, with how long that took.
   */
  async stopPod(pod: Pod, graceMs = 30_000): Promise<number> {
    const i = this.servers.findIndex((s) => s.pod === pod);
    if (i < 0) throw new Error(`no CoreDNS in ${pod.netns}`);
    const [{ proc }] = this.servers.splice(i, 1) as [{ pod: Pod; proc: ManagedProcess }];
    const t0 = Date.now();
    await this.o.procs.stop(proc, graceMs);
    return Date.now() - t0;
  }

  /** Queries the CoreDNS of this pod has answered so far (its coredns_dns_requests_total), undefined once it is gone. */
  async queriesOf(pod: Pod): Promise<number | undefined> {
    if (!this.servers.some((s) => s.pod === pod)) return undefined;
    return sumOf(parsePrometheus(await metricsOf(pod.netns, `127.0.0.1:${COREDNS_METRICS_PORT}`)), 'coredns_dns_requests_total') ?? 0;
  }

  /** pids of the cluster DNS servers (not the node-local cache) */
  pids(): number[] {
    return this.servers.map((s) => s.proc.pid);
  }

  async sample(): Promise<{ cpuSeconds: number; queries: number; cacheHits?: number; cacheMisses?: number }> {
    let cpuSeconds = 0;
    let queries = 0;
    for (const s of this.servers) {
      cpuSeconds += await processCpuSeconds(s.proc.pid);
      queries += sumOf(parsePrometheus(await metricsOf(s.pod.netns, `127.0.0.1:${COREDNS_METRICS_PORT}`)), 'coredns_dns_requests_total') ?? 0;
    }
    if (!this.cache) return { cpuSeconds, queries };
    const p = parsePrometheus(await metricsOf(this.o.nodeNetns, `127.0.0.1:${NODE_LOCAL_METRICS_PORT}`));
    return { cpuSeconds, queries, cacheHits: sumOf(p, 'coredns_cache_hits_total') ?? 0, cacheMisses: sumOf(p, 'coredns_cache_misses_total') ?? 0 };
  }
}

export { CLUSTER_DOMAIN };
