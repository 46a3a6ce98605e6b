import { readFile } from 'node:fs/promises';
import type { ResultPromise } from 'execa';
import { MeasurementError } from '../../core/errors.js';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture Node runs on. */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat.
 * The command name may hold spaces or parentheses, so fields are counted after its last ')'.
 */
export async function processCpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14 (utime) and 15 (stime) of proc(5); f[0] is field 3
  return (Number(f[11]) + Number(f[12])) / USER_HZ;
}

/**
 * A DNS server process we started: its pid (for /proc/<pid>/stat CPU sampling), its recent stderr
 * (for error messages) and a stop() that is safe to call twice.
 */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  exited(): boolean;
  /** the end of stderr (16 KB unless startServerProcess was told to keep more) */
  stderr(): string;
  /** resolves once a stdout line matches; rejects if the process exits first or after timeoutMs */
  waitForLine(match: RegExp, timeoutMs: number): Promise<string>;
  /** CPU seconds used so far (processCpuSeconds), for dns.server.cpu */
  cpuSeconds(): Promise<number>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone */
  stop(): Promise<void>;
}

const KEEP = 16 * 1024;

export function startServerProcess(name: string, child: ResultPromise, opts: { keepStderrBytes?: number } = {}): ServerProcess {
  const keepErr = opts.keepStderrBytes ?? KEEP;
  if (child.pid === undefined) throw new MeasurementError(`${name} did not start`);
  const pid = child.pid;
  let err = '';
  let out = '';
  let done = false;
  const lineWaiters = new Set<(line: string) => void>();
  const exitWaiters = new Set<() => void>();
  child.stderr?.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-keepErr);
  });
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      for (const w of [...lineWaiters]) w(line);
    }
    if (out.length > KEEP) out = out.slice(-KEEP);
  });
  const finished = child.then(
    () => undefined,
    () => undefined,
  ).finally(() => {
    done = true;
    for (const w of [...exitWaiters]) w();
  });

  return {
    name,
    pid,
    exited: () => done,
    stderr: () => err,
    cpuSeconds: () => processCpuSeconds(pid),
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer);
          lineWaiters.delete(onLine);
          exitWaiters.delete(onExit);
        };
        const onLine = (line: string): void => {
          if (!match.test(line)) return;
          cleanup();
          resolve(line);
        };
        const onExit = (): void => {
          cleanup();
          reject(new MeasurementError(`${name} exited before printing ${match}: ${err.trim().slice(-500)}`));
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new MeasurementError(`${name} did not print ${match} within ${timeoutMs} ms: ${err.trim().slice(-500)}`));
        }, timeoutMs);
        lineWaiters.add(onLine);
        exitWaiters.add(onExit);
        if (done) onExit();
      });
    },
    async stop() {
      if (done) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await finished;
      clearTimeout(killer);
    },
  };
}

/** Polls check() every 50 ms until it returns true; throws MeasurementError naming what we waited for. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new MeasurementError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
