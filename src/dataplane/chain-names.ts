import * as crypto from 'node:crypto';

/** one-shot crypto.hash (Node >= 20.12) is several times faster than createHash for short names */
const sha256: (text: string) => Buffer =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'buffer')
    : (text) => crypto.createHash('sha256').update(text).digest();

/**
 * kube-proxy's chain names. iptables chain names must stay <= 28 characters, so kube-proxy names
 * per-service chains by a hash: base32(sha256(...)) truncated. Matching them exactly lets a reader
 * compare our rulesets with a real node's `iptables-save` / `nft list ruleset` line by line.
 */

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (Go's base32.StdEncoding) of the first `chars * 5 / 8` bytes; chars is a multiple of 8. */
function base32Prefix(digest: Buffer, chars: number): string {
  let out = '';
  for (let i = 0; out.length < chars; i += 5) {
    // 5 bytes -> 8 symbols; 40 bits fit a double exactly
    const v = digest[i]! * 2 ** 32 + ((digest[i + 1]! << 24) >>> 0) + (digest[i + 2]! << 16) + (digest[i + 3]! << 8) + digest[i + 4]!;
    for (let k = 7; k >= 0; k--) out += B32[Math.floor(v / 2 ** (5 * k)) % 32];
  }
  return out;
}

function hash(text: string, chars: number): string {
  return base32Prefix(sha256(text), chars);
}

/** proxy.ServicePortName.String(): "ns/name:portName", or "ns/name" for an unnamed port. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** The 16-character hash kube-proxy puts after KUBE-SVC-/KUBE-SVL-/KUBE-EXT-/KUBE-FW-. */
export function portProtoHash(svcPortName: string, protocol: string): string {
  return hash(svcPortName + protocol.toLowerCase(), 16);
}

export function svcChain(svcPortName: string, protocol: string): string {
  return `KUBE-SVC-${portProtoHash(svcPortName, protocol)}`;
}

/** KUBE-SEP- hashes the service port name, protocol and "ip:port" of the endpoint. */
export function sepChain(svcPortName: string, protocol: string, endpoint: string): string {
  return `KUBE-SEP-${hash(svcPortName + protocol.toLowerCase() + endpoint, 16)}`;
}

/** nftables: "<H8>-name" where H8 hashes the name itself (knftables names stay readable and unique). */
function hashAndTruncate(name: string): string {
  const full = `${hash(name, 8)}-${name}`;
  // knftables.NameLengthMax (256) minus the longest prefix (16)
  return full.length > 240 ? `${full.slice(0, 237)}...` : full;
}

/** "service-<H8>-ns/svc/tcp/port" */
export function nftServiceChain(namespace: string, name: string, protocol: string, portName: string): string {
  return `service-${hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}`)}`;
}

/** "endpoint-<H8>-ns/svc/tcp/port__ip/port" */
export function nftEndpointChain(namespace: string, name: string, protocol: string, portName: string, ip: string, port: number): string {
  return `endpoint-${hashAndTruncate(`${namespace}/${name}/${protocol.toLowerCase()}/${portName}__${ip.replaceAll(':', '.')}/${port}`)}`;
}
