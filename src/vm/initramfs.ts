import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { PrerequisiteError } from '../core/errors.js';
import { cpioArchive, CHARDEV, DIR, EXEC, FILE, LINK, type CpioEntry } from './cpio.js';
import { VM_INSTALL_HINT, moduleLoadOrder, readModuleIndex, type GuestKernel } from './kernel.js';

/** What the guest needs before it can mount the host's root; everything else modprobe loads from there. */
export const BOOT_MODULES = ['virtio_pci', 'virtio_console', '9pnet_virtio', '9p', 'overlay'];

export const BUSYBOX = '/bin/busybox';
/** 9p mount tags of the two shares */
export const ROOT_TAG = 'hostroot';
export const PROJECT_TAG = 'project';
/** where the guest keeps its own scripts: a tmpfs of the guest, never the host's */
export const GUEST_DIR = '/run/discobench-vm';

export interface GuestCommand {
  argv: string[];
  cwd: string;
  /** the project directory, mounted read-write at the same path */
  projectDir: string;
  env: Record<string, string>;
  /** modules to load before the command (the initramfs carries them, unsigned, with dependencies) */
  preload: string[];
}

/** File name of a module inside the initramfs (always uncompressed). */
function koName(path: string): string {
  return path.split('/').at(-1)!.replace(/\.ko\.\w+$/, '.ko');
}

/** One shell word, single-quoted. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

const ninep = 'trans=virtio,version=9p2000.L,msize=262144';

/**
 * Stage 1 (busybox, in the initramfs): load the boot modules, mount the host's root read-only
 * with a tmpfs overlay on top, fresh tmpfs /run and /tmp (the host's must not show through),
 * the project read-write at its own path, then switch_root into stage 2.
 */
export function stage1(modules: readonly string[], projectDir: string, optional: readonly string[] = []): string {
  return `#!/bin/busybox sh
B=/bin/busybox
fail() { $B echo "discobench-vm: $*" > /dev/ttyS0; $B poweroff -f; }
$B mkdir -p /proc /sys /dev /lower /rw /newroot
$B mount -t proc proc /proc
$B mount -t sysfs sysfs /sys
$B mount -t devtmpfs devtmpfs /dev
# boot milestones with guest uptime, in the console log (vm --console FILE)
t() { $B echo "discobench-vm: $1 at $($B cut -d" " -f1 /proc/uptime) s" > /dev/ttyS0; }
t start
${modules.map((m) => `$B insmod /modules/${koName(m)} || fail "insmod ${m} failed"`).join('\n')}
${optional.map((m) => `$B insmod /modules/${koName(m)} 2>/dev/null`).join('\n')}
t modules
$B mount -t 9p -o ${ninep},ro,cache=loose ${ROOT_TAG} /lower || fail "mounting the host root over 9p failed"
$B mount -t tmpfs -o mode=0755 tmpfs /rw || fail "tmpfs failed"
$B mkdir -p /rw/upper /rw/work
t rootmounted
$B mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot || fail "overlay mount failed"
$B mount -t tmpfs -o mode=0755 tmpfs /newroot/run
$B mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
$B mkdir -p /newroot${shellQuote(projectDir)} /newroot${GUEST_DIR}
$B mount -t 9p -o ${ninep},cache=loose ${PROJECT_TAG} /newroot${shellQuote(projectDir)} || fail "mounting the project over 9p failed"
t project
$B cp /bin/busybox /stage2 /newroot${GUEST_DIR}/
for d in proc sys dev; do $B mount -o move /$d /newroot/$d; done
t switch
exec $B switch_root /newroot ${GUEST_DIR}/stage2
`;
}

/**
 * Stage 2 (the host's own /bin/sh, in the new root): the usual pseudo file systems, loopback,
 * modules, then the command with its stdout and stderr on two virtio ports and its exit code on
 * a third, then power off.
 */
