import { fileURLToPath } from 'node:url';
import { run } from '../../../src/core/exec.js';
import type { ServerProcess } from '../../../src/dns/server/process.js';
import { startUpstreamProcess, type UpstreamProcessOptions } from '../../../src/dns/server/upstream-process.js';

/** A test network namespace with lo up and the given addresses on lo. */
export async function makeNetns(name: string, addrs: string[]): Promise<void> {
  await run('ip', ['netns', 'del', name], { reject: false });
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  for (const a of addrs) await run('ip', ['-n', name, 'addr', 'add', `${a}/32`, 'dev', 'lo']);
}

export async function delNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'del', name], { reject: false });
}

export interface DigResult {
  status: string;
  /** answer section lines without the TTL (answers from cache count it down): "name IN TYPE rdata" */
  answers: string[];
  ttls: number[];
  /** rdata of the answers, in order */
  data: string[];
  queryMs: number;
}

/** One query with dig inside the namespace (+tries=1: a lost reply fails the test instead of retrying). */
export async function dig(netns: string, server: string, args: string[]): Promise<DigResult> {
  const res = await run('dig', ['+tries=1', '+time=3', '+nocmd', '+noall', '+comments', '+answer', '+stats', `@${server}`, ...args], { netns });
  const status = /status: ([A-Z]+)/.exec(res.stdout)?.[1] ?? 'NONE';
  const queryMs = Number(/Query time: (\d+) msec/.exec(res.stdout)?.[1] ?? NaN);
  const answers = res.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith(';'))
    .map((l) => l.trim().split(/\s+/).join(' '));
  const fields = answers.map((a) => a.split(' '));
  return {
    status,
    answers: fields.map((f) => [f[0], ...f.slice(2)].join(' ')),
    ttls: fields.map((f) => Number(f[1])),
    data: fields.map((f) => f.slice(4).join(' ')),
    queryMs,
  };
}

/**
 * Starts `discobench serve-upstream` through startUpstreamProcess, with a CLI made of the command
 * function alone (the program's main is wired elsewhere): argv[0] after `--` is the subcommand name.
 */
export async function startUpstreamCli(netns: string, o: Omit<UpstreamProcessOptions, 'netns' | 'cli'>): Promise<ServerProcess> {
  const mod = fileURLToPath(new URL('../../../src/cli/commands/serve-upstream.js', import.meta.url));
  const code = `import(${JSON.stringify(mod)}).then((m) => m.serveUpstreamCommand().parseAsync(process.argv.slice(2), { from: 'user' })).catch((e) => { console.error(e.message); process.exit(1); })`;
  return startUpstreamProcess({ ...o, netns, cli: [process.execPath, '-e', code, '--'] });
}
