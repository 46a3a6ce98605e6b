import { createServer, type Server } from 'node:net';
import type { AgentOutput } from '../../src/metrics/agent-output.js';
import { runConnectAgent } from '../../src/load/connect/agent.js';
import { parseTargets, targetKey, type Target } from '../../src/load/targets.js';
import { isProxied, type ClusterState } from '../../src/model/cluster.js';
import type { AgentRequest, ClusterInfo, Provider, SyncReport } from '../../src/providers/provider.js';

export interface FakeOptions {
  /** listeners start this long after applyServices returns */
  programDelayMs?: number;
  /** delays await-mode agents only (a slow start the calibration probe did not see) */
  awaitStartDelayMs?: number;
  clients?: number;
}

/**
 * An in-process stand-in for a provider, for workload tests: a "programmed" ClusterIP
 * 10.a.b.c:port becomes a real TCP listener on the loopback address 127.a.b.c:listenPort
 * (all of 127/8 is local on Linux), and runAgent runs the real connect agent in-process with
 * the targets translated there and its results translated back. Programming can be delayed to
 * check that the churn workload measures it.
 */
export class FakeProvider implements Provider {
  readonly name = 'fake';
  readonly calls: Array<{ full: boolean; state: ClusterState }> = [];
  readonly agentRequests: AgentRequest[] = [];
  private readonly listeners = new Map<string, Server>();

  constructor(
    private readonly listenPort: number,
    private readonly opts: FakeOptions = {},
  ) {}

  describe(): string[] {
    return [];
  }
  async check(): Promise<void> {}
  async up(): Promise<ClusterInfo> {
    return { nameserver: '10.96.0.10', clusterDomain: 'cluster.local', clientNamespace: 'bench-0', clients: this.opts.clients ?? 1, tools: {} };
  }

  private local(t: Target): Target {
    return { host: t.host.replace(/^\d+\./, '127.'), port: this.listenPort };
  }

  async applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    const t0 = performance.now();
    this.calls.push({ full: opts.full, state });
    const want = new Set(state.services.filter(isProxied).filter((s) => s.namespace !== 'kube-system').map((s) => this.local({ host: s.clusterIP, port: 80 }).host));
    for (const [host, srv] of this.listeners) {
      if (!want.has(host)) {
        srv.close();
        this.listeners.delete(host);
      }
    }
    const starts: Promise<void>[] = [];
    for (const host of want) {
      if (this.listeners.has(host)) continue;
      const srv = createServer((sock) => {
        sock.on('error', () => {});
        sock.destroy();
      });
      this.listeners.set(host, srv);
      const listen = () => new Promise<void>((resolve) => srv.listen({ host, port: this.listenPort, backlog: 4096 }, resolve));
      // programming that completes after applyServices returns, like a data plane catching up
      if (this.opts.programDelayMs) setTimeout(() => void listen(), this.opts.programDelayMs);
      else starts.push(listen());
    }
    await Promise.all(starts);
    return { kind: opts.full ? 'full' : 'partial', durationMs: performance.now() - t0, rules: want.size };
  }

  async runAgent(req: AgentRequest): Promise<AgentOutput> {
    this.agentRequests.push(req);
    if (this.opts.awaitStartDelayMs && req.args.includes('--await')) await new Promise((r) => setTimeout(r, this.opts.awaitStartDelayMs));
    const targets = parseTargets(req.files?.targets ?? '');
    const back = new Map(targets.map((t) => [targetKey(this.local(t)), targetKey(t)]));
    const args = req.args.map((a) => (typeof a === 'string' ? a : `@${a.file}`));
    const flag = (name: string) => {
      const i = args.indexOf(name);
      return i >= 0 ? args[i + 1] : undefined;
    };
    const ms = (v: string | undefined) => (v ? Number(v.replace(/ms$/, '')) : undefined);
    const out = await runConnectAgent(
      {
        targets: targets.map((t) => this.local(t)),
        probes: Number(flag('--probes') ?? 1000),
        concurrency: Number(flag('--concurrency') ?? 8),
        timeoutMs: ms(flag('--timeout')) ?? 1000,
        await: args.includes('--await'),
      },
      req.signal,
    );
    if (out.info?.mode === 'await') {
      const fs = out.info.firstSuccess as Record<string, number>;
      out.info.firstSuccess = Object.fromEntries(Object.entries(fs).map(([k, v]) => [back.get(k) ?? k, v]));
      out.info.unreached = (out.info.unreached as string[]).map((k) => back.get(k) ?? k);
    }
    return out;
  }

  async sample() {
    return { time: Date.now(), dnsServerCpuSeconds: 0 };
  }

  async down(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((s) => new Promise((r) => s.close(r))));
    this.listeners.clear();
  }
}
