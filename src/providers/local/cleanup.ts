import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteNetns, ourNetns, strayEtcNetns } from './netns.js';

export function localWorkDir(runId: string): string {
  return join(tmpdir(), `discobench-${runId}`);
}

/** Run ids that still have namespaces (or /etc/netns folders) on this machine. */
export async function leftoverRunIds(): Promise<string[]> {
  const names = [...(await ourNetns()), ...strayEtcNetns()];
  return [...new Set(names.map((n) => n.split('-')[1]!))].sort();
}

/**
 * Removes everything a local run created, found by its run id: processes inside its namespaces,
 * the namespaces (and with them every rule, route and address, since nothing lives outside
 * them), /etc/netns files and the scratch directory. Safe to run twice.
 */
export async function cleanLocalRun(runId: string): Promise<string[]> {
  const names = await ourNetns(runId);
  // the node namespace last: pods hang off it
  names.sort((a, b) => Number(a.endsWith('-node')) - Number(b.endsWith('-node')));
  for (const name of names) await deleteNetns(name);
  for (const stray of strayEtcNetns().filter((n) => n.startsWith(`disco-${runId}-`))) rmSync(`/etc/netns/${stray}`, { recursive: true, force: true });
  rmSync(localWorkDir(runId), { recursive: true, force: true });
  return names;
}
