import { existsSync } from 'node:fs';
import { release } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ClusterState } from '../model/cluster.js';
import type { SyncReport } from './sync-report.js';
import { PrerequisiteError } from '../core/errors.js';
import { requireTools, run } from '../core/exec.js';
import { allServicePorts, diffServices, fingerprints } from './service-ports.js';
import { renderIptables, renderIptablesCleanup, type IptablesBlockCache } from './iptables.js';
import { NftNameCache, renderNftables, renderNftablesCleanup, type NftElements } from './nftables.js';
import {
  IPVS_SET_NAMES, ipvsLosingServers, ipvsSnapshot, ipvsSysctls, parseRealServerConnections, realServerKey, renderDrainCheck, renderIpvsIptablesCleanup, renderIpvsSync, type IpvsSnapshot,
} from './ipvs.js';

export type ProxyMode = 'iptables' | 'nftables' | 'ipvs';

export interface ProxierOptions {
  mode: ProxyMode;
  iptablesBackend: 'nft' | 'legacy';
  /** network namespace that holds the rules (the node) */
  netns: string;
  /** pod CIDR; traffic to a ClusterIP from outside it is masqueraded, as kube-proxy --cluster-cidr does */
  clusterCIDR?: string;
  /**
   * nftables: the node's IPs that take NodePort traffic (kube-proxy 1.36 defaults
   * --nodeport-addresses to the node's primary IP); absent, every local address does.
   */
  nodeIPs?: readonly string[];
  /**
   * IPVS: how often draining real servers are checked for connections left (kube-proxy's
   * rsCheckDeleteInterval, one minute); tests shorten it.
   */
  ipvsDrainCheckMs?: number;
}

/** What was last applied, so a partial sync can write only the difference. */
interface Applied {
  fps: Map<string, string>;
  chains: Map<string, string[]>;
  nft?: NftElements;
}

export const IPVS_MISSING = 'ip_vs kernel module not available (modprobe ip_vs failed)';
export const DUMMY_MISSING = 'dummy kernel module not available: IPVS mode puts every ClusterIP on the dummy link kube-ipvs0';
const VM_HINT = 'run it in a VM with a stock kernel: npm run vm -- npm run bench -- ...; or use --proxy iptables/nftables';

/** Whether a kernel module is loaded or loads (built-in modules show in /sys/module too). */
async function haveModule(name: string): Promise<boolean> {
  if (existsSync(`/sys/module/${name}`)) return true;
  const res = await run('modprobe', [name], { reject: false }).catch(() => ({ exitCode: 1 }));
  return res.exitCode === 0 && existsSync(`/sys/module/${name}`);
}

/**
 * A stand-in for kube-proxy on one node namespace: renders kube-proxy's layout for the mode and
 * applies it the way kube-proxy does (one iptables-restore --noflush, one nft transaction), full
 * or partial. The cost measured is the tool's and the kernel's, since the inputs have
 * kube-proxy's shape; our own part is string building.
 */
export class Proxier {
  private last?: Applied;
  /** every chain that may exist in the namespace because of us (for cleanup, even after a failed sync) */
  private readonly installed = new Set<string>();
  private jumpsInstalled = false;
  private nftTouched = false;
  private ipvsTouched = false;
  /** what the IPVS sync last programmed; undefined after a failed one (the next clears and rewrites) */
  private ipvs?: IpvsSnapshot;
  private drainTimer?: NodeJS.Timeout;
  private readonly iptBlocks: IptablesBlockCache = new Map();
  private readonly nftNames = new NftNameCache();
  private queue: Promise<unknown> = Promise.resolve();
  private needFull = false;
  private timings = { renderMs: 0, applyMs: 0 };

  constructor(private readonly opts: ProxierOptions) {}

  private get restoreTool(): string {
    return this.opts.iptablesBackend === 'legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore';
  }

  async check(): Promise<void> {
    if (this.opts.mode === 'iptables') return requireTools(['ip', this.restoreTool]);
    if (this.opts.mode === 'nftables') return requireTools(['ip', 'nft']);
    if (!(await haveModule('ip_vs'))) throw new PrerequisiteError(IPVS_MISSING, `load it (modprobe ip_vs; package linux-modules-extra on some distributions), or ${VM_HINT}`);
    if (!(await haveModule('dummy'))) throw new PrerequisiteError(DUMMY_MISSING, `load it (modprobe dummy), or ${VM_HINT}`);
    await requireTools(['ip', 'ipset', 'ipvsadm', 'iptables-restore']);
  }

