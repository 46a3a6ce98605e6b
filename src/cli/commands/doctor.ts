import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DiscoError, PrerequisiteError, UsageError, messageOf } from '../../core/errors.js';
import { checkPerfTools } from '../../perf/run.js';
import { RATIO_NAMES } from '../../perf/targets.js';
import { registerProviders } from '../../providers/all.js';
import { providers } from '../../providers/index.js';
import { requireChromium } from '../../report/chromium.js';
import { ClusterSpec, type ClusterConfig } from '../../scenario/schema.js';
import { haveTool } from '../../core/exec.js';
import { QEMU } from '../../vm/accel.js';
import { BUSYBOX } from '../../vm/initramfs.js';
import { VM_INSTALL_HINT, findGuestKernel } from '../../vm/kernel.js';
import { componentLines } from './components.js';

/** A check that has not answered by then (an API server that drops packets) is reported as such. */
const CHECK_TIMEOUT_MS = 20_000;

/** What one check said: '' when ready, else the error's message and hint. */
async function outcome(check: () => Promise<void>): Promise<{ ok: boolean; text: string }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PrerequisiteError(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
    timer.unref();
  });
  try {
    await Promise.race([check(), late]);
    return { ok: true, text: '' };
  } catch (err) {
    const word = err instanceof UsageError ? 'refused' : err instanceof PrerequisiteError ? 'missing' : 'error';
    const hint = err instanceof DiscoError && err.hint ? `  -> ${err.hint}` : '';
    return { ok: false, text: `${word}: ${messageOf(err)}${hint}` };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The cluster configurations a scenario can ask of a provider: every proxy mode with and without
 * NodeLocal DNSCache, legacy iptables, and each explicit choice of components (local's real
 * Kubernetes components or its model; `auto` elsewhere picks whichever is there).
 */
export function doctorConfigurations(): Array<{ label: string; cluster: ClusterConfig }> {
  const out: Array<{ label: string; cluster: ClusterConfig }> = [];
  for (const proxy of ClusterSpec.shape.proxy.unwrap().options) {
    for (const nodeLocalDNS of [false, true]) out.push({ label: `${proxy}${nodeLocalDNS ? '+nodelocal' : ''}`, cluster: ClusterSpec.parse({ proxy, nodeLocalDNS }) });
    if (proxy === 'iptables') out.push({ label: 'iptables-legacy', cluster: ClusterSpec.parse({ proxy, iptablesBackend: 'legacy' }) });
  }
  for (const components of ClusterSpec.shape.components.unwrap().options) {
    if (components !== ClusterSpec.parse({}).components) out.push({ label: `components=${components}`, cluster: ClusterSpec.parse({ components }) });
  }
  return out;
}

/** Prints one line per distinct outcome, naming the configurations that share it. */
function printGroup(title: string, results: Array<{ label: string; ok: boolean; text: string }>): void {
  process.stdout.write(`${title}\n`);
  const byText = new Map<string, string[]>();
  for (const r of results) byText.set(r.text, [...(byText.get(r.text) ?? []), r.label]);
  for (const [text, labels] of byText) {
    const which = byText.size === 1 && labels.length > 1 ? 'all' : labels.join(', ');
    process.stdout.write(`  ${text === '' ? 'ok     ' : 'not ok '} ${which}${text ? `\n            ${text}` : ''}\n`);
  }
}

/**
 * The VM runner's parts (qemu, a Debian kernel with modules, a static busybox): what runs the
 * modes this host's kernel cannot (ip_vs, dummy), whose local check() names the VM runner.
 */
async function vmChecks(): Promise<Array<{ label: string; ok: boolean; text: string }>> {
  let kernel: string | undefined;
  try { kernel = findGuestKernel().version; } catch { kernel = undefined; }
  const kvm = existsSync('/dev/kvm');
  return [
    { label: QEMU, ...((await haveTool(QEMU)) ? { ok: true, text: '' } : { ok: false, text: `missing: ${QEMU}  -> ${VM_INSTALL_HINT}` }) },
    { label: `guest kernel${kernel ? ` ${kernel}` : ''}`, ...(kernel ? { ok: true, text: '' } : { ok: false, text: 'missing: /boot/vmlinuz-* with its modules  -> apt-get install linux-image-amd64' }) },
    { label: BUSYBOX, ...(existsSync(BUSYBOX) ? { ok: true, text: '' } : { ok: false, text: `missing: ${BUSYBOX}  -> apt-get install busybox-static` }) },
    // present is not usable: each `vm` start boots a kernel on it to find out (here it hangs)
    { label: '/dev/kvm', ...(kvm ? { ok: true, text: '' } : { ok: false, text: 'absent (optional): the VM runs under TCG, 10x slower or more' }) },
  ];
}

/**
 * Runs each registered provider's own check() (the one bench runs before creating anything) for
 * every cluster configuration, then perf's and the PNG charts' own checks: doctor keeps no tool
 * list of its own, so it cannot drift from what a run demands.
 */
export function doctorCommand(): Command {
  return new Command('doctor').description("runs each provider's own prerequisite checks and says how to fix what is missing").option('--strict', 'exit 4 if the local provider cannot run its default configuration').action(async (o: { strict?: boolean }) => {
    registerProviders();
    const configurations = doctorConfigurations();
    let localDefault: { ok: boolean; text: string } | undefined;
    for (const name of providers.names()) {
      const entry = providers.require(name);
      const provider = entry.create({ runId: 'doctor', workDir: join(tmpdir(), 'discobench-doctor'), log: () => undefined, options: {} });
      const results = [];
      for (const c of configurations) {
        const r = await outcome(() => provider.check(c.cluster));
        results.push({ label: c.label, ...r });
        if (name === 'local' && c.label === ClusterSpec.parse({}).proxy) localDefault = r;
      }
      printGroup(`${name} provider:`, results);
      if (name === 'local') {
        process.stdout.write('local provider, real components (cluster.components: real; else the model runs):\n');
        for (const line of await componentLines()) process.stdout.write(`${line}\n`);
      }
    }
    const perf = [];
    for (const pair of RATIO_NAMES) perf.push({ label: pair, ...(await outcome(() => checkPerfTools([pair]))) });
    printGroup('npm run perf (reference tools):', perf);
    printGroup('VM runner (npm run vm -- COMMAND: kernel features this host lacks, e.g. ip_vs and dummy for ipvs):', await vmChecks());
    printGroup('report charts (PNG):', [{ label: 'chromium', ...(await outcome(requireChromium)) }]);
    if (o.strict && localDefault && !localDefault.ok) throw new PrerequisiteError(`the local provider is not ready (${localDefault.text})`, 'run: npm run setup');
  });
}
