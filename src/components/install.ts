import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { run } from '../core/exec.js';
import { componentDir } from './cache.js';
import { COMPONENTS, moduleDir, pinnedVersion, type Component } from './catalog.js';
import { downloadRelease } from './release.js';

export interface InstallOptions {
  /** try the official release downloads first (default true) */
  download?: boolean;
  log(message: string): void;
}

export interface InstallResult {
  component: Component;
  version: string;
  how: 'cached' | 'downloaded' | 'built' | 'failed';
  seconds: number;
  error?: string;
}

const errorFile = (c: Component) => join(componentDir(c), '..', `${c.module}.error`);

/** The go command's error from the last failed install of c, for doctor. */
export function lastInstallError(c: Component): string | undefined {
  const f = errorFile(c);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

function complete(c: Component): boolean {
  return c.binaries.every((b) => existsSync(join(componentDir(c), 'bin', b.name)));
}

/** go build of the component's commands from its pinned module, into a staging folder first. */
async function build(c: Component, version: string, binDir: string, log: (m: string) => void): Promise<void> {
  const staging = mkdtempSync(join(componentDir(c), '..', `.build-${c.module}-`));
  const started = Date.now();
  const ticker = setInterval(() => log(`components: building ${c.module} ${version}: ${Math.round((Date.now() - started) / 1000)} s`), 30_000);
  try {
    const ldflags = ['-s', '-w', ...c.ldflags(version)].join(' ');
    // one -o per binary: go names a binary after its package, which for .../server/v3 is "server"
    for (const b of c.binaries) {
      const res = await execa('go', ['build', '-trimpath', `-ldflags=${ldflags}`, '-o', join(staging, b.name), b.pkg], {
        cwd: moduleDir(c),
        env: { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
        reject: false,
        all: true,
      });
      if (res.exitCode !== 0) throw new Error(String(res.all ?? res.stderr ?? '').trim().split('\n').slice(-8).join('\n') || `go build ${b.pkg} exited ${res.exitCode}`);
    }
    mkdirSync(binDir, { recursive: true });
    for (const b of c.binaries) renameSync(join(staging, b.name), join(binDir, b.name));
  } finally {
    clearInterval(ticker);
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Makes every component's binaries present in the cache: reused when there, else the official
 * release (checked against its SHA-256) where it can be downloaded, else built from the pinned
 * module with the Go toolchain. A component that fails is reported with the exact error; the
 * others still install.
 */
export async function installComponents(opts: InstallOptions): Promise<InstallResult[]> {
  const results: InstallResult[] = [];
  for (const c of COMPONENTS) {
    const version = pinnedVersion(c);
    const dir = componentDir(c);
    const binDir = join(dir, 'bin');
    const started = Date.now();
    const names = c.binaries.map((b) => b.name).join(', ');
    const done = (how: InstallResult['how'], error?: string) => {
      const seconds = (Date.now() - started) / 1000;
      results.push({ component: c, version, how, seconds, ...(error ? { error } : {}) });
      opts.log(`components: ${c.module} ${version} (${names}): ${how}${how === 'cached' ? '' : ` in ${seconds.toFixed(0)} s`}${error ? `\n${error}` : ''}`);
    };
    if (complete(c)) {
      done('cached');
      continue;
    }
    mkdirSync(dir, { recursive: true });
    rmSync(errorFile(c), { force: true });
    if (opts.download !== false) {
      try {
        opts.log(`components: ${c.module} ${version}: trying the official release download`);
        await downloadRelease(c, version, binDir);
        done('downloaded');
        continue;
      } catch (err) {
        opts.log(`components: ${c.module}: release download unavailable (${(err as Error).cause ? String((err as Error & { cause: unknown }).cause) : (err as Error).message}); building from infra/components/${c.module}`);
      }
    }
    try {
      opts.log(`components: building ${c.module} ${version} (${names}) with ${(await run('go', ['version'])).stdout.trim()}`);
      await build(c, version, binDir, opts.log);
      done('built');
    } catch (err) {
      const message = (err as Error).message;
      writeFileSync(errorFile(c), message);
      done('failed', message);
    }
  }
  return results;
}
