import { run, type RunOptions, type RunResultText } from '../../core/exec.js';

/**
 * The seam between the Kubernetes providers and the tools they drive (kind, kubectl, docker,
 * helm). Production code runs the real tools through core/exec; tests pass a recorder so the
 * exact command sequence can be checked on a machine without Docker.
 */
export interface CommandRunner {
  run(file: string, args: readonly string[], opts?: RunOptions): Promise<RunResultText>;
}

export const execRunner: CommandRunner = { run };

/** One recorded invocation, as a test or a --dry-run plan sees it. */
export interface RecordedCommand {
  file: string;
  args: string[];
  input?: string;
}

export function formatCommand(c: Pick<RecordedCommand, 'file' | 'args'>): string {
  return [c.file, ...c.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
