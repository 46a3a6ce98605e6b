import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { PrerequisiteError, MeasurementError } from '../core/errors.js';
import { haveTool } from '../core/exec.js';
import { TIME_SCALE_ENV } from '../core/time-scale.js';
import { chooseAccel, QEMU, type Accel } from './accel.js';
import { VM_ENV } from './guest.js';
import { buildInitramfs, PROJECT_TAG, ROOT_TAG, type GuestCommand } from './initramfs.js';
import { VM_INSTALL_HINT, findGuestKernel } from './kernel.js';
import { extractVmlinux } from './vmlinux.js';


/** Host variables passed into the guest; everything else starts clean (HOME=/root). */
const PASSED_ENV = /^(PATH|LANG|LANGUAGE|LC_\w+|TZ|TERM|CI|NO_COLOR|FORCE_COLOR|NODE_OPTIONS|DISCOBENCH_\w+|GOPATH|GOFLAGS)$/;

/**
 * Modules loaded before the command: what the local provider's modes use. crc32c_generic first:
 * libcrc32c (nf_conntrack, ip_vs) asks the crypto API for crc32c, a soft dependency insmod knows nothing of.
 */
export const PRELOAD_MODULES = ['crc32c_generic', 'ip_vs', 'ip_vs_rr', 'dummy', 'veth', 'nf_conntrack', 'ip_set'];

export interface VmOptions {
  argv: string[];
  /** the directory shared read-write, at the same path (the project) */
  projectDir: string;
  /** working directory of the command inside the guest (default: projectDir) */
  cwd?: string;
  memoryMiB?: number;
  cpus?: number;
  accel?: 'auto' | Accel;
  /** extra KEY=VALUE for the guest */
  env?: Record<string, string>;
  stdout?: Writable;
  stderr?: Writable;
  /** progress lines ("vm: ...") */
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** booting plus the command; default none */
  timeoutMs?: number;
  /** copy the guest's console (kernel messages, init failures) here */
  consoleFile?: string;
}

export interface VmResult {
  exitCode: number;
  accel: Accel;
  accelReason: string;
  kernel: string;
  /** qemu started -> guest ready to run the command */
  bootMs: number;
  totalMs: number;
}

/** Listens on a unix socket that qemu connects to as a client, forwarding what arrives. */
function portServer(path: string, onData: (d: Buffer) => void): { server: Server; closed: Promise<void> } {
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  const server = createServer((sock: Socket) => {
    sock.on('data', onData);
    sock.on('close', () => resolveClosed());
    sock.on('error', () => resolveClosed());
  });
  server.listen(path);
  return { server, closed };
}

async function listening(server: Server): Promise<void> {
  if (server.listening) return;
  await new Promise<void>((resolve, reject) => { server.once('listening', resolve); server.once('error', reject); });
}

/**
 * Runs a command as root in a throwaway VM booted from Debian's stock kernel: the host's root
 * read-only over 9p under a tmpfs overlay (so every installed tool is there and nothing the
 * guest writes reaches the host), the project read-write at its own path (so results come back).
 * Output streams over two virtio ports, the exit code over a third. Everything created on the
 * host (one temporary directory) is removed before this returns.
 */
