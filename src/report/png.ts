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
import { requireChromium, screenshot } from './chromium.js';

export const PNG_WIDTH = 960;
export const PNG_HEIGHT = 540;

/** A page holding one chart card that fills the window exactly. */
export function chartPage(run: RunResult, spec: ChartSpec): string {
  const head = `<style>body{background:#fff}main{padding:0}.card{border:none;border-radius:0;width:${PNG_WIDTH}px;height:${PNG_HEIGHT}px}</style>`;
  const notes = spec.notes.length;
  const chartHeight = PNG_HEIGHT - 24 - 22 - notes * 18 - 14;
  const body = `<main>${chartCard({ ...spec, notes: [`${run.scenario.name} · ${run.runId}`, ...spec.notes] }, chartHeight - 18)}</main>`;
  return page(spec.title, body, [spec], head);
}

export async function renderPngs(run: RunResult): Promise<ExportFile[]> {
  await requireChromium();
  const charts = buildCharts(run);
  const dir = await mkdtemp(join(tmpdir(), 'disco-charts-'));
  try {
    const files: ExportFile[] = [];
    for (const spec of charts) {
      const html = join(dir, `${spec.id}.html`);
      await writeFile(html, chartPage(run, spec));
      files.push({ path: `charts/${spec.id}.png`, data: await screenshot(html, PNG_WIDTH, PNG_HEIGHT) });
    }
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const pngExporter: Exporter = { name: 'png', final: true, render: renderPngs };