export function stage2(cmd: GuestCommand): string {
  const env = Object.entries(cmd.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n');
  return `#!/bin/sh
B=${GUEST_DIR}/busybox
port() { for p in /sys/class/virtio-ports/*; do [ "$(cat "$p/name")" = "$1" ] && echo "/dev/\${p##*/}" && return; done; echo /dev/ttyS0; }
OUT=$(port out); ERR=$(port err); STATUS=$(port status)
mkdir -p /dev/pts /dev/shm /run/lock /run/netns
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
echo "discobench-vm: stage2 at $(cut -d' ' -f1 /proc/uptime) s" > /dev/ttyS0
$B hostname discobench-vm
ip link set lo up 2>/dev/null || $B ip link set lo up
echo "discobench-vm: ready at $(cut -d' ' -f1 /proc/uptime) s" > /dev/ttyS0
echo ready > "$STATUS"
cd ${shellQuote(cmd.cwd)} || { echo "exit 1" > "$STATUS"; $B poweroff -f; }
${env}
${cmd.argv.map(shellQuote).join(' ')} < /dev/null > "$OUT" 2> "$ERR"
code=$?
cd /
sync
umount ${shellQuote(cmd.projectDir)} 2>/dev/null
echo "exit $code" > "$STATUS"
$B poweroff -f
`;
}

const SIG_MAGIC = Buffer.from('~Module signature appended~\n');

/**
 * The module without its appended signature. Checking an RSA signature is plain arithmetic that
 * TCG emulates slowly (about a second per module); an unsigned module loads the same on a kernel
 * that does not enforce signatures (Debian's, without Secure Boot), and is only marked in
 * /proc/sys/kernel/tainted.
 */
export function stripSignature(ko: Buffer): Buffer {
  if (ko.length < SIG_MAGIC.length + 12 || !ko.subarray(ko.length - SIG_MAGIC.length).equals(SIG_MAGIC)) return ko;
  const info = ko.length - SIG_MAGIC.length - 12;
  const sigLen = ko.readUInt32BE(info + 8);
  return ko.subarray(0, info - sigLen);
}

/** A module file as the kernel takes it: decompressed here, since busybox insmod may not. */
function moduleBytes(path: string): Buffer {
  let raw: Buffer;
  if (path.endsWith('.ko')) raw = readFileSync(path);
  else if (path.endsWith('.gz')) raw = gunzipSync(readFileSync(path));
  else if (path.endsWith('.xz')) raw = execFileSync('xz', ['-dc', path], { maxBuffer: 64 << 20 });
  else if (path.endsWith('.zst')) raw = execFileSync('zstd', ['-dc', path], { maxBuffer: 64 << 20 });
  else throw new PrerequisiteError(`unknown module compression: ${path}`);
  return stripSignature(raw);
}

/** The initramfs as one uncompressed newc archive (about 3 MB: busybox and a few modules). */
export function buildInitramfs(kernel: GuestKernel, cmd: GuestCommand): Buffer {
  let busybox: Buffer;
  try {
    busybox = readFileSync(BUSYBOX);
  } catch {
    throw new PrerequisiteError(`${BUSYBOX} not found (a static busybox runs the VM's init)`, VM_INSTALL_HINT);
  }
  const index = readModuleIndex(kernel.modulesDir);
  const order = moduleLoadOrder(index, BOOT_MODULES);
  // modules the command will want, loaded from the initramfs too since there they load unsigned;
  // a kernel without one of them still boots (the command then reports what is missing)
  const extra = moduleLoadOrder(index, cmd.preload.filter((m) => index.files.has(m.replace(/-/g, '_')))).filter((m) => !order.includes(m));
  const entries: CpioEntry[] = [
    { path: 'bin', mode: DIR }, { path: 'dev', mode: DIR }, { path: 'dev/console', mode: CHARDEV, rdev: [5, 1] }, { path: 'modules', mode: DIR },
    { path: 'bin/busybox', mode: EXEC, data: busybox },
    { path: 'bin/sh', mode: LINK, target: 'busybox' },
    { path: 'init', mode: EXEC, data: Buffer.from(stage1(order, cmd.projectDir, extra)) },
    { path: 'stage2', mode: EXEC, data: Buffer.from(stage2(cmd)) },
    ...[...order, ...extra].map((m) => ({ path: `modules/${m.split('/').at(-1)!.replace(/\.ko\.\w+$/, '.ko')}`, mode: FILE, data: moduleBytes(join(kernel.modulesDir, m)) })),
  ];
  return cpioArchive(entries);
}
