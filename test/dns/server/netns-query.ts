import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import type { DigResult } from './helpers.js';

/**
 * A query client living inside a namespace for the whole suite: one `ip netns exec` instead of one
 * per query, so tests stay fast on a loaded machine. It sends one UDP query per request (dns-packet,
 * RD set, like a stub resolver) and reports rcode, answers and the round trip it measured itself.
 */
const CHILD = `
const dgram = require('node:dgram');
const rl = require('node:readline').createInterface({ input: process.stdin });
// lines may arrive before the import resolves: listen at once, wait for the module per line
const loading = import(process.env.DNS_PACKET);
rl.on('line', (line) => {
  loading.then(({ default: packet }) => {
    const q = JSON.parse(line);
    const sock = dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 65535);
    const msg = packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: q.type, name: q.name }] });
    const done = (res) => { clearTimeout(timer); sock.close(); process.stdout.write(JSON.stringify({ seq: q.seq, ...res }) + '\\n'); };
    const timer = setTimeout(() => done({ status: 'TIMEOUT', answers: [], ms: q.timeoutMs }), q.timeoutMs);
    let t0;
    sock.on('message', (buf) => {
      const r = packet.decode(buf);
      if (r.id !== id) return;
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      done({ status: r.rcode, ms, answers: (r.answers || []).map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, data: a.data })) });
    });
    t0 = process.hrtime.bigint();
    sock.send(msg, q.port, q.server);
  });
});
`;

function present(type: string, data: unknown): string {
  const abs = (n: string) => (n.endsWith('.') ? n : `${n}.`);
  switch (type) {
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return abs(String(data));
    case 'SRV': {
      const d = data as { priority: number; weight: number; port: number; target: string };
      return `${d.priority} ${d.weight} ${d.port} ${abs(d.target)}`;
    }
    case 'TXT':
      return (data as { type: 'Buffer'; data: number[] }[]).map((b) => `"${Buffer.from(b.data).toString()}"`).join(' ');
    default:
      return String(data);
  }
}

export interface QueryClient {
  /** one UDP query to server:53; status is the rcode name or TIMEOUT */
  query(server: string, name: string, type?: string, timeoutMs?: number): Promise<DigResult>;
  close(): Promise<void>;
}

interface Reply {
  seq: number;
  status: string;
  ms: number;
  answers: { name: string; type: string; ttl: number; data: unknown }[];
}

export async function startQueryClient(netns: string): Promise<QueryClient> {
  const dnsPacket = pathToFileURL(createRequire(import.meta.url).resolve('dns-packet')).href;
  // stdin must stay open for requests, which spawnProcess (built for servers) does not offer
  const child = execa('ip', ['netns', 'exec', netns, process.execPath, '-e', CHILD], { env: { DNS_PACKET: dnsPacket }, stdin: 'pipe', stdout: 'pipe', stderr: 'inherit', buffer: false, reject: false });
  const waiting = new Map<number, (r: Reply) => void>();
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as Reply;
    waiting.get(r.seq)?.(r);
    waiting.delete(r.seq);
  });
  let seq = 0;
  return {
    query(server, name, type = 'A', timeoutMs = 3000) {
      const n = ++seq;
      return new Promise<DigResult>((resolve) => {
        waiting.set(n, (r) => {
          const abs = (x: string) => (x.endsWith('.') ? x : `${x}.`);
          const data = r.answers.map((a) => present(a.type, a.data));
          resolve({
            status: r.status,
            answers: r.answers.map((a, i) => `${abs(a.name)} IN ${a.type} ${data[i]}`),
            ttls: r.answers.map((a) => a.ttl),
            data,
            queryMs: r.ms,
          });
        });
        child.stdin!.write(`${JSON.stringify({ seq: n, server, port: 53, name, type, timeoutMs })}\n`);
      });
    },
    async close() {
      child.stdin!.end();
      await child;
    },
  };
}

/** `d.c.b.a.in-addr.arpa` for a PTR query. */
export function reverseQueryName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}
