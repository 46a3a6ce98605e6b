/** Address plan shared by every provider (kubeadm's defaults, which contain kind's). */
export const SERVICE_CIDR = '10.96.0.0/12';
export const POD_CIDR = '10.244.0.0/16';
export const KUBE_DNS_IP = '10.96.0.10';
/**
 * NodeLocal DNSCache's kube-dns-upstream Service, pinned in the static band next to kube-dns:
 * left to dynamic allocation it lands anywhere in the upper band, where generated Services live.
 */
export const KUBE_DNS_UPSTREAM_IP = '10.96.0.11';
export const NODE_LOCAL_DNS_IP = '169.254.20.10';
export const CLUSTER_DOMAIN = 'cluster.local';
/** Endpoint addresses of generated Services: 10.244.64.0/18 (16k addresses) */
export const ENDPOINT_POOL_BASE = '10.244.64.0';
export const ENDPOINT_POOL_SIZE = 16384;

export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function addIp(ip: string, k: number): string {
  return intToIp(ipToInt(ip) + k);
}

export function parseCidr(cidr: string): { base: number; bits: number; size: number } {
  const [ip, b] = cidr.split('/');
  const bits = Number(b);
  if (!ip || !Number.isInteger(bits) || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const size = 2 ** (32 - bits);
  return { base: ipToInt(ip) - (ipToInt(ip) % size), bits, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const c = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= c.base && n < c.base + c.size;
}

/**
 * KEP-3070: kube-apiserver allocates dynamic ClusterIPs from the upper part of the Service range
 * while it has room, so addresses below an offset are safe to pin. The offset is
 * min(max(16, size/16), 256), 0 for ranges of 16 addresses or fewer (calculateRangeOffset in
 * pkg/registry/core/service/ipallocator), counted from the first usable address (network + 1).
 * For 10.96.0.0/12 and kind's 10.96.0.0/16 that is 10.96.0.1 .. 10.96.1.0: far too few for
 * thousands of Services, so only our fixed infrastructure addresses live there and generated
 * Services skip whatever the cluster already allocated (GeneratedAddresses).
 */
export function staticBand(cidr: string): { first: string; last: string; size: number } {
  const { base, size } = parseCidr(cidr);
  const offset = size <= 16 ? 0 : Math.min(Math.max(16, Math.floor(size / 16)), 256);
  return { first: intToIp(base + 1), last: intToIp(base + offset), size: offset };
}

export function inStaticBand(cidr: string, ip: string): boolean {
  const band = staticBand(cidr);
  const n = ipToInt(ip);
  return band.size > 0 && n >= ipToInt(band.first) && n <= ipToInt(band.last);
}

/** First ClusterIP of the generated Services (the static band's last address; all after it are dynamic). */
export const GENERATED_BASE = '10.96.1.0';

/**
 * ClusterIPs of generated Services: 10.96.1.0 upwards, skipping the addresses the cluster had
 * already allocated to Services not ours (a real cluster's dynamic Services live in the same
 * upper band; pinning over one fails with 422 "provided IP is already allocated"). Index i
 * always maps to the same address for the same taken set, so churn's Services and the initial
 * ones never overlap.
 */
export class GeneratedAddresses {
  private readonly taken: number[];

  constructor(taken: Iterable<string> = []) {
    const base = ipToInt(GENERATED_BASE);
    this.taken = [...new Set([...taken].filter((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)).map(ipToInt))].filter((n) => n >= base).sort((a, b) => a - b);
  }

  ip(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= 1_000_000) throw new Error(`service index out of range: ${i}`);
    let n = ipToInt(GENERATED_BASE) + i;
    // the k-th free address: every taken address at or below the candidate pushes it up by one
    for (const t of this.taken) {
      if (t <= n) n++;
      else break;
    }
    return intToIp(n);
  }
}

const NO_TAKEN = new GeneratedAddresses();

/** ClusterIP of generated Service i on a cluster holding no other Services in the upper band. */
export function serviceIP(i: number, addresses: GeneratedAddresses = NO_TAKEN): string {
  return addresses.ip(i);
}

export function endpointIP(k: number): string {
  return addIp(ENDPOINT_POOL_BASE, k % ENDPOINT_POOL_SIZE);
}
