import { fileURLToPath } from 'node:url';
import { resolve, relative } from 'node:path';
import { Command, Option } from 'commander';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { runInVm } from '../../vm/runner.js';

const PROJECT_DIR = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

function positiveInt(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`vm: ${flag} must be a positive integer, got "${v}"`);
    return n;
  };
}

/**
 * npm run vm -- COMMAND...: the command as root in a throwaway VM with Debian's stock kernel,
 * for kernel features the host lacks (ip_vs, dummy). Exit code and output are the command's.
 */
export function vmCommand(): Command {
  return new Command('vm')
    .description("runs COMMAND as root in a throwaway VM booted from Debian's stock kernel (KVM where it works, else TCG); exit code and output passed through")
    .argument('<command...>', 'command and its arguments (put -- before it)')
    .option('--memory <MiB>', 'guest memory', positiveInt('--memory'), 2048)
    .option('--cpus <n>', 'guest vCPUs', positiveInt('--cpus'), 2)
    .addOption(new Option('--accel <accel>', 'kvm, tcg, or auto: KVM if a guest boots on it').choices(['auto', 'kvm', 'tcg']).default('auto'))
    .option('--console <file>', "keep the guest's console (kernel messages) in FILE")
    .option('--timeout <s>', 'kill the VM after this many seconds', positiveInt('--timeout'))
    .passThroughOptions()
    .action(async (argv: string[], o: { memory: number; cpus: number; accel: 'auto' | 'kvm' | 'tcg'; timeout?: number; console?: string }) => {
      const cwd = process.cwd();
      const inside = !relative(PROJECT_DIR, cwd).startsWith('..');
      const ac = new AbortController();
      const onSig = () => ac.abort(new InterruptedError('vm: interrupted; the VM was stopped'));
      process.once('SIGINT', onSig);
      process.once('SIGTERM', onSig);
      try {
        const res = await runInVm({
          argv, projectDir: PROJECT_DIR, cwd: inside ? resolve(cwd) : PROJECT_DIR, memoryMiB: o.memory, cpus: o.cpus, accel: o.accel,
          consoleFile: o.console ? resolve(o.console) : undefined, signal: ac.signal, timeoutMs: o.timeout ? o.timeout * 1000 : undefined, log: (l) => process.stderr.write(`${l}\n`),
        });
        process.stderr.write(`vm: exit ${res.exitCode} after ${(res.totalMs / 1000).toFixed(1)} s (boot ${(res.bootMs / 1000).toFixed(1)} s, ${res.accel})\n`);
        process.exitCode = res.exitCode;
      } finally {
        process.off('SIGINT', onSig);
        process.off('SIGTERM', onSig);
      }
    });
}
