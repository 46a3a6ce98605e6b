/**
 * Screenshots of local HTML files with headless Chromium, the browser users open report.html in,
 * so the PNGs CI attaches are what users see. One browser serves every screenshot over the
 * DevTools protocol on a pipe: starting Chromium costs seconds, a screenshot a fraction of one.
 * (node:child_process instead of core/exec because the protocol needs file descriptors 3 and 4.)
 * Not playwright-core driving /usr/bin/chromium: on 12 report charts it produced byte-identical
 * PNGs but took 7-10 s against our 4-5 s (its import alone 1.5-2.5 s), adds 14 MB, and supports
 * only its own Chromium revision, not whichever one Debian ships.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { haveTool, missingTool } from '../core/exec.js';
import { MeasurementError } from '../core/errors.js';

export async function requireChromium(): Promise<void> {
  if (!(await haveTool('chromium'))) throw missingTool('chromium');
}

const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--hide-scrollbars', '--force-device-scale-factor=1', '--remote-debugging-pipe',
];
const TIMEOUT_MS = 90_000;

export interface Clip {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

export class Browser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters: Array<{ method: string; sessionId?: string; resolve: () => void }> = [];
  private buffer = '';
  private exited: Error | undefined;

  private constructor(private readonly proc: ChildProcess, private readonly profile: string, private readonly input: Writable, output: Readable) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.onData(chunk));
    proc.on('exit', (code, signal) => {
      this.exited = new MeasurementError(`chromium exited (${signal ?? code}) before finishing`);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    });
  }

  static async launch(): Promise<Browser> {
    await requireChromium();
    const profile = await mkdtemp(join(tmpdir(), 'disco-chromium-'));
    const proc = spawn('chromium', [...ARGS, `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    proc.on('error', () => undefined);
    return new Browser(proc, profile, proc.stdio[3] as Writable, proc.stdio[4] as Readable);
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\0')) >= 0) {
      const msg = JSON.parse(this.buffer.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; sessionId?: string };
      this.buffer = this.buffer.slice(end + 1);
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        if (msg.error) p?.reject(new MeasurementError(`chromium: ${msg.error.message}`));
        else p?.resolve(msg.result ?? {});
      } else if (msg.method) {
        const i = this.waiters.findIndex((w) => w.method === msg.method && w.sessionId === msg.sessionId);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve();
      }
    }
  }

  private send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return withTimeout(new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    }), `chromium ${method}`);
  }

  private event(method: string, sessionId: string): Promise<void> {
    return withTimeout(new Promise((resolve) => this.waiters.push({ method, sessionId, resolve })), `chromium ${method}`);
  }

  /** Loads htmlFile in a fresh tab of width x height CSS pixels and returns the PNG bytes. */
  async screenshot(htmlFile: string, width: number, height: number): Promise<Uint8Array> {
    return (await this.screenshots(htmlFile, width, height, [{ x: 0, y: 0, width, height }]))[0]!;
  }

  /** Loads htmlFile once and captures each clip (CSS pixels, page coordinates) as a PNG. */
  async screenshots(htmlFile: string, width: number, height: number, clips: readonly Clip[]): Promise<Uint8Array[]> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    try {
      await this.send('Page.enable', {}, sessionId);
      await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
      const loaded = this.event('Page.loadEventFired', sessionId);
      await this.send('Page.navigate', { url: pathToFileURL(htmlFile).href }, sessionId);
      await loaded;
      const out: Uint8Array[] = [];
      for (const clip of clips) {
        const { data } = (await this.send('Page.captureScreenshot', { format: 'png', clip: { ...clip, scale: 1 } }, sessionId)) as { data: string };
        out.push(new Uint8Array(Buffer.from(data, 'base64')));
      }
      return out;
    } finally {
      await this.send('Target.closeTarget', { targetId }).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
      await this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    await rm(this.profile, { recursive: true, force: true });
  }
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new MeasurementError(`${what} timed out after ${TIMEOUT_MS / 1000} s`)), TIMEOUT_MS); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** One screenshot with a browser of its own (tests, single pages). */
export async function screenshot(htmlFile: string, width: number, height: number): Promise<Uint8Array> {
  const browser = await Browser.launch();
  try {
    return await browser.screenshot(htmlFile, width, height);
  } finally {
    await browser.close();
  }
}
