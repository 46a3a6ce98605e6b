import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { run } from '../../src/core/exec.js';
import { Proxier } from '../../src/dataplane/proxier.js';
import { POD_CIDR } from '../../src/model/addressing.js';
import { createNetns, deleteNetns } from '../../src/perf/netns.js';
import { measureSyncVsTool, proxierFirstSyncText, RESTORE_TOOL, syncState, type SyncMode } from '../../src/perf/sync.js';

/*
 * The sync pair compares like with like only if the bare tool gets the very bytes the Proxier
 * applies: a wrapper first on PATH records what the Proxier really pipes into the tool, then
 * hands it on to the real one. Then one real quick comparison at 500 Services per mode.
 */
const PREFIX = `disco-tperf${process.pid}`;
const SERVICES = 500;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs fn with a PATH wrapper around `tool` that saves each stdin it receives into the returned list. */
async function capturing(tool: string, fn: () => Promise<void>): Promise<string[]> {
  const real = (await run('sh', ['-c', 'command -v "$1"', 'sh', tool])).stdout.trim();
  const dir = await mkdtemp(join(tmpdir(), 'disco-tperf-shim-'));
  dirs.push(dir);
  const shim = join(dir, tool);
  await writeFile(shim, `#!/bin/sh\nf=$(mktemp "${dir}/in.XXXXXX")\ncat > "$f"\nexec "${real}" "$@" < "$f"\n`);
  await chmod(shim, 0o755);
  const oldPath = process.env.PATH;
  process.env.PATH = `${dir}:${oldPath}`;
  try {
    await fn();
  } finally {
    process.env.PATH = oldPath;
  }
  const files = (await readdir(dir)).filter((f) => f.startsWith('in.'));
  return Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
}

for (const mode of ['iptables', 'nftables'] as SyncMode[]) {
  test(`${mode}: the bare tool gets byte for byte what a fresh Proxier's full sync applies`, async () => {
    const state = syncState(SERVICES);
    const ns = `${PREFIX}-id`;
    await createNetns(ns);
    try {
      const seen = await capturing(RESTORE_TOOL[mode].file, async () => {
        const proxier = new Proxier({ mode, iptablesBackend: 'nft', netns: ns, clusterCIDR: POD_CIDR });
        const rep = await proxier.sync(state, { full: true });
        assert.ok(rep.rules >= SERVICES, `rules ${rep.rules}`);
      });
      assert.equal(seen.length, 1, 'one restore / one nft transaction');
      const ours = proxierFirstSyncText(mode, state);
      assert.ok(ours.length > 10_000);
      assert.ok(seen[0] === ours, `texts differ (${seen[0]!.length} vs ${ours.length} bytes)`);
    } finally {
      await deleteNetns(ns);
    }
  });

  test(`${mode}: a real quick comparison at ${SERVICES} Services gives both figures`, async () => {
    const r = await measureSyncVsTool({ mode, services: SERVICES, rounds: 1, prefix: `${PREFIX}-${mode.slice(0, 3)}` });
    assert.ok(r.oursMs.median > 0 && r.toolMs.median > 0, JSON.stringify(r));
    assert.ok(r.rules >= SERVICES, `rules ${r.rules}`);
    assert.ok(Number.isFinite(r.ratio) && r.ratio > 0);
    assert.ok(r.renderMs > 0 && r.textBytes > 10_000);
    // the judged ratio adds our measured overhead (a real, positive time) to the tool's median
    assert.ok(r.overheadMs.median > 0 && r.overheadMs.median < r.oursMs.median, JSON.stringify(r));
    assert.ok(r.ratio > 1 && Number.isFinite(r.wallRatio), JSON.stringify(r));
    // both sides' CPU is counted (the tool's through the reaped child), ours includes rendering
    assert.ok(r.toolCpuMs.median > 0 && r.oursCpuMs.median > 0, JSON.stringify(r));
    const left = (await run('ip', ['netns', 'list'])).stdout;
    assert.ok(!left.includes(PREFIX), `namespaces left: ${left}`);
  });
}
