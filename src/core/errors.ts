/**
 * Typed errors: library code throws these, only the CLI prints them and picks the exit code.
 * A hint says how to fix the problem; problems lists every issue found at once.
 */
export class DiscoError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, readonly hint?: string, readonly problems: string[] = []) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, bad scenario, bad input file: exit 2, nothing created. */
export class UsageError extends DiscoError {
  override readonly exitCode = 2;
}

/** A run or measurement failed: exit 1. */
export class MeasurementError extends DiscoError {
  override readonly exitCode = 1;
}

/** compare found a regression and was asked to fail on it: exit 3. */
export class RegressionError extends DiscoError {
  override readonly exitCode = 3;
}

/** A tool, kernel module or privilege the provider needs is missing: exit 4. */
export class PrerequisiteError extends DiscoError {
  override readonly exitCode = 4;
}

/** Ctrl-C: results measured so far are kept, exit 130. */
export class InterruptedError extends DiscoError {
  override readonly exitCode = 130;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof DiscoError ? err.exitCode : 1;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
