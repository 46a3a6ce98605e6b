import { z } from 'zod';
import { UsageError } from '../../core/errors.js';
import { checkOutput, flagPairs, type AgentArg, type AgentOutputOf, type ReadFlagFile } from '../agent-contract.js';
import type { AgentOutput } from '../../metrics/agent-output.js';
import { durationFlag, intFlag, msArg } from '../flags.js';
import { parseTargets, type Target } from '../targets.js';
import { parseNamedTargets, type NamedTarget } from './named-targets.js';

/**
 * The TCP connect agent's contract: its options and their defaults, the arguments a caller
 * writes (toArgs), what `discobench agent connect` makes of them (fromFlags), and the info of
 * its three modes.
 */

export const CONNECT_AGENT_DEFAULTS = {
  probes: 1000,
  concurrency: 8,
  /** probe mode: one connect's limit; await mode: the overall limit */
  timeoutMs: 1000,
  /** await mode: a new attempt per target this often */
  intervalMs: 5,
  /** await mode: one attempt's limit; short, because a SYN dropped before the rule exists is retried only after 1 s */
  attemptTimeoutMs: 100,
  /**
   * await mode: 2000 attempts/s across the targets still unreached: 5 ms per target for up to
   * 10 targets, 15 ms for 30. Each attempt costs the agent CPU (a churn run with 30 targets at
   * 5 ms each saturated its event loop on a loaded 2-core node), and that CPU is taken from the
   * proxy being measured; info.maxAttemptGapMs reports the resolution actually achieved.
   */
  maxRate: 2000,
  /** resolve mode: how long to keep looking up and connecting */
  durationMs: 30_000,
  /** resolve mode: a new lookup + connection per target this often */
  resolveIntervalMs: 50,
  /** resolve mode: one connection's limit */
  resolveAttemptTimeoutMs: 1000,
} as const;

export interface ConnectAgentOptions {
  targets: readonly Target[];
  /** resolve mode: names looked up before every connection (then `targets` is empty) */
  named?: readonly NamedTarget[];
  /** resolve mode: how long to keep trying */
  durationMs?: number;
  /** probe mode: new connections in total */
  probes: number;
  /** probe mode: connections in flight */
  concurrency: number;
  /** probe mode: one connect's limit; await mode: the overall limit */
  timeoutMs: number;
  /** await mode: probe every target until it first answers (programming latency) */
  await: boolean;
  /** await mode: a new attempt per target this often */
  intervalMs?: number;
  /** await mode: one attempt's limit */
  attemptTimeoutMs?: number;
  /** await mode: attempts per second across all unreached targets */
  maxRate?: number;
}

/** What a caller asks of the connect agent; the targets file is an AgentArg. Unset fields take the defaults. */
export type ConnectAgentRequest =
  | { await?: false; resolve?: false; targets: AgentArg; probes?: number; concurrency?: number; timeoutMs?: number }
  | { await: true; resolve?: false; targets: AgentArg; timeoutMs?: number; intervalMs?: number; attemptTimeoutMs?: number; maxRate?: number }
  | { resolve: true; await?: false; targets: AgentArg; durationMs?: number; intervalMs?: number; attemptTimeoutMs?: number };

/** The flags as commander hands them over; defaults are applied by fromFlags. */
export interface ConnectAgentFlags {
  targets: string;
  probes?: string;
  concurrency?: string;
  timeout?: string;
  await?: boolean;
  interval?: string;
  attemptTimeout?: string;
  maxRate?: string;
  resolve?: boolean;
  duration?: string;
  json?: boolean;
}

/** The command line for a request: every value of its mode explicit. */
export function connectAgentArgs(r: ConnectAgentRequest): AgentArg[] {
  const d = CONNECT_AGENT_DEFAULTS;
  if (r.resolve) {
    return [
      ...flagPairs([['--targets', r.targets]]),
      '--resolve',
      ...flagPairs([
        ['--duration', msArg(r.durationMs ?? d.durationMs)],
        ['--interval', msArg(r.intervalMs ?? d.resolveIntervalMs)],
        ['--attempt-timeout', msArg(r.attemptTimeoutMs ?? d.resolveAttemptTimeoutMs)],
      ]),
      '--json',
    ];
  }
  const common = flagPairs([['--targets', r.targets], ['--timeout', msArg(r.timeoutMs ?? d.timeoutMs)]]);
  if (r.await) {
    return [
      ...common,
      '--await',
      ...flagPairs([
        ['--interval', msArg(r.intervalMs ?? d.intervalMs)],
        ['--attempt-timeout', msArg(r.attemptTimeoutMs ?? d.attemptTimeoutMs)],
        ['--max-rate', String(r.maxRate ?? d.maxRate)],
      ]),
      '--json',
    ];
  }
  return [...common, ...flagPairs([['--probes', String(r.probes ?? d.probes)], ['--concurrency', String(r.concurrency ?? d.concurrency)]]), '--json'];
}

