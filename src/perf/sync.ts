import { performance } from 'node:perf_hooks';
import { requireTools, run } from '../core/exec.js';
import { MeasurementError } from '../core/errors.js';
import { ChainNameCache, renderIptables } from '../dataplane/iptables.js';
import { NftNameCache, renderNftables } from '../dataplane/nftables.js';
import { Proxier } from '../dataplane/proxier.js';
import { allServicePorts } from '../dataplane/service-ports.js';
import { POD_CIDR } from '../model/addressing.js';
import type { ClusterState } from '../model/cluster.js';
import { generateServices } from '../model/generate.js';
import { selfAndChildrenCpuMs } from '../core/child-cpu.js';
import { createNetns, deleteNetns } from './netns.js';
import { waitForIdle } from './idle.js';
import { summarize, type Summary } from './stats.js';
import { ratio } from './targets.js';

/**
 * A Proxier full sync (render + apply, what a scenario times) against the bare tool applying the
 * very same text (`sync.*_vs_*`). Every sync goes into a fresh, empty
 * namespace, both sides alike, in alternating order, each after the machine went idle.
 *
 * What is judged is the harness's overhead, not the kernel's cost, which both sides pay: the
 * Proxier times its own part of every sync (diff, render, text; everything but the apply, which
 * is the same `run(tool)` the bare side makes), and the ratio is (the tool's median + our median
 * overhead) / the tool's median. The ratio of the wall medians is reported beside it: the kernel's
 * cost of one identical 10k-Service nft transaction varies from 25 s to 87 s between runs here
 * (measured, even for two runs at once), so a few rounds of wall clock cannot resolve 10%.
 */
export type SyncMode = 'iptables' | 'nftables';

export const RESTORE_TOOL: Record<SyncMode, { file: string; args: string[] }> = {
  iptables: { file: 'iptables-nft-restore', args: ['-w', '5', '--noflush', '--counters'] },
  nftables: { file: 'nft', args: ['-f', '-'] },
};

/** The generated state of the sync comparison: `count` ClusterIP Services, 2 endpoints each. */
export function syncState(count: number): ClusterState {
  return generateServices({ count, endpointsPerService: 2, headless: 0, externalName: 0, namespaces: 10 });
}

/**
 * The text a fresh Proxier's first full sync applies, rendered with exactly the Proxier's
 * arguments (no previous state: no diff, no stale chains; the jumps / base chains included).
 * A test checks it byte for byte against what Proxier really hands the tool.
 */
export function proxierFirstSyncText(mode: SyncMode, state: ClusterState, clusterCIDR = POD_CIDR): string {
  const ports = allServicePorts(state);
  const noStale = (): string[] => [];
  return mode === 'iptables'
    ? renderIptables(ports, { clusterCIDR, changed: undefined, staleChains: noStale, jumps: true, names: new ChainNameCache() }).text
    : renderNftables(ports, { clusterCIDR, first: true, partial: undefined, staleChains: noStale, names: new NftNameCache() }).text;
}

export interface SyncVsToolOptions {
  mode: SyncMode;
  services: number;
  rounds: number;
  /** namespace name prefix; `<prefix>-o` (ours) and `<prefix>-r` (the bare tool) */
  prefix: string;
  signal?: AbortSignal;
}

export interface SyncVsToolResult {
  /** (tool median + overhead median) / tool median: the judged figure */
  ratio: number;
  /** ours / tool, wall-clock medians: the kernel's spread included */
  wallRatio: number;
  /** the Proxier's own time in each of its syncs (all but the apply), ms */
  overheadMs: Summary;
  /** Proxier.sync({ full: true }) into an empty namespace, ms */
  oursMs: Summary;
  /** the bare tool on the same text into an empty namespace, ms */
  toolMs: Summary;
  /**
   * CPU (ours and the tool's, kernel work in its syscalls included) of each side, ms, and their
   * ratio: what the neighbours on a loaded machine do not change, a cross-check of the wall ratio
   */
  oursCpuMs: Summary;
  toolCpuMs: Summary;
  cpuRatio: number;
  tool: string;
  services: number;
  rules: number;
  textBytes: number;
  /** rendering alone, outside any sync (allServicePorts + render), ms */
  renderMs: number;
  /** after each sync, the wait for an idle machine (the kernel's deferred cleanup), ms */
  settleMs: number[];
}

