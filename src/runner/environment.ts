import { cpus, release, totalmem } from 'node:os';
import { haveTool, run } from '../core/exec.js';
import type { Environment } from '../results/model.js';
import { vmOfThisProcess } from '../vm/guest.js';

async function version(tool: string, args: string[], pattern: RegExp): Promise<string | undefined> {
  if (!(await haveTool(tool))) return undefined;
  const res = await run(tool, args, { reject: false });
  return pattern.exec(`${res.stdout}\n${res.stderr}`)?.[1];
}

/** The machine and the versions of the parts under test, for run.json. */
export async function environment(extraTools: Record<string, string> = {}): Promise<Environment> {
  const tools: Record<string, string> = {};
  const add = (k: string, v: string | undefined) => { if (v) tools[k] = v; };
  add('iptables', await version('iptables', ['--version'], /iptables (v\S+(?: \(\w+\))?)/));
  add('nft', await version('nft', ['--version'], /nftables (v\S+)/));
  const vm = vmOfThisProcess();
  return {
    kernel: release(), cpus: cpus().length, memory: totalmem(), node: process.version, tools: { ...tools, ...extraTools },
    ...(vm ? { vm: { accel: vm.accel, emulated: vm.accel === 'tcg' } } : {}),
  };
}
