import { spawnSync } from 'node:child_process';
import { processAlive, run } from '../core/exec.js';
import { listNetns } from '../providers/local/netns.js';

/**
 * Every namespace `perf` creates is named `disco-perf<pid>-...` and tracked here, so a finally
 * block deletes it, and a second Ctrl-C (or an exit before the finally ran) still can.
 */
const live = new Set<string>();

export function perfPrefix(pid = process.pid): string {
  return `disco-perf${pid}`;
}

/** Creates a fresh namespace (deleting a leftover of the same name first) with lo up. */
export async function createNetns(name: string): Promise<void> {
  live.add(name);
  await run('ip', ['netns', 'del', name], { reject: false });
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Idempotent. */
export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { reject: false });
  live.delete(name);
}

/** For namespaces some other module creates and deletes (the HTTP lab): tracked for the emergency path only. */
export function trackNetns(names: readonly string[]): void {
  for (const n of names) live.add(n);
}

export function untrackNetns(names: readonly string[]): void {
  for (const n of names) live.delete(n);
}

/** Synchronous, for signal handlers and process exit: deletes whatever is still tracked. */
export function deleteTrackedNetnsSync(): string[] {
  const names = [...live];
  for (const n of names) spawnSync('ip', ['netns', 'del', n], { stdio: 'ignore' });
  live.clear();
  return names;
}

/**
 * Namespaces of a `perf` process that no longer exists (killed with SIGKILL, or the machine's
 * session ended under it, so neither its finally nor its signal handler ran): found by the pid
 * in their names; a running perf's are never touched.
 */
export async function deadPerfNetns(): Promise<string[]> {
  return (await listNetns()).filter((n) => {
    const pid = /^disco-perf(\d+)-/.exec(n)?.[1];
    return pid !== undefined && !processAlive(Number(pid));
  });
}
