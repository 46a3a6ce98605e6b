import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../scenario/duration.js';

/** Option parsers that name the flag in their error (commander prefixes "option '--x' argument"). */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer ${min}..${max}`);
    return n;
  };
}

export function durationOption(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('must be a duration like 200ms, 10s or 2m');
  return ms;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
