import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { COMPONENTS, componentOf, moduleDir, pinnedVersion, type Component } from './catalog.js';

/** Root of the build cache: $DISCOBENCH_CACHE, else ~/.cache/discobench (outside the repo). */
export function cacheRoot(): string {
  return process.env.DISCOBENCH_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'discobench');
}

/**
 * The cache folder of a component, keyed by its pinned version and a digest of its go.mod and
 * go.sum, so a changed pin builds anew and an unchanged one is reused.
 */
export function componentDir(c: Component): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum']) {
    const p = join(moduleDir(c), f);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return join(cacheRoot(), 'components', `${c.module}-${pinnedVersion(c)}-${h.digest('hex').slice(0, 12)}`);
}

/** A directory of ready binaries the user points at with DISCOBENCH_BIN_DIR (checked first). */
export function userBinDir(): string | undefined {
  return process.env.DISCOBENCH_BIN_DIR || undefined;
}

export interface Located {
  path: string;
  /** 'user' (DISCOBENCH_BIN_DIR) or 'cache' (npm run setup) */
  from: 'user' | 'cache';
}

/** Where a component binary is, or undefined when neither the user's folder nor the cache has it. */
export function locate(binary: string): Located | undefined {
  const user = userBinDir();
  if (user && existsSync(join(user, binary))) return { path: join(user, binary), from: 'user' };
  const cached = join(componentDir(componentOf(binary)), 'bin', binary);
  return existsSync(cached) ? { path: cached, from: 'cache' } : undefined;
}

/** Every binary of every component, located or not. */
export function locateAll(): Array<{ component: Component; binary: string; located?: Located }> {
  return COMPONENTS.flatMap((component) => component.binaries.map((b) => ({ component, binary: b.name, located: locate(b.name) })));
}
