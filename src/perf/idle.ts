import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waiting for a quiet machine between timed syncs. Deleting a namespace that held a 10k-Service
 * ruleset leaves the kernel minutes of deferred work (nf_tables releases a committed ruleset in a
 * work queue, netns cleanup runs in another): a fixed pause let that land inside the next timing,
 * the main source of the sync pairs' run-to-run spread. Instead: wait until the CPUs are idle.
 */
async function cpuTimes(): Promise<{ idle: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0]!;
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
}

/**
 * Resolves once a `windowMs` window saw the machine's CPUs at least `idleShare` idle (all cores
 * together), or after maxMs; returns the milliseconds waited.
 */
export async function waitForIdle(o: { maxMs: number; windowMs?: number; idleShare?: number; signal?: AbortSignal }): Promise<number> {
  const windowMs = o.windowMs ?? 500;
  const share = o.idleShare ?? 0.9;
  const t0 = Date.now();
  let prev = await cpuTimes();
  while (Date.now() - t0 < o.maxMs && !o.signal?.aborted) {
    await sleep(windowMs);
    const cur = await cpuTimes();
    const total = cur.total - prev.total;
    if (total > 0 && (cur.idle - prev.idle) / total >= share) break;
    prev = cur;
  }
  return Date.now() - t0;
}
