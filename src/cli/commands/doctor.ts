import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { PrerequisiteError } from '../../core/errors.js';
import { haveTool, installHint, run } from '../../core/exec.js';
import { componentLines } from './components.js';
import { QEMU } from '../../vm/accel.js';
import { BUSYBOX } from '../../vm/initramfs.js';
import { VM_INSTALL_HINT, findGuestKernel } from '../../vm/kernel.js';

interface Check {
  what: string;
  ok: boolean;
  fix?: string;
}

async function tool(name: string, why: string): Promise<Check> {
  const ok = await haveTool(name);
  return { what: `${name} (${why})`, ok, fix: ok ? undefined : installHint(name) };
}

async function kernelModule(name: string, why: string, vmReady: boolean): Promise<Check> {
  const loaded = existsSync(`/sys/module/${name}`) || (await run('modprobe', ['-q', name], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
  const inVm = vmReady ? 'this host cannot; the VM runner can: npm run vm -- npm run bench -- --scenario ipvs-5000' : `this host cannot; the VM runner could once it has: ${VM_INSTALL_HINT}`;
  return { what: `kernel module ${name} (${why})`, ok: loaded, fix: loaded ? undefined : inVm };
}

/** The VM runner's parts: qemu, a Debian kernel with modules, a static busybox. */
async function vmChecks(): Promise<Check[]> {
  const qemu = await haveTool(QEMU);
  let kernel: string | undefined;
  try { kernel = findGuestKernel().version; } catch { kernel = undefined; }
  const busybox = existsSync(BUSYBOX);
  return [
    { what: `${QEMU} (VM runner)`, ok: qemu, fix: qemu ? undefined : 'apt-get install qemu-system-x86' },
    { what: `guest kernel${kernel ? ` ${kernel}` : ''} (/boot/vmlinuz-* with its modules)`, ok: Boolean(kernel), fix: kernel ? undefined : 'apt-get install linux-image-amd64' },
    { what: `${BUSYBOX} (the VM's init)`, ok: busybox, fix: busybox ? undefined : 'apt-get install busybox-static' },
    // present is not usable: each `vm` start boots a kernel on it to find out (here it hangs)
    { what: '/dev/kvm (optional: without a KVM that runs guests, the VM runs under TCG, 10x slower or more; each vm start probes it)', ok: existsSync('/dev/kvm'), fix: existsSync('/dev/kvm') ? undefined : 'enable KVM for speed, or accept TCG' },
  ];
}

/** Checks each provider's prerequisites and says how to install what is missing. */
export function doctorCommand(): Command {
  return new Command('doctor').description("checks each provider's prerequisites").option('--strict', 'exit 4 if the local provider is not ready').action(async (o: { strict?: boolean }) => {
    const vm = await vmChecks();
    const vmReady = vm.slice(0, 3).every((c) => c.ok);
    const local: Check[] = [
      { what: 'root (network namespaces)', ok: process.getuid?.() === 0, fix: 'run as root' },
      await tool('ip', 'namespaces, veth'), await tool('ss', 'readiness'), await tool('iptables-restore', 'iptables mode'),
      await tool('nft', 'nftables mode'), await tool('unbound', 'cluster DNS'), await tool('unbound-control', 'DNS statistics'),
      await tool('nginx', 'HTTP backends'), await kernelModule('ip_vs', 'ipvs mode', vmReady), await kernelModule('dummy', 'ipvs mode: kube-ipvs0', vmReady),
      await tool('dnsperf', 'perf: DNS reference'), await tool('wrk', 'perf: HTTP reference'), await tool('chromium', 'PNG charts'),
    ];
    const kind: Check[] = [await tool('docker', 'kind nodes'), await tool('kind', 'clusters'), await tool('kubectl', 'API'), await tool('helm', 'Cilium')];
    const print = (title: string, checks: Check[]) => {
      process.stdout.write(`${title}\n`);
      for (const c of checks) process.stdout.write(`  ${c.ok ? 'ok     ' : 'missing'} ${c.what}${c.fix ? `  -> ${c.fix}` : ''}\n`);
    };
    print('local provider:', local);
    process.stdout.write('local provider, real components (cluster.components: real; else the model runs):\n');
    for (const line of await componentLines()) process.stdout.write(`${line}\n`);
    print('kind provider:', kind);
    print('VM runner (npm run vm -- COMMAND: kernel features this host lacks):', vm);
    process.stdout.write('existing provider: a kubeconfig (KUBECONFIG or ~/.kube/config)\n');
    const essential = local.filter((c) => !c.what.startsWith('kernel module') && !c.what.includes('perf:') && !c.what.includes('PNG'));
    if (o.strict && essential.some((c) => !c.ok)) throw new PrerequisiteError('the local provider is not ready', 'run: npm run setup');
  });
}
