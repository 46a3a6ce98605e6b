import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MeasurementError } from '../../core/errors.js';
import { processAlive } from '../../core/exec.js';

export const DEFAULT_LOCK_PATH = '/run/lock/discobench-local.lock';

/**
 * The machine-wide lock's path. DISCOBENCH_LOCAL_LOCK moves it, for tests that must exercise the
 * lock without touching the one a real run on this machine may hold; two runs using different
 * locks measure each other, so nothing else should set it.
 */
export function lockPath(): string {
  return process.env['DISCOBENCH_LOCAL_LOCK'] || DEFAULT_LOCK_PATH;
}

/** Two local runs at once would measure each other; the second is refused (exit 1). */
export class BusyError extends MeasurementError {}

export interface LockOwner {
  pid: number;
  runId: string;
}

/** The run holding the lock, when its process is alive (a dead owner's lock is stale). */
export function activeLocalRun(path = lockPath()): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const [pid, runId] = text.trim().split(' ');
  return Number(pid) > 0 && runId && processAlive(Number(pid)) ? { pid: Number(pid), runId } : undefined;
}

/** Takes the machine-wide local-provider lock; a lock whose owner died is taken over. */
export function acquireLocalLock(runId: string, path = lockPath()): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${runId}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = activeLocalRun(path);
      if (owner) throw new BusyError(`another local run (${owner.runId}, pid ${owner.pid}) is in progress`, 'wait for it to finish, or stop it; two runs would measure each other');
      rmSync(path, { force: true });
    }
  }
  throw new BusyError('could not take the local run lock', `remove ${path} if no run is active`);
}
