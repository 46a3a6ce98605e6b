/** Address plan shared by every provider (kubeadm's defaults, which contain kind's). */
export const SERVICE_CIDR = '10.96.0.0/12';
export const POD_CIDR = '10.244.0.0/16';
export const KUBE_DNS_IP = '10.96.0.10';
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

/** ClusterIP of generated Service i: 10.96.1.0 upwards (10.96.0.x is left for kube-dns and friends). */
export function serviceIP(i: number): string {
  if (i < 0 || i >= 1_000_000) throw new Error(`service index out of range: ${i}`);
  return addIp('10.96.1.0', i);
}

export function endpointIP(k: number): string {
  return addIp(ENDPOINT_POOL_BASE, k % ENDPOINT_POOL_SIZE);
}
