import { createWriteStream } from 'node:fs';
import type { ResultPromise } from 'execa';
import { run, spawnProcess } from '../../core/exec.js';
import { MeasurementError } from '../../core/errors.js';
import { scaled } from '../../core/time-scale.js';

export interface ManagedProcess {
  name: string;
  netns: string;
  pid: number;
  child: ResultPromise;
  /** last lines of stderr/stdout, for error messages */
  tail(): string;
}

export interface StartOptions {
  name: string;
  netns: string;
  file: string;
  args: string[];
  /** ready when this TCP/UDP port listens in the namespace */
  port?: { proto: 'tcp' | 'udp'; port: number };
  /** or when this text appears on stdout */
  readyLine?: string;
  /** append everything the process prints to this file (the real components' logs) */
  logFile?: string;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listening(netns: string, proto: 'tcp' | 'udp', port: number): Promise<boolean> {
  const res = await run('ss', ['-Hln', proto === 'tcp' ? '-t' : '-u', `sport = :${port}`], { netns, reject: false });
  return res.stdout.trim().length > 0;
}

/** Servers of a run (DNS, upstream, backends): started in their namespaces, all stopped together. */
export class ProcessSet {
  private readonly procs: ManagedProcess[] = [];

  list(): readonly ManagedProcess[] {
    return this.procs;
  }

  async start(opts: StartOptions): Promise<ManagedProcess> {
    const child = spawnProcess(opts.file, opts.args, { netns: opts.netns, detached: true });
    const lines: string[] = [];
    let sawReady = false;
    const log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    if (log) void child.finally(() => log.end());
    const keep = (chunk: Buffer) => {
      log?.write(chunk);
      const text = chunk.toString();
      if (opts.readyLine && text.includes(opts.readyLine)) sawReady = true;
      lines.push(...text.split('\n').filter(Boolean));
      if (lines.length > 20) lines.splice(0, lines.length - 20);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let exited = false;
    void child.then(() => { exited = true; });
    const proc: ManagedProcess = { name: opts.name, netns: opts.netns, pid: child.pid ?? -1, child, tail: () => lines.join(' | ') };
    this.procs.push(proc);
    const timeoutMs = opts.timeoutMs ?? scaled(10_000);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new MeasurementError(`${opts.name} exited during start-up: ${proc.tail() || '(no output)'}`);
      if (opts.readyLine ? sawReady : opts.port ? await listening(opts.netns, opts.port.proto, opts.port.port) : true) return proc;
      if (Date.now() > deadline) throw new MeasurementError(`${opts.name} not ready after ${timeoutMs} ms: ${proc.tail() || '(no output)'}`);
      await sleep(25);
    }
  }

  /** SIGTERM, SIGKILL after graceMs (default 2 s) if it has not exited by then. */
  async stop(proc: ManagedProcess, graceMs?: number): Promise<void> {
    const i = this.procs.indexOf(proc);
    if (i >= 0) this.procs.splice(i, 1);
    await terminate(proc, graceMs);
  }

  async stopAll(): Promise<void> {
    const procs = this.procs.splice(0);
    await Promise.all(procs.map(terminate));
  }
}

async function terminate(proc: ManagedProcess, graceMs = 2000): Promise<void> {
  const kill = (sig: NodeJS.Signals) => {
    try {
      process.kill(-proc.pid, sig);
    } catch {
      try { process.kill(proc.pid, sig); } catch { /* gone */ }
    }
  };
  kill('SIGTERM');
  const done = await Promise.race([proc.child.then(() => true, () => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    kill('SIGKILL');
    await Promise.race([proc.child.then(() => true, () => true), sleep(2000)]);
  }
}
