import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { MeasurementError } from '../../core/errors.js';
import { scaled } from '../../core/time-scale.js';
import { parseAgentOutput, type AgentOutput } from '../../metrics/agent-output.js';
import type { AgentRequest } from '../provider.js';

/** The CLI entry point of this very build: agents are `discobench agent ...` in the client namespace. */
export const CLI_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/main.js');

let seq = 0;

/**
 * Runs an agent inside a client namespace, exactly as a kind Job would run it in a pod: the same
 * command line, files handed over by path, one JSON line back on stdout.
 */
export async function runLocalAgent(netns: string, workDir: string, req: AgentRequest): Promise<AgentOutput> {
  const dir = join(workDir, 'agents', `${++seq}-${req.agent}-c${req.client}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(req.files ?? {})) writeFileSync(join(dir, name), text);
  const args = req.args.map((a) => (typeof a === 'string' ? a : join(dir, a.file)));
  const child = execa('ip', ['netns', 'exec', netns, process.execPath, CLI_MAIN, 'agent', req.agent, ...args], {
    reject: false,
    timeout: req.timeoutMs,
    killSignal: 'SIGINT',
    // a stopped agent finishes its in-flight work and prints its result: seconds under emulation
    forceKillAfterDelay: scaled(5000),
    maxBuffer: 256 * 1024 * 1024,
  });
  const onAbort = () => child.kill('SIGINT');
  req.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await child;
    writeFileSync(join(dir, 'stderr.log'), String(res.stderr ?? ''));
    const stdout = String(res.stdout ?? '');
    try {
      return parseAgentOutput(stdout);
    } catch (err) {
      const why = res.timedOut ? `timed out after ${req.timeoutMs} ms` : `exit ${res.exitCode ?? res.signal}`;
      throw new MeasurementError(`agent ${req.agent} in ${netns} ${why}: ${String(res.stderr ?? '').trim().split('\n').slice(-2).join(' | ') || (err as Error).message}`);
    }
  } finally {
    req.signal?.removeEventListener('abort', onAbort);
  }
}
