import { run } from '../../core/exec.js';
import { MeasurementError } from '../../core/errors.js';

/**
 * A small stand-alone data path for measuring and testing the HTTP agent without a provider:
 * `<prefix>-client` -> `<prefix>-node` (routes, and the ClusterIP rules the caller adds) ->
 * `<prefix>-backend-<b>`, each backend holding 10.244.(64+b).0/24 through an AnyIP route, like the
 * local provider's backend namespaces. Nothing touches the root namespace.
 */
export interface Lab {
  client: string;
  node: string;
  backends: string[];
}

/** Endpoint k (0..253) of backend b. */
export function labEndpoint(b: number, k = 0): string {
  return `10.244.${64 + b}.${k + 1}`;
}

export async function createLab(prefix: string, backends = 1): Promise<Lab> {
  await deleteLab(prefix, backends);
  const lab: Lab = { client: `${prefix}-client`, node: `${prefix}-node`, backends: Array.from({ length: backends }, (_, b) => `${prefix}-backend-${b}`) };
  try {
    // one `ip -batch` per namespace: each spawned process costs more than the work it does
    const batch: Record<string, string[]> = { [lab.client]: ['link set lo up'], [lab.node]: ['link set lo up'] };
    for (const ns of [lab.client, lab.node, ...lab.backends]) await run('ip', ['netns', 'add', ns]);
    await run('ip', ['link', 'add', 'c0', 'netns', lab.client, 'type', 'veth', 'peer', 'name', 'n0', 'netns', lab.node]);
    batch[lab.client].push('addr add 10.250.0.2/30 dev c0', 'link set c0 up', 'route add default via 10.250.0.1');
    batch[lab.node].push('addr add 10.250.0.1/30 dev n0', 'link set n0 up');
    for (let b = 0; b < backends; b++) {
      const ns = lab.backends[b];
      const nodeIf = `n${b + 1}`;
      await run('ip', ['link', 'add', nodeIf, 'netns', lab.node, 'type', 'veth', 'peer', 'name', 'b0', 'netns', ns]);
      batch[lab.node].push(`addr add 10.250.${b + 1}.1/30 dev ${nodeIf}`, `link set ${nodeIf} up`, `route add 10.244.${64 + b}.0/24 via 10.250.${b + 1}.2`);
      batch[ns] = [
        'link set lo up', `addr add 10.250.${b + 1}.2/30 dev b0`, 'link set b0 up',
        `route add default via 10.250.${b + 1}.1`, `route add local 10.244.${64 + b}.0/24 dev lo`,
      ];
    }
    for (const [ns, lines] of Object.entries(batch)) await run('ip', ['-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
    await run('sysctl', ['-qw', 'net.ipv4.ip_forward=1'], { netns: lab.node });
    return lab;
  } catch (err) {
    await deleteLab(prefix, backends);
    throw err;
  }
}

/** Idempotent: removes whatever of the lab exists. */
export async function deleteLab(prefix: string, backends = 1): Promise<void> {
  const names = [`${prefix}-client`, `${prefix}-node`, ...Array.from({ length: backends }, (_, b) => `${prefix}-backend-${b}`)];
  for (const ns of names) await run('ip', ['netns', 'del', ns], { reject: false });
}

/**
 * A ClusterIP as kube-proxy's iptables mode would spread it: DNAT to each endpoint with
 * `statistic random` probabilities 1/n, 1/(n-1), ..., 1 (one rule set, in the node namespace).
 */
export async function addClusterIP(lab: Lab, clusterIP: string, port: number, endpoints: ReadonlyArray<{ ip: string; port: number }>): Promise<void> {
  const n = endpoints.length;
  for (let i = 0; i < n; i++) {
    const rest = n - i;
    const stat = rest > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', (1 / rest).toFixed(11)] : [];
    await run('iptables', ['-t', 'nat', '-A', 'PREROUTING', '-d', `${clusterIP}/32`, '-p', 'tcp', '--dport', String(port), ...stat, '-j', 'DNAT', '--to-destination', `${endpoints[i].ip}:${endpoints[i].port}`], { netns: lab.node });
  }
}

/** Polls until something listens on TCP port inside ns. */
export async function waitListening(ns: string, port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const res = await run('ss', ['-Hltn', `sport = :${port}`], { netns: ns, reject: false });
    if (res.stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new MeasurementError(`nothing listens on port ${port} in ${ns} after ${timeoutMs} ms`);
}
