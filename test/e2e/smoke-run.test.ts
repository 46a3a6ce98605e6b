import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/results/model.js';
import { runCli } from '../cli/run-cli.js';
import { hostSnapshot, ourNetns, rootCapture } from './host-state.js';

const CORE = ['dns.lookup.latency', 'dns.queries_per_lookup', 'dns.server.cpu', 'proxy.sync.duration', 'tcp.connect.latency', 'http.latency'];

test('smoke runs end to end on the local provider: every core metric measured, nothing left behind, host untouched', async () => {
  const before = hostSnapshot();
  const capture = rootCapture();
  try {
    await smokeRun(before, capture);
  } finally {
    await capture.stop();
  }
});

async function smokeRun(before: Record<string, string>, capture: ReturnType<typeof rootCapture>): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'disco-smoke-'));
  const t0 = Date.now();
  const r = await runCli(['bench', '--scenario', 'smoke', '--out', out], { timeoutMs: 180_000 });
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.code, 0, r.stderr);
  const dir = r.stdout.trim().split('\n').pop()!;
  assert.ok(dir.startsWith(out), `last line is the run directory: ${dir}`);
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunResult;
  assert.equal(run.schemaVersion, 1);
  assert.equal(run.status, 'completed', JSON.stringify(run.variants.map((v) => v.errors)));
  const m = run.variants[0]!.metrics;
  for (const name of CORE) assert.ok(m[name] && m[name].count > 0, `${name} measured: ${JSON.stringify(m[name])}`);
  assert.equal(m['tcp.connect.latency']!.count, 1000);
  assert.equal(m['proxy.sync.duration']!.count, 3);
  assert.ok(m['dns.server.cpu']!.value > 0, 'the DNS server really burned CPU');
  assert.ok(m['dns.queries_per_lookup']!.mean > 1, 'ndots:5 amplifies');
  assert.ok((m['http.errors']?.value ?? 0) === 0, 'no HTTP errors');
  for (const f of ['metrics.csv', 'timeseries.csv']) assert.ok(existsSync(join(dir, f)), f);
  assert.deepEqual(ourNetns(), []);
  assert.deepEqual(hostSnapshot(), before);
  assert.deepEqual(await capture.stop(), [], 'no packet of the run was seen in the root namespace');
  console.log(`smoke: ${seconds.toFixed(1)} s end to end`);
}
