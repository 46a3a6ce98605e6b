import { performance } from 'node:perf_hooks';
import { run } from '../core/exec.js';
import { POD_CIDR } from '../model/addressing.js';
import { generatedService, generateServices } from '../model/generate.js';
import type { ClusterState } from '../model/cluster.js';
import { ChainNameCache, renderIptables } from './iptables.js';
import { NftNameCache, renderNftables } from './nftables.js';
import { Proxier } from './proxier.js';
import { allServicePorts } from './service-ports.js';

/**
 * Measures what the harness adds to a sync: a Proxier full sync (render + apply) against the
 * bare tool (`iptables-restore`, `nft -f`) applying the very same text, both within the same sync
 * (ratioInRun: immune to load changing between runs) and as a separate run into an equally empty
 * or equally populated namespace. For `npm run perf`.
 */
export interface SyncBenchResult {
  mode: 'iptables' | 'nftables';
  iptablesBackend?: 'nft' | 'legacy';
  services: number;
  rules: number;
  textBytes: number;
  /** first sync into an empty namespace: ours (render + apply) and the bare tool's */
  firstMs: number;
  rawFirstMs: number;
  /** later full syncs over the same state */
  repeatMs: number[];
  rawRepeatMs: number[];
  /** one sync after adding a single Service */
  partialMs: number;
  /** render time alone of one full sync */
  renderMs: number;
  /** the first sync split: our render and the tool's apply, measured around the same exec */
  firstRenderMs: number;
  firstApplyMs: number;
  /** durationMs / applyMs of the first sync: what the harness adds, free of run-to-run noise */
  ratioInRun: number;
  /** ours / bare tool on the first sync, and on the median repeat */
  ratioFirst: number;
  ratioRepeat: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function withNetns<T>(name: string, fn: () => Promise<T>): Promise<T> {
  await run('ip', ['netns', 'add', name]);
  try {
    return await fn();
  } finally {
    await run('ip', ['netns', 'del', name], { reject: false });
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchSync(opts: {
  mode: 'iptables' | 'nftables';
  iptablesBackend?: 'nft' | 'legacy';
  services: number;
  endpointsPerService?: number;
  repeats?: number;
  /** unique part of the namespace names (run id) */
  tag: string;
}): Promise<SyncBenchResult> {
  const backend = opts.iptablesBackend ?? 'nft';
  const spec = { count: opts.services, endpointsPerService: opts.endpointsPerService ?? 2, namespaces: 10, headless: 0, externalName: 0 };
  const state = generateServices(spec, ['10.244.0.10']);
  const plusOne: ClusterState = { ...state, services: [...state.services, generatedService(opts.services, spec)] };
  const ports = allServicePorts(state);
  const tool = opts.mode === 'nftables' ? 'nft' : backend === 'legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore';
  const toolArgs = opts.mode === 'nftables' ? ['-f', '-'] : ['-w', '5', '--noflush', '--counters'];
  // the texts the Proxier applies: the first with the jumps / base-chain re-creation, later ones without
  const texts = (first: boolean): string =>
    opts.mode === 'nftables'
      ? renderNftables(ports, { clusterCIDR: POD_CIDR, first, names: new NftNameCache() }).text
      : renderIptables(ports, { clusterCIDR: POD_CIDR, jumps: first, names: new ChainNameCache() }).text;
  const t0 = performance.now();
  const firstText = texts(true);
  const renderMs = performance.now() - t0;
  const repeatText = texts(false);
  const repeats = opts.repeats ?? 2;
  const ours = `disco-tdpb${opts.tag}-o`;
  const raw = `disco-tdpb${opts.tag}-r`;
  const out: Partial<SyncBenchResult> = { mode: opts.mode, services: opts.services, renderMs, textBytes: firstText.length, repeatMs: [], rawRepeatMs: [] };
  if (opts.mode === 'iptables') out.iptablesBackend = backend;
  await withNetns(ours, () =>
    withNetns(raw, async () => {
      const proxier = new Proxier({ mode: opts.mode, iptablesBackend: backend, netns: ours, clusterCIDR: POD_CIDR });
      try {
        const first = await proxier.sync(state, { full: true });
        out.firstMs = first.durationMs;
        out.firstRenderMs = proxier.lastTimings.renderMs;
        out.firstApplyMs = proxier.lastTimings.applyMs;
        out.ratioInRun = first.durationMs / proxier.lastTimings.applyMs;
        out.rules = first.rules;
        out.rawFirstMs = await timed(() => run(tool, toolArgs, { netns: raw, input: firstText }));
        for (let i = 0; i < repeats; i++) {
          out.repeatMs!.push((await proxier.sync(state, { full: true })).durationMs);
          out.rawRepeatMs!.push(await timed(() => run(tool, toolArgs, { netns: raw, input: repeatText })));
        }
        out.partialMs = (await proxier.sync(plusOne, { full: false })).durationMs;
      } finally {
        await proxier.cleanup();
      }
    }),
  );
  out.ratioFirst = out.firstMs! / out.rawFirstMs!;
  out.ratioRepeat = median(out.repeatMs!) / median(out.rawRepeatMs!);
  return out as SyncBenchResult;
}
