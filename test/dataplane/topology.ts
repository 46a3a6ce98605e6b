import { run, spawnProcess } from '../../src/core/exec.js';
import { printed } from '../printed.js';

/**
 * A three-namespace stand-in for one node: client -> node (holds the proxy rules, forwards) ->
 * backend (one TCP server answering for every endpoint IP through an AnyIP local route). The
 * server replies with the local address the connection reached, so a client sees which
 * endpoint the DNAT picked; on HOLD_PORT it does so for every chunk of a connection it keeps open.
 */
export interface Topology {
  client: string;
  node: string;
  backend: string;
  down(): Promise<void>;
}

export const CLIENT_IP = '10.244.1.2';
export const ENDPOINT_RANGE = '10.244.64.0/18';
export const BACKEND_PORT = 8080;
/** a server that keeps each connection open and answers every chunk it reads with the endpoint reached */
export const HOLD_PORT = 8081;

const SERVER = `
const net = require('net');
let up = 0;
const ready = () => { if (++up === 2) console.log('ready'); };
net.createServer((s) => { s.on('error', () => {}); s.end(s.localAddress + '\\n'); }).listen(${BACKEND_PORT}, '0.0.0.0', ready);
net.createServer((s) => { s.on('error', () => {}); s.on('data', () => s.write(s.localAddress + '\\n')); }).listen(${HOLD_PORT}, '0.0.0.0', ready);
`;

/**
 * for each [host, port, n, talk]: n sequential connections, each counted by the first line it
 * reads (talk: write first, for HOLD_PORT); prints [{replies: {endpoint: count}, failures}]
 */
const CLIENT = `
const net = require('net');
const targets = JSON.parse(process.argv[1]);
const once = (host, port, talk, r) => new Promise((res) => {
  const s = net.connect({ host, port });
  let d = '';
  let done = false;
  const finish = (ok) => { if (done) return; done = true; clearTimeout(t); s.destroy(); if (ok) { const k = d.trim(); r.replies[k] = (r.replies[k] || 0) + 1; } else r.failures++; res(); };
  const t = setTimeout(() => finish(false), 1500);
  if (talk) s.on('connect', () => s.write('x'));
  s.on('data', (x) => { d += x; if (d.includes('\\n')) finish(true); });
  s.on('end', () => finish(d !== ''));
  s.on('error', () => finish(false));
});
(async () => {
  const out = [];
  for (const [host, port, n, talk] of targets) { const r = { replies: {}, failures: 0 }; for (let i = 0; i < n; i++) await once(host, port, talk, r); out.push(r); }
  console.log(JSON.stringify(out));
})();
`;

async function sh(args: string[], netns?: string): Promise<void> {
  await run(args[0]!, args.slice(1), { netns });
}

export async function createTopology(tag: string): Promise<Topology> {
  const client = `disco-tdp${tag}-c`;
  const node = `disco-tdp${tag}-n`;
  const backend = `disco-tdp${tag}-b`;
  const vc = `tdp${tag}c`.slice(0, 15);
  const vb = `tdp${tag}b`.slice(0, 15);
  let server: ReturnType<typeof spawnProcess> | undefined;
  const down = async (): Promise<void> => {
    if (server?.pid) {
      try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    for (const ns of [client, node, backend]) await run('ip', ['netns', 'del', ns], { reject: false });
  };
  try {
    for (const ns of [client, node, backend]) {
      await sh(['ip', 'netns', 'add', ns]);
      await sh(['ip', 'link', 'set', 'lo', 'up'], ns);
    }
    await sh(['ip', 'link', 'add', vc, 'netns', client, 'type', 'veth', 'peer', 'name', `${vc}p`, 'netns', node]);
    await sh(['ip', 'link', 'add', vb, 'netns', backend, 'type', 'veth', 'peer', 'name', `${vb}p`, 'netns', node]);
    await sh(['ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', vc], client);
    await sh(['ip', 'link', 'set', vc, 'up'], client);
    await sh(['ip', 'route', 'add', 'default', 'via', '10.244.1.1'], client);
    await sh(['ip', 'addr', 'add', '10.244.1.1/24', 'dev', `${vc}p`], node);
    await sh(['ip', 'addr', 'add', '10.244.2.1/24', 'dev', `${vb}p`], node);
    await sh(['ip', 'link', 'set', `${vc}p`, 'up'], node);
    await sh(['ip', 'link', 'set', `${vb}p`, 'up'], node);
    await sh(['ip', 'route', 'add', ENDPOINT_RANGE, 'via', '10.244.2.2'], node);
    await sh(['sysctl', '-qw', 'net.ipv4.ip_forward=1'], node);
    await sh(['ip', 'addr', 'add', '10.244.2.2/24', 'dev', vb], backend);
    await sh(['ip', 'link', 'set', vb, 'up'], backend);
    await sh(['ip', 'route', 'add', 'default', 'via', '10.244.2.1'], backend);
    await sh(['ip', 'route', 'add', 'local', ENDPOINT_RANGE, 'dev', 'lo'], backend);
    server = spawnProcess(process.execPath, ['-e', SERVER], { netns: backend });
    await printed(server, 'ready', 'backend server');
    return { client, node, backend, down };
  } catch (err) {
    await down();
    throw err;
  }
}

export interface Probe {
  replies: Record<string, number>;
  failures: number;
}

/** Sequential TCP connections from the client namespace, one client process for all targets. */
export async function probe(topo: Topology, targets: [ip: string, port: number, n: number, talk?: boolean][]): Promise<Probe[]> {
  const res = await run(process.execPath, ['-e', CLIENT, JSON.stringify(targets)], { netns: topo.client, timeoutMs: 60_000 });
  return JSON.parse(res.stdout) as Probe[];
}

/** one connection kept open: writes every 200 ms, prints each answer (the endpoint); SIGTERM resets it */
const HOLD = `
const net = require('net');
const [host, port] = JSON.parse(process.argv[1]);
const s = net.connect({ host, port });
let buf = '';
s.on('connect', () => setInterval(() => s.write('x'), 200));
s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { console.log(buf.slice(0, i)); buf = buf.slice(i + 1); } });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
s.on('close', () => { console.log('closed'); process.exit(0); });
process.on('SIGTERM', () => { s.resetAndDestroy(); setTimeout(() => process.exit(0), 100); });
`;

export interface Held {
  /** every answer so far, in order: the endpoint each reached, or "error CODE" / "closed" */
  answers: string[];
  /** resets the connection (RST) and waits for the client to exit */
  reset(): Promise<void>;
}

/** A keep-alive connection from the client namespace to ip:port, answered on HOLD_PORT. */
export async function hold(topo: Topology, ip: string, port: number): Promise<Held> {
  const child = spawnProcess(process.execPath, ['-e', HOLD, JSON.stringify([ip, port])], { netns: topo.client });
  const answers: string[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    answers.push(...lines);
  });
  const deadline = Date.now() + 10_000;
  while (answers.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return {
    answers,
    reset: async () => {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      await child;
    },
  };
}
