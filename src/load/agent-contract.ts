import type { z } from 'zod';
import { MeasurementError } from '../core/errors.js';
import type { AgentMetric, AgentOutput } from '../metrics/agent-output.js';

/**
 * What the three agent contracts (dns/contract.ts, http/contract.ts, connect/contract.ts) share.
 * Each contract holds its agent's options, their defaults, `toArgs` (what a workload or perf
 * puts on the command line) and `fromFlags` (what `discobench agent <kind>` makes of it), and
 * a schema of the `info` the agent prints, checked where the output comes back.
 */

/** One command-line argument: a literal, or {file: NAME}, which the provider replaces by the path where it put files[NAME]. */
export type AgentArg = string | { file: string };

/** Reads the file a flag names; the CLI's throws a UsageError naming the flag. */
export type ReadFlagFile = (flag: string, path: string, hint: string) => string;

/** An agent's output whose info matches its contract. */
export interface AgentOutputOf<A extends string, I> {
  agent: A;
  metrics: Record<string, AgentMetric>;
  info: I;
}

/**
 * The output of the agent named, its info checked against the contract's schema. An agent from
 * another build (an old image on an existing cluster) is named as such instead of yielding
 * undefined figures later.
 */
export function checkOutput<A extends string, S extends z.ZodType>(agent: A, schema: S, out: AgentOutput): AgentOutputOf<A, z.output<S>> {
  if (out.agent !== agent) throw new MeasurementError(`expected the ${agent} agent's output, got the ${out.agent} agent's`);
  const r = schema.safeParse(out.info);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `info.${i.path.join('.')}: ${i.message}`);
    throw new MeasurementError(`${agent} agent output does not match this build's contract: ${problems.join('; ')}`, 'the agent (its image, on kind or an existing cluster) and the harness must come from the same build', problems);
  }
  return { agent, metrics: out.metrics, info: r.data };
}

/** `--flag value` pairs for the values that are set, in the order given. */
export function flagPairs(pairs: ReadonlyArray<readonly [string, AgentArg | undefined]>): AgentArg[] {
  return pairs.flatMap(([flag, v]) => (v === undefined ? [] : [flag, v]));
}

/** The arguments as plain strings, for a caller that names files by path itself (perf, tests). */
export function literalArgs(args: readonly AgentArg[]): string[] {
  return args.map((a) => {
    if (typeof a !== 'string') throw new Error(`agent argument {file: ${a.file}} needs a provider to place the file`);
    return a;
  });
}
