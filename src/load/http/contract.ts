import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { checkOutput, flagPairs, type AgentArg, type AgentOutputOf, type ReadFlagFile } from '../agent-contract.js';
import type { AgentOutput } from '../../metrics/agent-output.js';
import { durationFlag, intFlag, msArg, rateFlag } from '../flags.js';
import { parseTargets, type Target } from '../targets.js';

/**
 * The HTTP agent's contract: its options and their defaults, the arguments a caller writes
 * (toArgs), what `discobench agent http` makes of them (fromFlags), and the info it prints.
 */

export const HTTP_AGENT_DEFAULTS = {
  durationMs: 10_000,
  connections: 16,
  keepAlive: true,
  pipelining: 1,
  /** requests per second over the agent; 0 = as fast as possible */
  rate: 0,
  workers: 1,
  timeoutMs: 5000,
  path: '/',
  /** trace mode: pause between two requests on one connection */
  intervalMs: 20,
} as const;

export interface HttpAgentOptions {
  targets: Target[];
  durationMs: number;
  connections: number;
  keepAlive: boolean;
  pipelining: number;
  /** requests per second over the whole agent; 0 = as fast as possible */
  rate: number;
  /** worker threads; 1 runs in this thread */
  workers: number;
  timeoutMs: number;
  path?: string;
  /**
   * Trace mode (load/http/trace.ts): paced requests, each classified and attributed to the
   * endpoint that answered, counted in 100 ms bins; connections are then per target.
   */
  trace?: { intervalMs: number };
}

/** What a caller asks of the HTTP agent; the targets file is an AgentArg. Unset fields take the defaults. */
export interface HttpAgentRequest {
  targets: AgentArg;
  durationMs?: number;
  connections?: number;
  keepAlive?: boolean;
  pipelining?: number;
  rate?: number;
  workers?: number;
  timeoutMs?: number;
  path?: string;
  /** trace mode with this pause between two requests on a connection (connections are per target) */
  trace?: { intervalMs?: number };
}

/** The flags as commander hands them over; defaults are applied by fromFlags. */
export interface HttpAgentFlags {
  targets: string;
  duration?: string;
  connections?: string;
  /** false with --no-keep-alive */
  keepAlive?: boolean;
  pipelining?: string;
  rate?: string;
  workers?: string;
  timeout?: string;
  path?: string;
  trace?: boolean;
  interval?: string;
  json?: boolean;
}

/** The command line for a request: every value explicit. */
export function httpAgentArgs(r: HttpAgentRequest): AgentArg[] {
  const d = HTTP_AGENT_DEFAULTS;
  return [
    ...flagPairs([
      ['--targets', r.targets],
      ['--duration', msArg(r.durationMs ?? d.durationMs)],
      ['--connections', String(r.connections ?? d.connections)],
      ['--pipelining', String(r.pipelining ?? d.pipelining)],
      ['--workers', String(r.workers ?? d.workers)],
      ['--rate', String(r.rate ?? d.rate)],
      ['--timeout', msArg(r.timeoutMs ?? d.timeoutMs)],
      ['--path', r.path ?? d.path],
    ]),
    ...((r.keepAlive ?? d.keepAlive) ? [] : ['--no-keep-alive']),
    ...(r.trace ? ['--trace', '--interval', msArg(r.trace.intervalMs ?? d.intervalMs)] : []),
    '--json',
  ];
}

/** The agent's options from its flags: defaults applied, the targets file read. */
export function httpAgentFromFlags(f: HttpAgentFlags, read: ReadFlagFile): HttpAgentOptions {
  const d = HTTP_AGENT_DEFAULTS;
  const path = f.path ?? d.path;
  if (!path.startsWith('/')) throw new UsageError(`--path: must start with / (got ${JSON.stringify(path)})`, 'for example --path /');
  if (f.interval !== undefined && !f.trace) throw new UsageError('--interval: only with --trace', 'add --trace, or drop --interval (use --rate for load)');
  return {
    targets: parseTargets(read('--targets', f.targets, 'give a file with one ip:port per line'), f.targets),
    durationMs: f.duration === undefined ? d.durationMs : durationFlag('--duration', f.duration),
    connections: f.connections === undefined ? d.connections : intFlag('--connections', f.connections, 1, 100_000),
    keepAlive: f.keepAlive ?? d.keepAlive,
    pipelining: f.pipelining === undefined ? d.pipelining : intFlag('--pipelining', f.pipelining, 1, 1024),
    rate: f.rate === undefined ? d.rate : rateFlag('--rate', f.rate),
    workers: f.workers === undefined ? d.workers : intFlag('--workers', f.workers, 1, 64),
    timeoutMs: f.timeout === undefined ? d.timeoutMs : durationFlag('--timeout', f.timeout),
    path,
    ...(f.trace ? { trace: { intervalMs: f.interval === undefined ? d.intervalMs : durationFlag('--interval', f.interval) } } : {}),
  };
}

/** What the HTTP agent reports besides its metrics; each error kind on its own. */
export const HttpAgentInfo = z.object({
  targets: z.number(),
  connections: z.number(),
  workers: z.number(),
  keepAlive: z.boolean(),
  pipelining: z.number(),
  rate: z.number(),
  elapsedMs: z.number(),
  responses: z.number(),
  ok: z.number(),
  non2xx: z.number(),
  connErrors: z.number(),
  timeouts: z.number(),
  connects: z.number(),
  /** CPU of the whole agent process (all threads) */
  cpuMs: z.number(),
  errorSamples: z.array(z.string()),
});
export type HttpAgentInfo = z.infer<typeof HttpAgentInfo>;
export type HttpAgentOutput = AgentOutputOf<'http', HttpAgentInfo>;

/** An HTTP agent's output as it came back from a namespace or pod, its info checked. */
export function readHttpOutput(out: AgentOutput): HttpAgentOutput {
  return checkOutput('http', HttpAgentInfo, out);
}

/** The trace mode's info (load/http/trace.ts): per target, its bins, answering endpoints and errors. */
export const HttpTraceInfo = z.object({
  mode: z.literal('trace'),
  targets: z.number(),
  connections: z.number(),
  keepAlive: z.boolean(),
  intervalMs: z.number(),
  requests: z.number(),
  elapsedMs: z.number(),
  cpuMs: z.number(),
  trace: z.object({
    binMs: z.number(),
    t0: z.number(),
    kinds: z.array(z.string()),
    targets: z.array(z.object({
      target: z.string(),
      bins: z.array(z.array(z.number())),
      endpoints: z.record(z.string(), z.object({ first: z.number(), last: z.number(), count: z.number() })),
      errors: z.array(z.tuple([z.number(), z.number()])),
    })),
    errorSamples: z.array(z.string()),
    agentStall: z.object({ totalMs: z.number(), longestMs: z.number(), extendedRequests: z.number() }).optional(),
  }),
});
export type HttpTraceInfo = z.infer<typeof HttpTraceInfo>;
export type HttpTraceOutput = AgentOutputOf<'http', HttpTraceInfo>;

/** A trace-mode HTTP agent's output, its info checked. */
export function readHttpTraceOutput(out: AgentOutput): HttpTraceOutput {
  return checkOutput('http', HttpTraceInfo, out);
}
