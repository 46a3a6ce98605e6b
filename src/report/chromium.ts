/**
 * Screenshots of local HTML files with headless Chromium: the PNG charts and the report checks
 * use the browser that users open report.html in, so what CI attaches is what users see.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { haveTool, missingTool, run } from '../core/exec.js';

export async function requireChromium(): Promise<void> {
  if (!(await haveTool('chromium'))) throw missingTool('chromium');
}

/** Renders htmlFile at width x height CSS pixels and returns the PNG bytes. */
export async function screenshot(htmlFile: string, width: number, height: number): Promise<Uint8Array> {
  await requireChromium();
  const profile = await mkdtemp(join(tmpdir(), 'disco-chromium-'));
  const out = join(profile, 'shot.png');
  try {
    await run('chromium', [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--hide-scrollbars', '--force-device-scale-factor=1', `--user-data-dir=${profile}`,
      `--screenshot=${out}`, `--window-size=${width},${height}`, pathToFileURL(htmlFile).href,
    ], { timeoutMs: 90_000 });
    return new Uint8Array(await readFile(out));
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
