import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';

/**
 * Stand-in for the internet's DNS, run in a namespace of ours so nothing ever reaches the host's
 * resolver: authoritative for one zone (example.com: the external names of the DNS mix and the
 * ExternalName targets), with an optional reply delay so external lookups cost a round trip to
 * the internet. Answers after a timer, so the delay does not limit throughput.
 */

/** TTL of api-<x> answers; the caches in front cap it at 30 s anyway, as CoreDNS's cache does. */
export const UPSTREAM_TTL = 60;
/** SOA minimum: how long NXDOMAIN/NODATA may be cached downstream. */
export const UPSTREAM_NEGATIVE_TTL = 30;

const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5, FORMERR: 1 } as const;
const DOC_NETS = ['203.0.113', '198.51.100', '192.0.2'];

/** Address of api-<x>: one of the 762 documentation addresses (RFC 5737), distinct for x < 762. */
export function upstreamAddress(x: number): string {
  const i = ((x % 762) + 762) % 762;
  return `${DOC_NETS[Math.floor(i / 254)]}.${(i % 254) + 1}`;
}

function soa(zone: string): packet.Answer {
  return {
    name: zone,
    type: 'SOA',
    ttl: UPSTREAM_NEGATIVE_TTL,
    data: { mname: `ns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: UPSTREAM_NEGATIVE_TTL },
  } as packet.Answer;
}

/** The reply to one query (pure, for tests): A for api-<x>.<zone>, NODATA for its other types, NXDOMAIN elsewhere in the zone, REFUSED outside. */
export function upstreamAnswer(query: packet.Packet, zone: string): packet.Packet {
  const z = zone.toLowerCase().replace(/\.$/, '');
  const q = query.questions?.[0];
  const reply: packet.Packet = { id: query.id ?? 0, type: 'response', flags: packet.AUTHORITATIVE_ANSWER, questions: query.questions ?? [], answers: [], authorities: [] };
  const rd = (query.flags ?? 0) & packet.RECURSION_DESIRED;
  reply.flags = (reply.flags ?? 0) | rd;
  if (!q) return { ...reply, flags: RCODE.FORMERR };
  const name = q.name.toLowerCase().replace(/\.$/, '');
  if (name !== z && !name.endsWith(`.${z}`)) return { ...reply, flags: rd | RCODE.REFUSED };
  const m = /^api-(\d+)$/.exec(name.slice(0, -(z.length + 1)));
  if (m && (q.class ?? 'IN') === 'IN') {
    if (q.type === 'A') reply.answers = [{ name: q.name, type: 'A', ttl: UPSTREAM_TTL, data: upstreamAddress(Number(m[1])) }];
    else reply.authorities = [soa(z)];
    return reply;
  }
  if (name === z) {
    if (q.type === 'SOA') reply.answers = [soa(z)];
    else if (q.type === 'NS') reply.answers = [{ name: z, type: 'NS', ttl: UPSTREAM_TTL, data: `ns.${z}` }];
    else reply.authorities = [soa(z)];
    return reply;
  }
  reply.authorities = [soa(z)];
  reply.flags = (reply.flags ?? 0) | RCODE.NXDOMAIN;
  return reply;
}

export interface UpstreamServer {
  close(): Promise<void>;
  /** queries received so far (UDP and TCP) */
  queries(): number;
  /** the bound port (useful with port 0) */
  port: number;
}

export interface UpstreamOptions {
  host: string;
  port: number;
  zone: string;
  delayMs: number;
}

function reply(buf: Buffer, zone: string): Buffer | undefined {
  let query: packet.Packet;
  try {
    query = packet.decode(buf);
  } catch {
    return undefined;
  }
  if (query.type === 'response') return undefined;
  return packet.encode(upstreamAnswer(query, zone));
}

function later(delayMs: number, fn: () => void): void {
  if (delayMs > 0) setTimeout(fn, delayMs);
  else fn();
}

/** Binds UDP and TCP on host:port (the same port; port 0 picks a free one for both). */
export async function startUpstreamServer(opts: UpstreamOptions): Promise<UpstreamServer> {
  let count = 0;
  const conns = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    conns.add(sock);
    sock.on('close', () => conns.delete(sock));
    let pending = Buffer.alloc(0);
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2) {
        const len = pending.readUInt16BE(0);
        if (pending.length < 2 + len) break;
        const msg = pending.subarray(2, 2 + len);
        pending = pending.subarray(2 + len);
        count++;
        const out = reply(msg, opts.zone);
        if (!out) continue;
        later(opts.delayMs, () => {
          if (sock.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          sock.write(Buffer.concat([head, out]));
        });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen({ host: opts.host, port: opts.port }, () => resolve());
  });
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  udp.on('message', (msg, rinfo) => {
    count++;
    const out = reply(msg, opts.zone);
    if (out) later(opts.delayMs, () => udp.send(out, rinfo.port, rinfo.address));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(port, opts.host, () => resolve());
    });
  } catch (err) {
    tcp.close();
    throw err;
  }
  udp.on('error', () => undefined);
  return {
    port,
    queries: () => count,
    async close() {
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => {
        tcp.close(() => r());
        // resolvers keep TCP connections open; close() alone would wait for them
        for (const c of conns) c.destroy();
      });
    },
  };
}
