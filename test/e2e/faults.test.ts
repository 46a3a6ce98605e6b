import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/results/model.js';
import { runCli } from '../cli/run-cli.js';
import { ourNetns } from './host-state.js';

/** SIGKILLs every process inside a namespace, as a crashing pod would die. */
function killAllIn(netns: string): number {
  const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  return pids.length;
}

/** SIGKILLs the processes of one program inside a namespace (kube-proxy in the node namespace). */
function killProgramIn(netns: string, comm: string): number {
  const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean)
    .filter((pid) => { try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm; } catch { return false; } });
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  return pids.length;
}

test('a DNS server, kube-proxy and a backend dying mid-run are recorded in the metrics and the run finishes cleanly', async () => {
  const out = mkdtempSync(join(tmpdir(), 'disco-fault-'));
  let runId = '';
  const killed = { dns: 0, backend: 0, proxy: 0 };
  const r = await runCli([
    'bench', '--scenario', 'smoke', '--out', out, '--set', 'services.count=50', '--set', 'workloads.sync.full=1', '--set', 'workloads.sync.partial=1',
    '--set', 'workloads.dns.duration=6s', '--set', 'workloads.dns.timeout=1s', '--set', 'workloads.dns.attempts=1', '--set', 'workloads.http.duration=6s',
  ], {
    onStderr: (text) => {
      runId ||= /run ([0-9a-f]{8}):/.exec(text)?.[1] ?? '';
      // real components: kube-proxy dies after programming; the rules it left keep carrying traffic
      if (!killed.proxy && /connect: \d+ probes/.test(text)) killed.proxy = killProgramIn(`disco-${runId}-node`, 'kube-proxy');
      if (!killed.dns && /dns: 1 client/.test(text)) {
        killed.dns = -1;
        setTimeout(() => { killed.dns = killAllIn(`disco-${runId}-dns-0`); }, 2500);
      }
      if (!killed.backend && /http: \d+ connections/.test(text)) {
        killed.backend = -1;
        setTimeout(() => { killed.backend = killAllIn(`disco-${runId}-backend-0`); }, 2500);
      }
    },
    timeoutMs: 180_000,
  });
  assert.ok(killed.dns > 0 && killed.backend > 0 && killed.proxy > 0, `killed ${JSON.stringify(killed)}\n${r.stderr}`);
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const [dir] = readdirSync(out);
  const run = JSON.parse(readFileSync(join(out, dir!, 'run.json'), 'utf8')) as RunResult;
  const m = run.variants[0]!.metrics;
  assert.ok(m['dns.lookup.latency']!.count > 0, 'lookups before the crash were measured');
  assert.equal(m['tcp.connect.latency']?.count, 1000, 'every probe connected through the rules a dead kube-proxy left');
  assert.ok((m['dns.queries.timeouts']?.value ?? 0) + (m['dns.lookups.failed']?.value ?? 0) > 0, `the dead DNS server shows up: ${JSON.stringify(m['dns.queries.timeouts'])}`);
  assert.ok(m['http.latency']!.count > 0, 'requests before the crash were measured');
  assert.ok((m['http.errors']?.value ?? 0) > 0, `the dead backend shows up as HTTP errors: ${JSON.stringify(m['http.errors'])}`);
  assert.deepEqual(ourNetns(), []);
});
