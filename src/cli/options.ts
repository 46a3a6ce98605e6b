import { InvalidArgumentError } from 'commander';
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../scenario/duration.js';

/** Option parsers that name the flag in their error (commander prefixes "option '--x' argument"). */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer ${min}..${max}`);
    return n;
  };
}

/** Validates an agent flag after parsing: an integer in range, or a UsageError naming the flag. */
export function intFlag(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: must be an integer ${min}..${max} (got ${JSON.stringify(v)})`, `for example ${flag} ${min}`);
  return n;
}

/** A positive duration flag ("200ms", "10s"), or a UsageError naming the flag. */
export function durationFlag(flag: string, v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) throw new UsageError(`${flag}: must be a duration like 500ms or 10s (got ${JSON.stringify(v)})`, `for example ${flag} 10s`);
  return ms;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
