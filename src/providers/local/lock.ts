import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { MeasurementError } from '../../core/errors.js';

export const LOCK_PATH = '/run/lock/discobench-local.lock';

/** Two local runs at once would measure each other; the second is refused (exit 1). */
export class BusyError extends MeasurementError {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the machine-wide local-provider lock; a lock whose owner died is taken over. */
export function acquireLocalLock(runId: string, path = LOCK_PATH): () => void {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid} ${runId}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pid, owner] = readFileSync(path, 'utf8').trim().split(' ');
      if (alive(Number(pid))) throw new BusyError(`another local run (${owner}, pid ${pid}) is in progress`, 'wait for it to finish, or stop it; two runs would measure each other');
      rmSync(path, { force: true });
    }
  }
  throw new BusyError('could not take the local run lock', `remove ${path} if no run is active`);
}