export async function runInVm(o: VmOptions): Promise<VmResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => undefined);
  if (o.argv.length === 0) throw new PrerequisiteError('vm: no command given');
  if (!(await haveTool(QEMU))) throw new PrerequisiteError(`${QEMU} not found (the VM runner boots a kernel under qemu)`, VM_INSTALL_HINT);
  const kernel = findGuestKernel();
  const cpus = o.cpus ?? 2;
  const memory = o.memoryMiB ?? 2048;
  const tmp = mkdtempSync(join(tmpdir(), 'discobench-vm-'));
  const servers: Server[] = [];
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const [choice, vmlinux] = await Promise.all([chooseAccel(kernel.image, o.accel ?? 'auto'), extractVmlinux(kernel.image, join(tmp, 'vmlinux'))]);
    if (o.signal?.aborted) throw o.signal.reason;
    const env: Record<string, string> = { HOME: '/root' };
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && PASSED_ENV.test(k)) env[k] = v;
    // under TCG a Node process takes seconds to start: readiness deadlines stretch, measurements do not
    if (choice.accel === 'tcg') env[TIME_SCALE_ENV] = process.env[TIME_SCALE_ENV] ?? '10';
    Object.assign(env, o.env, { [VM_ENV]: `${choice.accel} ${kernel.version}` });
    const cmd: GuestCommand = { argv: o.argv, cwd: o.cwd ?? o.projectDir, projectDir: o.projectDir, env, preload: PRELOAD_MODULES };
    const initrd = join(tmp, 'initramfs.cpio');
    writeFileSync(initrd, buildInitramfs(kernel, cmd));

    const stdout = o.stdout ?? process.stdout;
    const stderr = o.stderr ?? process.stderr;
    let status = '';
    let bootMs = 0;
    const out = portServer(join(tmp, 'out.sock'), (d) => stdout.write(d));
    const err = portServer(join(tmp, 'err.sock'), (d) => stderr.write(d));
    const st = portServer(join(tmp, 'status.sock'), (d) => {
      status += d.toString();
      if (!bootMs && status.includes('ready')) bootMs = Date.now() - t0;
    });
    servers.push(out.server, err.server, st.server);
    for (const s of servers) await listening(s);

    const consoleLog = join(tmp, 'console.log');
    const ninep = (id: string, path: string, tag: string, ro: boolean) => [
      '-fsdev', `local,id=${id},path=${path},security_model=${process.getuid?.() === 0 ? 'passthrough' : 'none'},multidevs=remap${ro ? ',readonly=on' : ''}`,
      '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`,
    ];
    const port = (name: string) => ['-chardev', `socket,id=${name},path=${join(tmp, `${name}.sock`)}`, '-device', `virtserialport,chardev=${name},name=${name}`];
    const args = [
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-accel', choice.accel, '-cpu', choice.accel === 'kvm' ? 'host' : 'max',
      '-m', String(memory), '-smp', String(cpus),
      '-kernel', vmlinux ?? kernel.image, '-initrd', initrd,
      '-append', `console=ttyS0 ${o.consoleFile ? 'loglevel=6' : 'quiet loglevel=3'} panic=-1 rdinit=/init`,
      '-serial', `file:${consoleLog}`, '-nic', 'none',
      ...ninep('hostroot', '/', ROOT_TAG, true), ...ninep('project', o.projectDir, PROJECT_TAG, false),
      '-device', 'virtio-serial-pci', ...port('out'), ...port('err'), ...port('status'),
    ];
    log(`vm: Debian kernel ${kernel.version} under ${choice.accel === 'kvm' ? 'KVM' : 'TCG (software emulation, timings not comparable with the host)'} (${choice.reason}); ${cpus} vCPU, ${memory} MiB; ${o.projectDir} shared read-write`);

    let qemuErr = '';
    const proc = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    proc.stderr!.on('data', (d: Buffer) => { qemuErr += d.toString(); });
    const onAbort = () => proc.kill('SIGTERM');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = o.timeoutMs ? setTimeout(() => proc.kill('SIGKILL'), o.timeoutMs) : undefined;
    const qemuExit = await new Promise<number | null>((resolve, reject) => {
      proc.on('error', reject);
      proc.on('exit', (code) => resolve(code));
    });
    if (timer) clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
    // the sockets close when qemu exits; what the guest wrote is all in by then
    await Promise.race([Promise.all([out.closed, err.closed, st.closed]), new Promise((r) => setTimeout(r, 2000))]);
    if (o.signal?.aborted) throw o.signal.reason;
    const m = /exit (\d+)/.exec(status);
    if (!m) {
      const tail = existsSync(consoleLog) ? readFileSync(consoleLog, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
      const why = o.timeoutMs && Date.now() - t0 >= o.timeoutMs ? `timed out after ${o.timeoutMs / 1000} s` : `qemu exit ${qemuExit}`;
      throw new MeasurementError(`vm: the guest ended without an exit status (${why})${qemuErr ? `\nqemu: ${qemuErr.trim()}` : ''}${tail ? `\nguest console:\n${tail}` : ''}`);
    }
    return { exitCode: Number(m[1]), accel: choice.accel, accelReason: choice.reason, kernel: kernel.version, bootMs, totalMs: Date.now() - t0 };
  } finally {
    if (o.consoleFile && existsSync(join(tmp, 'console.log'))) copyFileSync(join(tmp, 'console.log'), o.consoleFile);
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const s of servers) s.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

