import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from '../../src/core/exec.js';
import { parseAgentOutput, type AgentOutput } from '../../src/metrics/agent-output.js';
import { isProxied, type ClusterState } from '../../src/model/cluster.js';
import type { AgentRequest, ClusterInfo, Provider, SyncReport } from '../../src/providers/provider.js';

const cli = fileURLToPath(new URL('../../src/cli/commands/agent-connect.js', import.meta.url));
const script = `const { connectAgentCommand } = await import(${JSON.stringify(cli)}); await connectAgentCommand().parseAsync(process.argv.slice(1), { from: 'user' });`;

/**
 * A minimal real provider for these tests: every ClusterIP:80 is one DNAT rule in the node
 * namespace's nat PREROUTING (added or deleted with iptables-restore --noflush) to the one
 * server there, and agents are real processes in the client namespace. Not kube-proxy's
 * layout (that is the local provider's): just enough real kernel for the workloads' clocks.
 */
export class NetnsProvider implements Provider {
  readonly name = 'netns-test';
  private programmed = new Set<string>();

  constructor(private readonly client: string, private readonly node: string, private readonly server: string, private readonly dir: string) {}

  describe(): string[] {
    return [];
  }
  async check(): Promise<void> {}
  async up(): Promise<ClusterInfo> {
    return { nameserver: '10.96.0.10', clusterDomain: 'cluster.local', clientNamespace: 'bench-0', clients: 1, tools: {} };
  }

  async applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    const want = new Set(state.services.filter((s) => isProxied(s) && s.namespace !== 'kube-system').map((s) => s.clusterIP));
    const rule = (op: string, ip: string) => `${op} PREROUTING -d ${ip}/32 -p tcp --dport 80 -j DNAT --to-destination ${this.server}`;
    const lines = [...[...this.programmed].filter((ip) => !want.has(ip)).map((ip) => rule('-D', ip)), ...[...want].filter((ip) => !this.programmed.has(ip)).map((ip) => rule('-A', ip))];
    const t0 = performance.now();
    if (lines.length > 0) await run('iptables-restore', ['--noflush'], { netns: this.node, input: `*nat\n${lines.join('\n')}\nCOMMIT\n` });
    this.programmed = want;
    return { kind: opts.full ? 'full' : 'partial', durationMs: performance.now() - t0, rules: want.size };
  }

  async runAgent(req: AgentRequest): Promise<AgentOutput> {
    const args = req.args.map((a) => {
      if (typeof a === 'string') return a;
      const path = join(this.dir, `${req.agent}-${a.file}`);
      writeFileSync(path, req.files?.[a.file] ?? '');
      return path;
    });
    const res = await run('node', ['--input-type=module', '-e', script, '--', ...args], { netns: this.client, timeoutMs: req.timeoutMs, signal: req.signal });
    return parseAgentOutput(res.stdout);
  }

  async sample() {
    return { time: Date.now(), dnsServerCpuSeconds: 0 };
  }
  async down(): Promise<void> {}
}
