import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';

/**
 * Parsers for the agents' command-line flags, shared by the three agent contracts: each names
 * its flag in the UsageError, because an agent's flags come from a workload, a test or a person.
 */

/** An integer in range, or a UsageError naming the flag. */
export function intFlag(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: must be an integer ${min}..${max} (got ${JSON.stringify(v)})`, `for example ${flag} ${min}`);
  return n;
}

/** A finite number >= 0 (rates), or a UsageError naming the flag. */
export function rateFlag(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag}: must be a number >= 0 (got ${JSON.stringify(v)})`, `for example ${flag} 1000`);
  return n;
}

/** A positive duration flag ("200ms", "10s"), or a UsageError naming the flag. */
export function durationFlag(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: must be a duration like 500ms or 10s (got ${JSON.stringify(v)})`, `for example ${flag} 10s`);
  return ms;
}

/** One of a fixed set of words, or a UsageError naming the flag and the choices. */
export function choiceFlag<T extends string>(flag: string, v: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${flag}: must be ${choices.join(', ')} (got ${JSON.stringify(v)})`, `for example ${flag} ${choices[0]}`);
  return v as T;
}

/** `IP`, `IP:PORT`, bare IPv6 or `[IPv6]:PORT`; the port defaults to 53. */
export function parseServer(text: string, flag = '--server'): { host: string; port: number } {
  const bare = (text.match(/:/g) ?? []).length > 1 && !text.startsWith('[');
  const m = bare ? [text, text, undefined] : /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(text);
  const host = m?.[1];
  const port = m?.[2] ? Number(m[2]) : 53;
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`${flag} must be IP or IP:PORT (got ${text})`);
  return { host, port };
}

/** Duration as the agents' --duration/--timeout flags take it: whole milliseconds. */
export function msArg(ms: number): string {
  return `${ms}ms`;
}