/** The agent's options from its flags: defaults applied, the targets file read. */
export function connectAgentFromFlags(f: ConnectAgentFlags, read: ReadFlagFile): ConnectAgentOptions {
  const d = CONNECT_AGENT_DEFAULTS;
  if (f.resolve) {
    if (f.await) throw new UsageError('--resolve and --await exclude each other', 'give one of them');
    return {
      targets: [],
      named: parseNamedTargets(read('--targets', f.targets, 'give a file with one name:port per line'), f.targets),
      durationMs: f.duration === undefined ? d.durationMs : durationFlag('--duration', f.duration),
      probes: d.probes,
      concurrency: d.concurrency,
      timeoutMs: d.timeoutMs,
      await: false,
      intervalMs: f.interval === undefined ? d.resolveIntervalMs : durationFlag('--interval', f.interval),
      attemptTimeoutMs: f.attemptTimeout === undefined ? d.resolveAttemptTimeoutMs : durationFlag('--attempt-timeout', f.attemptTimeout),
    };
  }
  return {
    targets: parseTargets(read('--targets', f.targets, 'give a file with one ip:port per line'), f.targets, { ipv4Only: true }),
    probes: f.probes === undefined ? d.probes : intFlag('--probes', f.probes, 1, 100_000_000),
    concurrency: f.concurrency === undefined ? d.concurrency : intFlag('--concurrency', f.concurrency, 1, 65_536),
    timeoutMs: f.timeout === undefined ? d.timeoutMs : durationFlag('--timeout', f.timeout),
    await: f.await === true,
    intervalMs: f.interval === undefined ? d.intervalMs : durationFlag('--interval', f.interval),
    attemptTimeoutMs: f.attemptTimeout === undefined ? d.attemptTimeoutMs : durationFlag('--attempt-timeout', f.attemptTimeout),
    maxRate: f.maxRate === undefined ? d.maxRate : intFlag('--max-rate', f.maxRate, 1, 1_000_000),
  };
}

const counts = z.record(z.string(), z.number());

/** Probe mode: tcp.connect.latency of `probes` new connections. */
export const ConnectProbeInfo = z.object({
  mode: z.literal('probe'),
  probes: z.number(),
  targets: z.number(),
  concurrency: z.number(),
  timeoutMs: z.number(),
  durationMs: z.number(),
  connectsPerSecond: z.number(),
  /** failures by reason (refused, unreachable, timeout...) */
  errors: counts,
  interrupted: z.boolean(),
});

/** Await mode: when each target first answered, in epoch ms, for the caller to subtract its own creation times. */
export const ConnectAwaitInfo = z.object({
  mode: z.literal('await'),
  startedAt: z.number(),
  /** ip:port -> epoch ms of the first successful connect */
  firstSuccess: counts,
  unreached: z.array(z.string()),
  attempts: z.number(),
  intervalMs: z.number(),
  maxRate: z.number(),
  /** the longest real pause between two attempts on one target: how late firstSuccess can be at worst */
  maxAttemptGapMs: z.number(),
  attemptTimeoutMs: z.number(),
  timeoutMs: z.number(),
  durationMs: z.number(),
  errors: counts,
  interrupted: z.boolean(),
});

/**
 * Resolve mode: every attempt as [ms since startedAt, index into addresses (-1: the lookup
 * failed), index into outcomes ('ok', a connect error such as ETIMEDOUT/timeout/ECONNREFUSED,
 * or dns:<getaddrinfo code>), ms the attempt took], per target in the order of `targets`.
 */
export const ConnectResolveInfo = z.object({
  mode: z.literal('resolve'),
  startedAt: z.number(),
  targets: z.array(z.string()),
  addresses: z.array(z.string()),
  outcomes: z.array(z.string()),
  attempts: z.array(z.array(z.tuple([z.number(), z.number(), z.number(), z.number()]))),
  /** attempts not started because MAX_IN_FLIGHT were still pending on that target */
  skipped: z.number(),
  intervalMs: z.number(),
  attemptTimeoutMs: z.number(),
  durationMs: z.number(),
  interrupted: z.boolean(),
});

export const ConnectAgentInfo = z.discriminatedUnion('mode', [ConnectProbeInfo, ConnectAwaitInfo, ConnectResolveInfo]);
export type ConnectProbeInfo = z.infer<typeof ConnectProbeInfo>;
export type ConnectAwaitInfo = z.infer<typeof ConnectAwaitInfo>;
export type ConnectResolveInfo = z.infer<typeof ConnectResolveInfo>;
export type ConnectAgentInfo = z.infer<typeof ConnectAgentInfo>;
export type ConnectAgentOutput<I extends ConnectAgentInfo = ConnectAgentInfo> = AgentOutputOf<'connect', I>;

/** A connect agent's output as it came back from a namespace or pod, its info checked. */
export function readConnectOutput(out: AgentOutput): ConnectAgentOutput {
  return checkOutput('connect', ConnectAgentInfo, out);
}

/** The probe mode's output, or a MeasurementError saying which mode answered. */
export function readProbeOutput(out: AgentOutput): ConnectAgentOutput<ConnectProbeInfo> {
  return checkOutput('connect', ConnectProbeInfo, out);
}

/** The resolve mode's output, or a MeasurementError saying which mode answered. */
export function readResolveOutput(out: AgentOutput): ConnectAgentOutput<ConnectResolveInfo> {
  return checkOutput('connect', ConnectResolveInfo, out);
}

/** The await mode's output, or a MeasurementError saying which mode answered. */
export function readAwaitOutput(out: AgentOutput): ConnectAgentOutput<ConnectAwaitInfo> {
  return checkOutput('connect', ConnectAwaitInfo, out);
}
