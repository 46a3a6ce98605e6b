import { run, spawnProcess } from '../../src/core/exec.js';

/**
 * A three-namespace stand-in for one node: client -> node (holds the proxy rules, forwards) ->
 * backend (one TCP server answering for every endpoint IP through an AnyIP local route). The
 * server replies with the local address the connection reached, so a client sees which
 * endpoint the DNAT picked.
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

const SERVER = `
const net = require('net');
net.createServer((s) => { s.on('error', () => {}); s.end(s.localAddress + '\\n'); }).listen(${BACKEND_PORT}, '0.0.0.0', () => console.log('ready'));
`;

/** for each [host, port, n]: n sequential connections; prints [{replies: {endpoint: count}, failures}] */
const CLIENT = `
const net = require('net');
const targets = JSON.parse(process.argv[1]);
const once = (host, port, r) => new Promise((res) => {
  const s = net.connect({ host, port });
  let d = '';
  const t = setTimeout(() => { r.failures++; s.destroy(); res(); }, 1500);
  s.on('data', (x) => { d += x; });
  s.on('end', () => { clearTimeout(t); const k = d.trim(); r.replies[k] = (r.replies[k] || 0) + 1; res(); });
  s.on('error', () => { clearTimeout(t); r.failures++; res(); });
});
(async () => {
  const out = [];
  for (const [host, port, n] of targets) { const r = { replies: {}, failures: 0 }; for (let i = 0; i < n; i++) await once(host, port, r); out.push(r); }
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
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('backend server did not start')), 20_000);
      server!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(); } });
      server!.on?.('error', reject);
    });
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
export async function probe(topo: Topology, targets: [ip: string, port: number, n: number][]): Promise<Probe[]> {
  const res = await run(process.execPath, ['-e', CLIENT, JSON.stringify(targets)], { netns: topo.client, timeoutMs: 60_000 });
  return JSON.parse(res.stdout) as Probe[];
}
