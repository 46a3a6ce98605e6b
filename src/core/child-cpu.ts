import { readFileSync } from 'node:fs';
import { run, type RunOptions } from './exec.js';

/**
 * Runs a tool and returns its CPU time too: a shell waits for it, then prints its own
 * /proc/self/stat, whose cutime/cstime (fields 16, 17) hold the waited-for child's CPU exactly,
 * threads included. CPU per query/request judges efficiency whatever the neighbours do.
 */
export async function runWithCpu(file: string, args: readonly string[], opts: Pick<RunOptions, 'netns' | 'timeoutMs' | 'signal'>): Promise<{ stdout: string; stderr: string; cpuMs: number }> {
  const script = '"$@"; rc=$?; echo; echo "@@stat $(cat /proc/$$/stat)"; exit $rc';
  const res = await run('sh', ['-c', script, 'sh', file, ...args], opts);
  return { stdout: res.stdout, stderr: res.stderr, cpuMs: parseChildCpuMs(res.stdout) };
}

/** The "@@stat" line's cutime + cstime in ms (USER_HZ is 100 on Linux); NaN when absent. */
export function parseChildCpuMs(stdout: string): number {
  const stat = /@@stat .*\) (.*)$/m.exec(stdout)?.[1]?.split(' ') ?? [];
  // after "(comm)" the state is field 3, so cutime (16) and cstime (17) sit at 13 and 14
  const ticks = Number(stat[13]) + Number(stat[14]);
  return Number.isFinite(ticks) ? ticks * 10 : NaN;
}

/**
 * CPU (user + system, ms) of this process plus every child it has reaped so far (/proc/self/stat
 * utime, stime, cutime, cstime). A difference across one awaited tool run is that run's whole CPU:
 * ours (rendering, piping) and the tool's, kernel work done in its syscalls included. Only
 * meaningful when nothing else of ours runs meanwhile; 10 ms resolution.
 */
export function selfAndChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "(comm)" the state is field 3: utime..cstime (14..17) sit at 11..14
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10;
}
