import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Repository root: this file is dist/src/providers/kube/infra.js (or src/... under a loader). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const INFRA_DIR = join(REPO_ROOT, 'infra');

export function readInfra(...parts: string[]): string {
  return readFileSync(join(INFRA_DIR, ...parts), 'utf8');
}

/**
 * Fills `__NAME__` placeholders; a placeholder left unfilled is a bug in the caller, not something
 * to ship to a cluster, so it throws. `keep` lists placeholders meant to survive (node-cache fills
 * __PILLAR__CLUSTER__DNS__ itself at start).
 */
export function fillTemplate(text: string, values: Record<string, string>, keep: readonly string[] = []): string {
  let out = text;
  for (const [k, v] of Object.entries(values)) out = out.split(k).join(v);
  const body = out.split('\n').filter((l) => !l.trimStart().startsWith('#')).join('\n');
  const left = [...new Set(body.match(/__[A-Z_]+__/g) ?? [])].filter((p) => !keep.includes(p));
  if (left.length) throw new Error(`template placeholders left unfilled: ${left.join(', ')}`);
  return out;
}
