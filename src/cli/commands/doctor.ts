import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { PrerequisiteError } from '../../core/errors.js';
import { haveTool, installHint, run } from '../../core/exec.js';
import { componentLines } from './components.js';

interface Check {
  what: string;
  ok: boolean;
  fix?: string;
}

async function tool(name: string, why: string): Promise<Check> {
  const ok = await haveTool(name);
  return { what: `${name} (${why})`, ok, fix: ok ? undefined : installHint(name) };
}

async function kernelModule(name: string, why: string): Promise<Check> {
  const loaded = existsSync(`/sys/module/${name}`) || (await run('modprobe', ['-q', name], { reject: false })).exitCode === 0;
  return { what: `kernel module ${name} (${why})`, ok: loaded, fix: loaded ? undefined : `modprobe ${name} (not available on this kernel: that mode exits 4)` };
}

/** Checks each provider's prerequisites and says how to install what is missing. */
export function doctorCommand(): Command {
  return new Command('doctor').description("checks each provider's prerequisites").option('--strict', 'exit 4 if the local provider is not ready').action(async (o: { strict?: boolean }) => {
    const local: Check[] = [
      { what: 'root (network namespaces)', ok: process.getuid?.() === 0, fix: 'run as root' },
      await tool('ip', 'namespaces, veth'), await tool('ss', 'readiness'), await tool('iptables-restore', 'iptables mode'),
      await tool('nft', 'nftables mode'), await tool('unbound', 'cluster DNS'), await tool('unbound-control', 'DNS statistics'),
      await tool('nginx', 'HTTP backends'), await kernelModule('ip_vs', 'ipvs mode'),
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
    process.stdout.write('existing provider: a kubeconfig (KUBECONFIG or ~/.kube/config)\n');
    const essential = local.filter((c) => !c.what.startsWith('kernel module') && !c.what.includes('perf:') && !c.what.includes('PNG'));
    if (o.strict && essential.some((c) => !c.ok)) throw new PrerequisiteError('the local provider is not ready', 'run: npm run setup');
  });
}
