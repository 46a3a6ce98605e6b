import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAgentOutput } from '../../../src/metrics/agent-output.js';
import { MetricSink } from '../../../src/metrics/sink.js';
import { GeneratedAddresses } from '../../../src/model/addressing.js';
import { generateServices } from '../../../src/model/generate.js';
import { ExistingProvider } from '../../../src/providers/existing/provider.js';
import type { CommandRunner } from '../../../src/providers/kube/command.js';
import { REPO_ROOT } from '../../../src/providers/kube/infra.js';
import type { AgentRequest, ClusterInfo, Provider } from '../../../src/providers/provider.js';
import { ScenarioSpec } from '../../../src/scenario/schema.js';
import { dnsWorkload } from '../../../src/workloads/dns.js';
import { renderPodResolvConf } from '../../../src/dns/pod-dns.js';
import { withControlPlane, type ControlPlane } from './control-plane.js';
import { clientFor, kubectl } from './kubectl.js';

/** Real kubectl on the test control plane; `rollout status` answered at once (no controllers run there). */
function kubectlRunner(cp: ControlPlane): CommandRunner {
  return {
    run: async (file, args) => {
      if (file === 'kubectl' && args.includes('rollout') && args.includes('status')) return { stdout: 'rolled out', stderr: '', exitCode: 0 };
      const r = await execa(file, file === 'kubectl' ? ['--kubeconfig', cp.kubeconfig, ...args] : [...args], { reject: false });
      if (r.exitCode !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr}`);
      return { stdout: r.stdout, stderr: r.stderr, exitCode: 0 };
    },
  };
}

/** Real CoreDNS (the pinned build) serving cluster.local from the test apiserver on 127.0.0.1:port. */
async function startCoreDNS(cp: ControlPlane, dir: string): Promise<{ port: number; stop(): void }> {
  // below the ephemeral range: a port in it can be taken meanwhile by any client socket (the
  // apiserver's own connections to etcd once took one, and CoreDNS could not bind)
  const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  const port = 20000 + Math.floor(Math.random() * (Math.max(ephemeralStart, 22002) - 20002));
  const ready = port + 1;
  writeFileSync(join(dir, 'Corefile'), `.:${port} {\n    bind 127.0.0.1\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        kubeconfig ${cp.kubeconfig} ${cp.context}\n        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n        ttl 30\n    }\n    ready 127.0.0.1:${ready}\n}\n`);
  const proc = spawn(cp.bin('coredns'), ['-conf', join(dir, 'Corefile')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (c) => (err += c));
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${ready}/ready`).then((r) => r.ok, () => false);
    if (ok) return { port, stop: () => proc.kill() };
    await new Promise((r) => setTimeout(r, 200));
  }
  proc.kill();
  throw new Error(`CoreDNS did not become ready: ${err.slice(-500)}`);
}

/** A provider whose agents are the real DNS agent on this machine, aimed at the test CoreDNS. */
function localAgents(dir: string, dnsPort: number): Pick<Provider, 'runAgent'> {
  return {
    runAgent: async (req: AgentRequest) => {
      const args = req.args.map((a) => (typeof a === 'string' ? a : join(dir, a.file)));
      for (const [name, text] of Object.entries(req.files ?? {})) writeFileSync(join(dir, name), text);
      const i = args.indexOf('--server');
      args[i + 1] = `127.0.0.1:${dnsPort}`;
      // the pod's own resolv.conf, as a provider renders it from the request's pod DNS config
      const rc = args.indexOf('--resolv-conf');
      if (rc >= 0 && req.dns) {
        writeFileSync(join(dir, 'resolv.conf'), renderPodResolvConf(req.dns));
        args[rc + 1] = join(dir, 'resolv.conf');
      }
      const r = await execa(process.execPath, [join(REPO_ROOT, 'dist/src/cli/main.js'), 'agent', req.agent, ...args], { reject: false });
      return parseAgentOutput(r.stdout);
    },
  };
}

test('existing provider on a real control plane: every cluster name of the DNS workload resolves through real CoreDNS', { timeout: 300_000 }, async () => {
  await withControlPlane(async (cp) => {
    const dir = mkdtempSync(join(tmpdir(), 'disco-existing-dns-'));
    const runId = `e${Date.now().toString(36)}`;
    const api = clientFor(cp);
    // the cluster's own kube-dns, as any cluster has it
    await api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } } as never);
    const scenario = ScenarioSpec.parse({
      name: 'x', provider: 'existing', services: { count: 30, namespaces: 3, headless: 2, endpointsPerService: 2 },
      workloads: { dns: { duration: '2s', clients: 1, inflight: 8, distinctNames: 40, names: { short: 0.3, namespaced: 0.3, fqdn: 0.2, headless: 0.2, external: 0 } } },
    });
    const provider = new ExistingProvider({ runId, workDir: dir, log: () => undefined, options: { context: cp.context, yes: true } }, { runner: kubectlRunner(cp), kubeApi: () => api, image: 'discobench/agent:dev' });
    const coredns = await startCoreDNS(cp, dir);
    try {
      const info = await provider.up(scenario.cluster);
      assert.equal(info.servicesNamespace, `discobench-${runId}`);
      // a backend pod as a kubelet would report it (no kubelet here; no controller makes the
      // namespace's default ServiceAccount either)
      const ns = info.servicesNamespace!;
      await api.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } } as never);
      await api.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'disco-backend-0', namespace: ns, labels: { app: 'disco-backend' } }, spec: { containers: [{ name: 'netexec', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }] } } as never);
      const status = { status: { phase: 'Running', podIP: '10.244.1.10', podIPs: [{ ip: '10.244.1.10' }], conditions: [{ type: 'Ready', status: 'True' }] } };
      const patched = await kubectl(cp, ['-n', ns, 'patch', 'pod', 'disco-backend-0', '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
      assert.equal(patched.exitCode, 0, patched.stderr);
      const state = generateServices(scenario.services, [], new GeneratedAddresses(info.allocatedClusterIPs));
      await provider.applyServices(state, { full: true });

      const lookups = async (cluster: ClusterInfo) => {
        const sink = new MetricSink();
        const ctx = { runId, variantId: 'v', scenario, provider: { ...localAgents(dir, coredns.port) } as Provider, cluster, state, sink, workDir: dir, signal: new AbortController().signal, log: () => {} };
        await dnsWorkload().run(ctx);
        return { failed: sink.get('dns.lookups.failed') ?? 0, rate: sink.get('dns.lookups.rate') ?? 0 };
      };
      const r = await lookups(info);
      assert.ok(r.rate > 0, 'lookups happened');
      assert.equal(r.failed, 0, 'no NXDOMAIN for a cluster name');
      // the names the model's namespaces would give (the defect) do fail here: the check has teeth
      const { servicesNamespace: _drop, ...modelNames } = info;
      assert.ok((await lookups(modelNames)).failed > 0);
    } finally {
      coredns.stop();
      await provider.down();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
