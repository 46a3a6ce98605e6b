import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, spawnProcess } from '../../../src/core/exec.js';

/**
 * A real Unbound for the agent tests, serving local data from a generated config in a test
 * namespace (foreground, pid kept), with a unix control socket so tests read its query counters.
 */
export interface TestUnbound {
  conf: string;
  proc: ReturnType<typeof spawnProcess>;
  stop(): void;
  queries(): Promise<number>;
}

export async function startUnbound(netns: string, ip: string, dir: string, records: Record<string, string[]>, zones: string[]): Promise<TestUnbound> {
  const conf = join(dir, 'unbound.conf');
  const lines = [
    'server:',
    `  interface: ${ip}`, '  port: 53', '  do-ip6: no', '  do-daemonize: no', '  use-syslog: no', '  logfile: ""',
    '  username: ""', '  chroot: ""', `  directory: "${dir}"`, `  pidfile: "${join(dir, 'unbound.pid')}"`,
    '  access-control: 0.0.0.0/0 allow', '  num-threads: 1', '  verbosity: 0', '  do-not-query-localhost: yes',
    '  so-rcvbuf: 4m', '  so-sndbuf: 4m', '  msg-cache-size: 64m', '  rrset-cache-size: 64m',
    ...zones.map((z) => `  local-zone: "${z}." static`),
    ...Object.entries(records).flatMap(([name, ips]) => ips.map((a) => `  local-data: "${name}. 30 IN ${a.includes(':') ? 'AAAA' : 'A'} ${a}"`)),
    'remote-control:', '  control-enable: yes', `  control-interface: "${join(dir, 'ctl.sock')}"`, '  control-use-cert: no',
  ];
  writeFileSync(conf, lines.join('\n') + '\n');
  const proc = spawnProcess('unbound', ['-d', '-c', conf], { netns });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const queries = async () => {
    const res = await run('unbound-control', ['-c', conf, 'stats_noreset'], { netns });
    const m = /^total\.num\.queries=(\d+)$/m.exec(res.stdout);
    return m ? Number(m[1]) : NaN;
  };
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    if (proc.exitCode !== null) throw new Error(`unbound exited: ${stderr}`);
    try {
      await queries();
      break;
    } catch { /* not up yet */ }
  }
  return {
    conf,
    proc,
    queries,
    stop: () => { if (proc.pid) try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ } },
  };
}
