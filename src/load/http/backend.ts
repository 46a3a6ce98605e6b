import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { haveTool, run } from '../../core/exec.js';
import { MeasurementError, PrerequisiteError } from '../../core/errors.js';
import { scaled } from '../../core/time-scale.js';

/** Where the backend reports nginx's counters (stub_status). */
export const STATUS_PATH = '/discobench-status';

export interface BackendOptions {
  port: number;
  /** nginx worker processes; one per core the backend namespace may use */
  workers: number;
}

/**
 * The HTTP server behind every endpoint of a backend namespace. The namespace holds its endpoint
 * IPs through an AnyIP route (`ip route add local 10.244.64.0/18 dev lo`), so one nginx bound to
 * 0.0.0.0 answers for all of them; the body names $server_addr so a client can tell which
 * endpoint the proxy picked. nginx rather than a Node server because the backend must never be
 * the bottleneck of an HTTP measurement: it is there to make the data plane's cost visible.
 */
export function renderNginxConf(dir: string, opts: BackendOptions): string {
  const p = (name: string) => join(dir, name);
  return `# discobench HTTP backend (generated)
daemon off;
master_process on;
worker_processes ${opts.workers};
worker_rlimit_nofile 200000;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;

events {
  # many keep-alive connections from the agents plus sockets lingering after no-keep-alive runs
  worker_connections 65536;
  multi_accept on;
  use epoll;
}

http {
  access_log off;
  server_tokens off;
  client_body_temp_path ${p('tmp/body')};
  proxy_temp_path ${p('tmp/proxy')};
  fastcgi_temp_path ${p('tmp/fastcgi')};
  uwsgi_temp_path ${p('tmp/uwsgi')};
  scgi_temp_path ${p('tmp/scgi')};
  # keep-alive connections live for the whole run: a reconnect would measure the rule walk again
  keepalive_timeout 300s;
  keepalive_requests 100000000;
  tcp_nodelay on;
  # a closed connection is gone at once, so no-keep-alive runs do not pile up sockets
  lingering_close off;
  reset_timedout_connection on;

  server {
    # one listening socket per worker: the kernel spreads connections without an accept mutex
    listen ${opts.port} reuseport backlog=65535;
    # accepted connections and requests of this backend: tests and the provider read them
    location = ${STATUS_PATH} {
      stub_status;
    }
    location / {
      default_type text/plain;
      return 200 "discobench $server_addr\\n";
    }
  }
}
`;
}

/**
 * Writes nginx.conf (pid, logs and temp paths all inside dir) and returns the command that starts
 * nginx in the foreground; the caller runs it in the backend namespace and owns its life.
 */
export async function prepareBackend(dir: string, opts: BackendOptions): Promise<{ file: string; args: string[] }> {
  if (!(await haveTool('nginx'))) {
    throw new PrerequisiteError('nginx not found (the local provider serves HTTP backends with it)', 'install it: apt-get install nginx-light (or run: npm run setup)');
  }
  const abs = resolve(dir);
  await mkdir(join(abs, 'tmp'), { recursive: true });
  const conf = join(abs, 'nginx.conf');
  await writeFile(conf, renderNginxConf(abs, opts));
  // -e: the error log before the config is read, so nginx never touches /var/log/nginx
  return { file: 'nginx', args: ['-c', conf, '-p', abs, '-e', join(abs, 'error.log')] };
}

export interface BackendStatus {
  active: number;
  accepts: number;
  handled: number;
  requests: number;
}

/** Parses stub_status ("Active connections: 1 / server accepts handled requests / 5 5 9 / ..."). */
export function parseBackendStatus(text: string): BackendStatus {
  const active = /Active connections:\s*(\d+)/.exec(text);
  const counts = /\n\s*(\d+)\s+(\d+)\s+(\d+)\s*\n/.exec(text);
  if (!active || !counts) throw new MeasurementError(`not an nginx stub_status page: ${text.slice(0, 200)}`);
  return { active: Number(active[1]), accepts: Number(counts[1]), handled: Number(counts[2]), requests: Number(counts[3]) };
}

/**
 * GETs each URL in order from inside netns (one short-lived node process for all of them) and
 * returns the bodies; for checks and tests, not for load.
 */
export async function fetchInNetns(netns: string, urls: readonly string[]): Promise<string[]> {
  const script = `(async () => { const out = []; for (const u of JSON.parse(process.argv[1])) out.push(await (await fetch(u)).text()); process.stdout.write(JSON.stringify(out)); })().catch((e) => { console.error(String(e)); process.exit(1); })`;
  const res = await run(process.execPath, ['-e', script, JSON.stringify(urls)], { netns, timeoutMs: scaled(20_000) });
  return JSON.parse(res.stdout) as string[];
}
