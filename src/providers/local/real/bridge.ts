import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

function pipeBoth(a: Socket, b: Socket): void {
  a.pipe(b);
  b.pipe(a);
  const end = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', end);
  b.on('error', end);
  a.on('close', end);
  b.on('close', end);
}

/**
 * The API server lives in the node namespace. The harness reaches it without linking that
 * namespace to the host: a process in the node namespace accepts on a Unix socket in the run's
 * work dir and connects to the API server's TCP port there (serveUnixToTcp); the harness listens
 * on 127.0.0.1 of its own namespace and hands each connection to that socket (loopbackToUnix).
 * TLS runs end to end through both; no address or route of the host changes.
 */
export function serveUnixToTcp(path: string, host: string, port: number): Promise<Server> {
  rmSync(path, { force: true });
  const server = createServer((client) => pipeBoth(client, createConnection({ host, port })));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

export interface LoopbackBridge {
  port: number;
  close(): Promise<void>;
}

export function loopbackToUnix(path: string): Promise<LoopbackBridge> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    pipeBoth(client, createConnection({ path }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      resolve({
        port,
        close: () => new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}
