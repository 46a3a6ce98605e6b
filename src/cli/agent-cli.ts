import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { AgentOutput } from '../metrics/agent-output.js';

/** Reads a file named by a flag, or a UsageError naming the flag. */
export function readFlagFile(flag: string, path: string, hint: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${(err as Error).message}`, hint);
  }
}

/**
 * Runs an agent until it ends or Ctrl-C / a runner's SIGTERM aborts it, then prints what it
 * measured: one JSON line (the agent output contract) or a human summary.
 */
export async function runAgentCli<O extends AgentOutput>(agent: (signal: AbortSignal) => Promise<O>, json: boolean, summary: (out: O) => string): Promise<void> {
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const out = await agent(ac.signal);
    process.stdout.write(json ? `${JSON.stringify(out)}\n` : `${summary(out)}\n`);
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
