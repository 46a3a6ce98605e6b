/**
 * charts/*.png: each chart of report.html on its own page, screenshotted by headless Chromium.
 * Final only (a browser start per chart is too slow to repeat after every variant).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exporter, ExportFile } from '../results/exporter.js';
import type { RunResult } from '../results/model.js';
import { buildCharts, type ChartSpec } from './charts.js';
import { chartCard, page } from './page.js';
import { Browser, requireChromium } from './chromium.js';
import { MeasurementError } from '../core/errors.js';
import { vmOfThisProcess } from '../vm/guest.js';

export const PNG_WIDTH = 960;
export const PNG_HEIGHT = 540;
const BATCH = 12;

/**
 * One page with every chart as a card of exactly PNG_WIDTH x PNG_HEIGHT, stacked, so Chromium
 * loads chart.js once and each PNG is a clip of the page.
 */
export function chartsPage(run: RunResult, specs: ChartSpec[]): string {
  const head = `<style>body{background:#fff}main{padding:0;max-width:none}.card{border:none;border-radius:0;width:${PNG_WIDTH}px;height:${PNG_HEIGHT}px;overflow:hidden}</style>`;
  const cards = specs.map((spec) => {
    const notes = [`${run.scenario.name} · ${run.runId}`, ...spec.notes];
    const chartHeight = PNG_HEIGHT - 24 - 20 - notes.length * 18 - 20;
    return chartCard({ ...spec, notes }, chartHeight);
  });
  return page(`${run.scenario.name} charts`, `<main>${cards.join('\n')}</main>`, specs, head);
}

export async function renderPngs(run: RunResult): Promise<ExportFile[]> {
  // in an emulated VM Chromium needs minutes per page; report.html has the same charts, and
  // `npm run report -- RUN_DIR` on the host (where the run directory is) renders the PNGs
  if (vmOfThisProcess()?.accel === 'tcg') throw new MeasurementError('charts/*.png skipped in a TCG VM (Chromium would take minutes); render them on the host: npm run report -- RUN_DIR');
  await requireChromium();
  const charts = buildCharts(run);
  if (charts.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'disco-charts-'));
  const browser = await Browser.launch();
  try {
    const files: ExportFile[] = [];
    // batches keep the page (one viewport tall, so nothing re-lays out between clips) well
    // under Chromium's texture size limit
    for (let start = 0; start < charts.length; start += BATCH) {
      const batch = charts.slice(start, start + BATCH);
      const html = join(dir, `charts-${start}.html`);
      await writeFile(html, chartsPage(run, batch));
      const clips = batch.map((_, i) => ({ x: 0, y: i * PNG_HEIGHT, width: PNG_WIDTH, height: PNG_HEIGHT }));
      const pngs = await browser.screenshots(html, PNG_WIDTH, PNG_HEIGHT * batch.length, clips);
      batch.forEach((spec, i) => files.push({ path: `charts/${spec.id}.png`, data: pngs[i]! }));
    }
    return files;
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
export const pngExporter: Exporter = { name: 'png', final: true, render: renderPngs };
