import type { Accel } from './accel.js';

/** Set by the VM runner inside the guest ("tcg 6.1.0-57-amd64"), so run.json can say where it ran. */
export const VM_ENV = 'DISCOBENCH_VM';

/** Which VM the current process runs in; undefined on a host. */
export function vmOfThisProcess(): { accel: Accel; kernel: string } | undefined {
  const v = process.env[VM_ENV];
  if (!v) return undefined;
  const [accel, kernel] = v.split(' ');
  return accel === 'kvm' || accel === 'tcg' ? { accel, kernel: kernel ?? '' } : undefined;
}
