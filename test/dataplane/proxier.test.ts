import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { run } from '../../src/core/exec.js';
import { PrerequisiteError } from '../../src/core/errors.js';
import { Proxier, IPVS_MISSING, type ProxierOptions } from '../../src/dataplane/proxier.js';
import { nftServiceChain, sepChain, servicePortName, svcChain } from '../../src/dataplane/chain-names.js';
import { createTopology, probe, type Topology } from './topology.js';
import { state, svc } from './fixtures.js';

/*
 * Real kernel, real tools: a client namespace connects to ClusterIPs, the node namespace holds
 * kube-proxy's rules as this Proxier applies them, and a backend namespace answers for every
 * endpoint IP and says which one was reached.
 */

const A = svc('bench', 'svc-a', '10.96.1.1', ['10.244.64.1', '10.244.64.2', '10.244.64.3']);
const B = svc('bench', 'svc-b', '10.96.1.2', ['10.244.64.4']);
const C = svc('bench', 'svc-c', '10.96.1.3', ['10.244.64.10']);
const aName = servicePortName('bench', 'svc-a', 'http');

let topo: Topology;
before(async () => {
  topo = await createTopology(String(process.pid));
});
after(async () => {
  await topo?.down();
});

async function natCounters(t: Topology, backend: 'nft' | 'legacy'): Promise<string> {
  return (await run(backend === 'legacy' ? 'iptables-legacy-save' : 'iptables-nft-save', ['-c', '-t', 'nat'], { netns: t.node })).stdout;
}

/** packets counted by the rules of `chain` that jump with -j target */
function packets(save: string, chain: string, target: string): number {
  let sum = 0;
  for (const line of save.split('\n')) {
    const m = /^\[(\d+):\d+\] -A (\S+) .* -j (\S+)/.exec(line);
    if (m && m[2] === chain && m[3] === target) sum += Number(m[1]);
  }
  return sum;
}

async function nftHandles(t: Topology, chain: string): Promise<string[]> {
  const out = (await run('nft', ['-a', 'list', 'chain', 'ip', 'kube-proxy', chain], { netns: t.node })).stdout;
  return out.split('\n').filter((l) => l.includes('# handle')).map((l) => l.trim());
}

async function exercise(opts: Omit<ProxierOptions, 'netns'>, thorough: boolean): Promise<void> {
  const proxier = new Proxier({ ...opts, netns: topo.node, clusterCIDR: '10.244.0.0/16' });
  await proxier.check();
  try {
    const full = await proxier.sync(state(A, B), { full: true });
    assert.equal(full.kind, 'full');
    assert.ok(full.durationMs > 0 && full.rules > 0);

    // every endpoint of A is reached, B answers with its single endpoint
    const [pa, pb] = await probe(topo, [['10.96.1.1', 80, 30], ['10.96.1.2', 80, 2]]);
    assert.equal(pa!.failures, 0);
    assert.deepEqual(Object.keys(pa!.replies).sort(), ['10.244.64.1', '10.244.64.2', '10.244.64.3']);
    assert.deepEqual(pb, { replies: { '10.244.64.4': 2 }, failures: 0 });

    // partial sync adding C: C works at once, A's chains are left as they were
    const before = opts.mode === 'nftables' ? await nftHandles(topo, nftServiceChain('bench', 'svc-a', 'tcp', 'http')) : [];
    const partial = await proxier.sync(state(A, B, C), { full: false });
    assert.equal(partial.kind, 'partial');
    assert.ok(partial.rules > full.rules);
    assert.deepEqual(await probe(topo, [['10.96.1.3', 80, 3]]), [{ replies: { '10.244.64.10': 3 }, failures: 0 }]);
    if (opts.mode === 'nftables') {
      assert.deepEqual(await nftHandles(topo, nftServiceChain('bench', 'svc-a', 'tcp', 'http')), before, 'svc-a chain rewritten by a partial sync');
    } else {
      const save = await natCounters(topo, opts.iptablesBackend);
      const seps = ['10.244.64.1', '10.244.64.2', '10.244.64.3'].map((ip) => sepChain(aName, 'tcp', `${ip}:8080`));
      // KUBE-SERVICES is rebuilt on every sync (its counters restart), A's KUBE-SEP- chains are not
      assert.equal(packets(save, 'KUBE-SERVICES', svcChain(aName, 'tcp')), 0);
      assert.equal(seps.reduce((s, c) => s + packets(save, c, 'DNAT'), 0), 30);
    }

    if (thorough) {
      // deleting B: it stops answering, A still does
      const del = await proxier.sync(state(A, C), { full: false });
      assert.equal(del.kind, 'partial');
      const [gone, still] = await probe(topo, [['10.96.1.2', 80, 2], ['10.96.1.1', 80, 3]]);
      assert.equal(gone!.failures, 2);
      assert.equal(still!.failures, 0);
      // a full sync of the same state keeps everything working
      assert.equal((await proxier.sync(state(A, C), { full: true })).kind, 'full');
      assert.equal((await probe(topo, [['10.96.1.3', 80, 2]]))[0]!.failures, 0);
    }
  } finally {
    await proxier.cleanup();
  }
  // cleanup leaves nothing of ours behind
  if (opts.mode === 'nftables') {
    assert.doesNotMatch((await run('nft', ['list', 'tables'], { netns: topo.node })).stdout, /kube-proxy/);
  } else {
    assert.doesNotMatch(await natCounters(topo, opts.iptablesBackend), /KUBE-/);
  }
  assert.equal((await probe(topo, [['10.96.1.1', 80, 1]]))[0]!.failures, 1);
}

test('iptables layout (nft backend): ClusterIP traffic spreads over endpoints, partial sync rewrites only changed chains', async () => {
  await exercise({ mode: 'iptables', iptablesBackend: 'nft' }, true);
});

test('iptables layout (legacy backend): spread over endpoints, partial sync, cleanup', async () => {
  await exercise({ mode: 'iptables', iptablesBackend: 'legacy' }, false);
});

test('nftables layout: ClusterIP traffic spreads over endpoints, partial sync leaves unchanged chains alone', async () => {
  await exercise({ mode: 'nftables', iptablesBackend: 'nft' }, true);
});

test('ipvs mode without the ip_vs module: check() exits 4 naming the module', async (t) => {
  const { existsSync } = await import('node:fs');
  if (existsSync('/sys/module/ip_vs')) return t.skip('ip_vs is loaded on this machine');
  const p = new Proxier({ mode: 'ipvs', iptablesBackend: 'nft', netns: topo.node });
  await assert.rejects(p.check(), (err: unknown) => err instanceof PrerequisiteError && err.exitCode === 4 && err.message === IPVS_MISSING);
});
