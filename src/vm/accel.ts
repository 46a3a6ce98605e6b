import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

export type Accel = 'kvm' | 'tcg';

export interface AccelChoice {
  accel: Accel;
  /** why, in a few words, for the "vm: ... under X" line */
  reason: string;
}

export const QEMU = 'qemu-system-x86_64';

/** A working KVM boots the kernel to its "no root" panic in about a second; TCG needs ten or more. */
export const KVM_PROBE_MS = 10_000;

/**
 * Whether a guest really runs on KVM: boot the VM's kernel with no root file system under KVM
 * and wait for its panic. /dev/kvm can exist and open while guests still fail (nested
 * virtualisation that aborts on an MSR, or a kernel that spins at 100% system time before its
 * first line): only a kernel that gets through its own init proves it.
 */
export function probeKvm(kernelImage: string, timeoutMs = KVM_PROBE_MS): Promise<{ ok: boolean; why: string }> {
  return new Promise((resolve) => {
    const args = ['-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-accel', 'kvm', '-cpu', 'host', '-m', '256',
      '-kernel', kernelImage, '-append', 'console=ttyS0 panic=-1 loglevel=1', '-serial', 'stdio'];
    let child;
    try {
      child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ ok: false, why: String(err) });
      return;
    }
    let out = '';
    let err = '';
    let done = false;
    const finish = (ok: boolean, why: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve({ ok, why });
    };
    const timer = setTimeout(() => finish(false, `a kernel under KVM did not boot within ${timeoutMs / 1000} s`), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Kernel panic')) finish(true, 'KVM runs guests');
    });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => finish(false, e.message));
    child.on('exit', (code) => finish(false, err.trim().split('\n').at(-1) || `qemu exit ${code}`));
  });
}

/** KVM when a guest boots on it, else TCG (software emulation), with the reason. */
export async function chooseAccel(kernelImage: string, wanted: 'auto' | Accel = 'auto'): Promise<AccelChoice> {
  if (wanted !== 'auto') return { accel: wanted, reason: 'asked for' };
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
  } catch {
    return { accel: 'tcg', reason: 'no usable /dev/kvm' };
  }
  const probe = await probeKvm(kernelImage);
  return probe.ok ? { accel: 'kvm', reason: probe.why } : { accel: 'tcg', reason: `/dev/kvm present but ${probe.why.slice(0, 160)}` };
}
