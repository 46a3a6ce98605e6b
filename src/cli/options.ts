import { InvalidArgumentError } from 'commander';

/** Option parsers that name the flag in their error (commander prefixes "option '--x' argument"). */
export function intOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer ${min}..${max}`);
    return n;
  };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
