import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PrerequisiteError } from '../core/errors.js';

/** Debian's packages the VM runner needs on the host (scripts/apt-packages.txt lists them too). */
export const VM_PACKAGES = ['qemu-system-x86', 'linux-image-amd64', 'busybox-static'];
export const VM_INSTALL_HINT = `apt-get install ${VM_PACKAGES.join(' ')} (or run: npm run setup)`;

/** A bootable kernel with its modules tree: Debian's stock kernel, not the host's running one. */
export interface GuestKernel {
  version: string;
  image: string;
  modulesDir: string;
}

/** Numeric-aware comparison, so 6.1.0-57 sorts after 6.1.0-9. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/(\d+)/);
  const pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    const nx = Number(x);
    const ny = Number(y);
    if (x !== '' && y !== '' && !Number.isNaN(nx) && !Number.isNaN(ny)) return nx - ny;
    return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The newest /boot/vmlinuz-V that has /lib/modules/V/modules.dep (the VM loads 9p, overlay and
 * ip_vs from there). The running kernel is not preferred: it is the one lacking the features.
 */
export function findGuestKernel(bootDir = '/boot', modulesRoot = '/lib/modules'): GuestKernel {
  const versions = (existsSync(bootDir) ? readdirSync(bootDir) : [])
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .filter((v) => existsSync(join(modulesRoot, v, 'modules.dep')))
    .sort(compareVersions);
  const version = versions.at(-1);
  if (!version) throw new PrerequisiteError(`no kernel for the VM: no ${bootDir}/vmlinuz-VERSION with ${modulesRoot}/VERSION/modules.dep`, VM_INSTALL_HINT);
  return { version, image: join(bootDir, `vmlinuz-${version}`), modulesDir: join(modulesRoot, version) };
}

/** Module name as modprobe knows it: file name without .ko[.xz|.zst|.gz], dashes as underscores. */
export function moduleName(path: string): string {
  return (path.split('/').at(-1) ?? path).replace(/\.ko(\.\w+)?$/, '').replace(/-/g, '_');
}

export interface ModuleIndex {
  /** name -> path relative to the modules dir, and its dependencies' paths */
  files: Map<string, { path: string; deps: string[] }>;
  builtin: Set<string>;
}

export function parseModulesDep(dep: string, builtin = ''): ModuleIndex {
  const files = new Map<string, { path: string; deps: string[] }>();
  for (const line of dep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const path = line.slice(0, colon).trim();
    files.set(moduleName(path), { path, deps: line.slice(colon + 1).trim().split(/\s+/).filter(Boolean) });
  }
  return { files, builtin: new Set(builtin.split('\n').filter(Boolean).map(moduleName)) };
}

export function readModuleIndex(modulesDir: string): ModuleIndex {
  const builtinFile = join(modulesDir, 'modules.builtin');
  return parseModulesDep(readFileSync(join(modulesDir, 'modules.dep'), 'utf8'), existsSync(builtinFile) ? readFileSync(builtinFile, 'utf8') : '');
}

/**
 * Module files to insmod, dependencies first, each once; built-in modules need nothing.
 * Throws for a module the kernel has neither as a file nor built in.
 */
export function moduleLoadOrder(index: ModuleIndex, names: readonly string[]): string[] {
  const byPath = new Map<string, string[]>();
  for (const m of index.files.values()) byPath.set(m.path, m.deps);
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const d of byPath.get(path) ?? []) visit(d);
    out.push(path);
  };
  for (const raw of names) {
    const name = raw.replace(/-/g, '_');
    const m = index.files.get(name);
    if (m) visit(m.path);
    else if (!index.builtin.has(name)) throw new PrerequisiteError(`the VM kernel has no module ${raw}`, VM_INSTALL_HINT);
  }
  return out;
}
