import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../../core/exec.js';
import { startServerProcess, type ServerProcess } from './process.js';
import { scaled } from '../../core/time-scale.js';

export interface UpstreamProcessOptions {
  netns?: string;
  /** IP:PORT to bind (UDP and TCP) */
  listen: string;
  zone: string;
  delayMs: number;
  /**
   * how to run the discobench CLI; default: this Node running dist/src/cli/main.js. The
   * `serve-upstream` subcommand and its flags are appended.
   */
  cli?: string[];
  readyTimeoutMs?: number;
}

/** The discobench CLI this module belongs to. */
export function defaultCli(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../cli/main.js', import.meta.url))];
}

/**
 * The `serve-upstream` arguments for a listen address, zone and delay: one definition for the
 * local provider's process and the kind provider's pod, so both see the same upstream.
 */
export function serveUpstreamArgs(o: Pick<UpstreamProcessOptions, 'listen' | 'zone' | 'delayMs'>): string[] {
  return ['serve-upstream', '--listen', o.listen, '--zone', o.zone, '--delay', `${Math.round(o.delayMs)}ms`];
}

/**
 * Runs the upstream stand-in as its own process inside the upstream namespace (a socket bound by
 * this process would live in our namespace, not theirs), and resolves once it printed "ready".
 * Its pid is the server's own (ip netns exec execs node), for CPU sampling.
 */
export async function startUpstreamProcess(o: UpstreamProcessOptions): Promise<ServerProcess> {
  const [file, ...pre] = o.cli ?? defaultCli();
  const args = [...pre, ...serveUpstreamArgs(o)];
  const proc = startServerProcess('serve-upstream', spawnProcess(file!, args, { netns: o.netns }));
  try {
    await proc.waitForLine(/^ready$/, o.readyTimeoutMs ?? scaled(10_000));
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}
