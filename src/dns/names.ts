import { mulberry32 } from '../core/prng.js';
import { isHeadless, isProxied, type ClusterState, type Service } from '../model/cluster.js';
import { externalHost } from '../model/generate.js';
import type { DnsWorkload } from '../scenario/schema.js';

/**
 * The names a DNS workload looks up, as an application in a client pod would write them:
 * short ("svc-3", only meaningful from the client's own namespace), namespaced ("svc-3.bench-0"),
 * fully qualified with the trailing dot, external ("api-7.example.com", the costly kind under
 * ndots 5) and headless ("headless-2.bench-0"). Returned as dnsperf-format lines. The same
 * seed gives the same names, so variants of a matrix compare like with like.
 */
export type NamesMix = DnsWorkload['names'];
type Kind = keyof NamesMix;
const KINDS: Kind[] = ['short', 'namespaced', 'fqdn', 'external', 'headless'];


/** Splits n over the weights by largest remainder, so the counts always add up to n. */
export function apportion(n: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (n * w) / total);
  const out = exact.map(Math.floor);
  let left = n - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k]![1]]!++;
  return out;
}

/** Picks `count` items, each at most once while there are enough, cycling otherwise. */
function pick<T>(items: readonly T[], count: number, rand: () => number): T[] {
  if (items.length === 0 || count === 0) return [];
  const idx = items.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
  }
  return Array.from({ length: count }, (_, k) => items[idx[k % idx.length]!]!);
}

export function buildNames(state: ClusterState, mix: NamesMix, distinct: number, seed = 1, clientNamespace = 'default'): string[] {
  const rand = mulberry32(seed);
  const zone = state.clusterDomain.replace(/\.$/, '');
  const clusterIP = state.services.filter((s) => isProxied(s) && s.namespace !== 'kube-system');
  const local = clusterIP.filter((s) => s.namespace === clientNamespace);
  const headless = state.services.filter(isHeadless);
  const counts = apportion(distinct, KINDS.map((k) => mix[k] ?? 0));
  const namespaced = (s: Service) => `${s.name}.${s.namespace}`;
  const lines: string[] = [];
  KINDS.forEach((kind, i) => {
    const n = counts[i]!;
    if (n === 0) return;
    let names: string[];
    switch (kind) {
      case 'short':
        // short names resolve only in the client's namespace; without Services there, namespaced
        names = local.length > 0 ? pick(local, n, rand).map((s) => s.name) : pick(clusterIP, n, rand).map(namespaced);
        break;
      case 'namespaced':
        names = pick(clusterIP, n, rand).map(namespaced);
        break;
      case 'fqdn':
        names = pick(clusterIP, n, rand).map((s) => `${namespaced(s)}.svc.${zone}.`);
        break;
      case 'external': {
        const base = Math.floor(rand() * 1000);
        names = Array.from({ length: n }, (_, k) => externalHost(base + k));
        break;
      }
      case 'headless':
        names = pick(headless.length > 0 ? headless : clusterIP, n, rand).map(namespaced);
        break;
    }
    for (const name of names) lines.push(`${name} A`);
  });
  // interleave the kinds so every stretch of the cycled file has the mix's proportions
  return pick(lines, lines.length, rand);
}
