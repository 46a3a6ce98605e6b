import { PrerequisiteError } from '../../../core/errors.js';
import { locate } from '../../../components/cache.js';
import { binaryVersion } from '../../../components/version.js';

/** Paths of the upstream binaries a real-components run needs, or a PrerequisiteError naming the missing ones. */
export function requireBinaries(names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const n of names) {
    const l = locate(n);
    if (l) out[n] = l.path;
    else missing.push(n);
  }
  if (missing.length) throw new PrerequisiteError(`real components missing: ${missing.join(', ')}`, 'run npm run setup (builds them), set DISCOBENCH_BIN_DIR to a folder that has them, or set cluster.components: model');
  return out;
}

export function haveBinaries(names: readonly string[]): boolean {
  return names.every((n) => locate(n) !== undefined);
}

/** name -> version, for run.json's environment. */
export async function binaryVersions(paths: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, path] of Object.entries(paths)) out[name] = await binaryVersion(path, name);
  return out;
}
