import { readdirSync, rmSync } from 'node:fs';
import { run } from '../../core/exec.js';

/** Every namespace of a run is named disco-<runId>-<role>, so cleanup finds them by run id. */
export const NETNS_PREFIX = 'disco-';

export function netnsName(runId: string, role: string): string {
  return `${NETNS_PREFIX}${runId}-${role}`;
}

export async function listNetns(): Promise<string[]> {
  const res = await run('ip', ['-j', 'netns', 'list'], { reject: false });
  if (res.exitCode !== 0 || !res.stdout.trim()) return [];
  return (JSON.parse(res.stdout) as Array<{ name: string }>).map((n) => n.name);
}

export async function ourNetns(runId?: string): Promise<string[]> {
  const prefix = runId ? `${NETNS_PREFIX}${runId}-` : NETNS_PREFIX;
  return (await listNetns()).filter((n) => n.startsWith(prefix) && /^disco-[0-9a-f]{8}-/.test(n));
}

/** Kills whatever still runs inside the namespace, then deletes it and its /etc/netns folder. */
export async function deleteNetns(name: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', name], { reject: false });
  for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await run('ip', ['netns', 'delete', name], { reject: false });
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
}

/** /etc/netns/<name>/ folders left by runs whose namespace is gone. */
export function strayEtcNetns(): string[] {
  try {
    return readdirSync('/etc/netns').filter((n) => /^disco-[0-9a-f]{8}-/.test(n));
  } catch {
    return [];
  }
}