  /**
   * Split of the last sync's durationMs: renderMs is ours (diff + text), applyMs is the bare tool
   * (`ip netns exec NS iptables-restore|nft -f` on that text). durationMs / applyMs is what the
   * harness adds to the kernel's and the tool's work.
   */
  get lastTimings(): { renderMs: number; applyMs: number } {
    return { ...this.timings };
  }

  /** Syncs run one at a time (kube-proxy's single sync loop); durationMs excludes time spent waiting. */
  sync(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    const next = this.queue.then(() => this.syncNow(state, opts));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async syncNow(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    const t0 = performance.now();
    const full = opts.full || !this.last || this.needFull;
    const ports = allServicePorts(state);
    const fps = fingerprints(state);
    const prev = this.last;
    const diff = prev && !full ? diffServices(prev.fps, fps) : undefined;
    /** chains used before by the Services being rewritten, minus those still used */
    const stale = (inUse: Map<string, string[]>): string[] => {
      if (!prev) return [];
      const keys = diff ? [...diff.changed, ...diff.removed] : [...prev.chains.keys()];
      const now = new Set<string>();
      for (const k of keys) for (const c of inUse.get(k) ?? []) now.add(c);
      const out: string[] = [];
      for (const k of keys) for (const c of prev.chains.get(k) ?? []) if (!now.has(c)) out.push(c);
      return [...new Set(out)];
    };
    // a failed apply forces the next sync to be full, as in kube-proxy; the last applied state stays
    // known so that sync still deletes what is stale
    this.needFull = true;
    let rules: number;
    let chains = new Map<string, string[]>();
    let nft: NftElements | undefined;
    let tApply = t0;
    let tDone = t0;
    if (this.opts.mode === 'iptables') {
      const r = renderIptables(ports, { clusterCIDR: this.opts.clusterCIDR, changed: diff?.changed, staleChains: stale, jumps: !this.jumpsInstalled, blocks: { cache: this.iptBlocks, fps } });
      for (const cs of r.chains.values()) for (const c of cs) this.installed.add(c);
      tApply = performance.now();
      await run(this.restoreTool, ['-w', '5', '--noflush', '--counters'], { netns: this.opts.netns, input: r.text });
      tDone = performance.now();
      this.jumpsInstalled = true;
      ({ rules, chains } = r);
      for (const key of this.iptBlocks.keys()) if (!fps.has(key.slice(0, key.indexOf('\0')))) this.iptBlocks.delete(key);
    } else if (this.opts.mode === 'nftables') {
      const r = renderNftables(ports, {
        clusterCIDR: this.opts.clusterCIDR,
        nodeIPs: this.opts.nodeIPs,
        first: !this.nftTouched,
        // a full sync writes only the elements that differ from the last applied transaction
        // (nft applies atomically, so after a failed one the kernel still holds that)
        known: prev?.nft,
        partial: diff && prev?.nft ? { changed: diff.changed, previous: prev.nft } : undefined,
        staleChains: stale,
        names: this.nftNames,
      });
      this.nftTouched = true;
      tApply = performance.now();
      await run('nft', ['-f', '-'], { netns: this.opts.netns, input: r.text });
      tDone = performance.now();
      ({ rules, chains } = r);
      nft = r.elements;
    } else {
      rules = await this.applyIpvs(ports, full);
    }
    const durationMs = performance.now() - t0;
    this.timings = { renderMs: durationMs - (tDone - tApply), applyMs: tDone - tApply };
    this.last = { fps, chains, nft };
    this.needFull = false;
    return { kind: full ? 'full' : 'partial', durationMs, rules };
  }

  /**
   * IPVS as kube-proxy programs it: kube-ipvs0 addresses (ip -batch), ipsets, virtual and real
   * servers (ipvsadm -R) and on a full sync the few iptables rules; only the difference
   * from the last sync is written, so unchanged virtual servers keep their connections. A TCP
   * real server that leaves with connections open drains (weight 0) until a periodic check
   * finds none left, as kube-proxy's graceful termination does.
   */
  private async applyIpvs(ports: ReturnType<typeof allServicePorts>, full: boolean): Promise<number> {
    const netns = this.opts.netns;
    const next = ipvsSnapshot(ports);
    const prev = this.ipvs;
    this.ipvs = undefined;
    if (!this.ipvsTouched) {
      const link = await run('ip', ['link', 'add', 'kube-ipvs0', 'type', 'dummy'], { netns, reject: false });
      if (link.exitCode !== 0 && !link.stderr.includes('File exists')) throw new PrerequisiteError(`${DUMMY_MISSING}: ${link.stderr.trim()}`, `modprobe dummy, or ${VM_HINT}`);
      // per network namespace: this writes the node's own copies, never the host's
      await run('sysctl', ['-q', '-w', ...ipvsSysctls(release())], { netns });
    }
    // after a failed sync nothing is known of the kernel's state: start from a clean table
    if (this.ipvsTouched && !prev) await run('ipvsadm', ['-C'], { netns });
    this.ipvsTouched = true;
    const busy = new Set<string>();
    for (const vs of ipvsLosingServers(prev, next)) {
      for (const [rs, n] of await this.realServerConnections(vs)) if (n > 0) busy.add(realServerKey(vs, rs));
    }
    const r = renderIpvsSync(prev, next, { full, clusterCIDR: this.opts.clusterCIDR, jumps: !this.jumpsInstalled, busy });
    if (r.ipBatch) await run('ip', ['-batch', '-'], { netns, input: r.ipBatch });
    await run('ipset', ['restore', '-exist'], { netns, input: r.ipset });
    // `ipvsadm -R`, not ipvsadm-restore: that wrapper runs `ipvsadm -C` first, which would drop
    // every connection and counter and turn each sync into a full rebuild
    if (r.ipvsadm) await run('ipvsadm', ['-R'], { netns, input: r.ipvsadm });
    if (r.iptables) {
      await run('iptables-restore', ['-w', '5', '--noflush'], { netns, input: r.iptables });
      this.jumpsInstalled = true;
    }
    this.ipvs = r.state;
    if (r.state.draining.size > 0 && !this.drainTimer) {
      this.drainTimer = setInterval(() => {
        this.queue = this.queue.then(() => this.drainCheck()).catch(() => undefined);
      }, this.opts.ipvsDrainCheckMs ?? 60_000);
      this.drainTimer.unref();
    }
    return r.rules;
  }

  /** Real server "ip:port" -> its connections (active + inactive), as kube-proxy reads them before deleting it. */
  private async realServerConnections(vs: string): Promise<Map<string, number>> {
    const [flag, addr] = vs.split(' ');
    const res = await run('ipvsadm', ['-Ln', flag!, addr!], { netns: this.opts.netns, reject: false });
    return res.exitCode === 0 ? parseRealServerConnections(res.stdout) : new Map();
  }

  /** kube-proxy's tryDeleteRs: deletes the draining real servers that have no connection left. */
  private async drainCheck(): Promise<void> {
    const snap = this.ipvs;
    if (!snap) return;
    const conns = new Map<string, Map<string, number>>();
    for (const vs of snap.draining.keys()) conns.set(vs, await this.realServerConnections(vs));
    const { ipvsadm } = renderDrainCheck(snap, conns);
    if (ipvsadm) await run('ipvsadm', ['-R'], { netns: this.opts.netns, input: ipvsadm, reject: false });
    if (snap.draining.size === 0) this.stopDrainCheck();
  }

  private stopDrainCheck(): void {
    clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Real servers out of rotation and still in the kernel, as "-t VIP:PORT/ip:port" (IPVS mode). */
  get drainingRealServers(): string[] {
    return [...(this.ipvs?.draining ?? [])].flatMap(([vs, reals]) => [...reals].map((r) => realServerKey(vs, r)));
  }

  /** Removes everything this proxier created in the namespace; safe to call twice. */
  async cleanup(): Promise<void> {
    this.stopDrainCheck();
    await this.queue;
    const netns = this.opts.netns;
    if (this.opts.mode === 'iptables' && (this.installed.size > 0 || this.jumpsInstalled)) {
      await run(this.restoreTool, ['-w', '5', '--noflush'], { netns, input: renderIptablesCleanup(this.installed, this.jumpsInstalled, this.jumpsInstalled) });
      this.installed.clear();
      this.jumpsInstalled = false;
    } else if (this.opts.mode === 'nftables' && this.nftTouched) {
      await run('nft', ['-f', '-'], { netns, input: renderNftablesCleanup() });
      this.nftTouched = false;
    } else if (this.opts.mode === 'ipvs' && this.ipvsTouched) {
      await run('ipvsadm', ['-C'], { netns, reject: false });
      await run('ip', ['link', 'del', 'kube-ipvs0'], { netns, reject: false });
      await run('iptables-restore', ['-w', '5', '--noflush'], { netns, input: renderIpvsIptablesCleanup(this.jumpsInstalled), reject: false });
      // after the rules that match them: a set in use cannot be destroyed
      for (const set of IPVS_SET_NAMES) await run('ipset', ['destroy', set], { netns, reject: false });
      this.jumpsInstalled = false;
      this.ipvsTouched = false;
      this.ipvs = undefined;
    }
    this.last = undefined;
  }
}