/**
 * Empties a namespace's tables (not timed) and deletes it, then waits for the kernel's deferred
 * work on them (nf_tables frees a committed ruleset in a work queue) to finish: it must not land
 * in the next timing. Returns the milliseconds waited.
 */
async function emptyAndDelete(ns: string, signal?: AbortSignal): Promise<number> {
  await run('nft', ['flush', 'ruleset'], { netns: ns, reject: false, timeoutMs: 300_000 });
  await deleteNetns(ns);
  return waitForIdle({ maxMs: 120_000, signal });
}

export async function measureSyncVsTool(o: SyncVsToolOptions): Promise<SyncVsToolResult> {
  const tool = RESTORE_TOOL[o.mode];
  await requireTools(['ip', 'nft', tool.file]);
  const state = syncState(o.services);
  const t0 = performance.now();
  const text = proxierFirstSyncText(o.mode, state);
  const renderMs = performance.now() - t0;
  // the first timing must not pay for whatever ran before (the DNS and HTTP pairs, a build)
  await waitForIdle({ maxMs: 60_000, signal: o.signal });
  const ours: number[] = [];
  const bare: number[] = [];
  const oursCpu: number[] = [];
  const overhead: number[] = [];
  const bareCpu: number[] = [];
  let rules = 0;
  const settleMs: number[] = [];
  const oursNs = `${o.prefix}-o`;
  const bareNs = `${o.prefix}-r`;
  const runOurs = async () => {
    await createNetns(oursNs);
    try {
      const proxier = new Proxier({ mode: o.mode, iptablesBackend: 'nft', netns: oursNs, clusterCIDR: POD_CIDR });
      const c0 = selfAndChildrenCpuMs();
      const rep = await proxier.sync(state, { full: true });
      oursCpu.push(selfAndChildrenCpuMs() - c0);
      rules = rep.rules;
      ours.push(rep.durationMs);
      overhead.push(proxier.lastTimings.renderMs);
    } finally {
      settleMs.push(await emptyAndDelete(oursNs, o.signal));
    }
  };
  const runBare = async () => {
    await createNetns(bareNs);
    try {
      const c0 = selfAndChildrenCpuMs();
      const t = performance.now();
      await run(tool.file, tool.args, { netns: bareNs, input: text, signal: o.signal });
      bare.push(performance.now() - t);
      bareCpu.push(selfAndChildrenCpuMs() - c0);
    } finally {
      settleMs.push(await emptyAndDelete(bareNs, o.signal));
    }
  };
  for (let round = 0; round < o.rounds; round++) {
    if (o.signal?.aborted) throw new MeasurementError('interrupted');
    if (round % 2 === 0) {
      await runOurs();
      await runBare();
    } else {
      await runBare();
      await runOurs();
    }
  }
  const oursMs = summarize(ours, 1);
  const toolMs = summarize(bare, 1);
  const oursCpuMs = summarize(oursCpu, 0);
  const toolCpuMs = summarize(bareCpu, 0);
  const overheadMs = summarize(overhead, 1);
  return {
    ratio: ratio(toolMs.median + overheadMs.median, toolMs.median),
    wallRatio: ratio(oursMs.median, toolMs.median),
    overheadMs,
    oursMs, toolMs,
    oursCpuMs, toolCpuMs, cpuRatio: ratio(oursCpuMs.median, toolCpuMs.median),
    tool: [tool.file, ...tool.args].join(' '),
    services: o.services, rules, textBytes: Buffer.byteLength(text), renderMs: Math.round(renderMs * 10) / 10,
    settleMs,
  };
}
