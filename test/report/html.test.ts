import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReportHtml } from '../../src/report/html.js';
import { chartJsSource } from '../../src/report/page.js';
import { screenshot } from '../../src/report/chromium.js';
import { haveTool } from '../../src/core/exec.js';
import { scalingRun, smokeRun } from './fixtures.js';

test('report.html inlines chart.js and the run data, and fetches nothing', () => {
  const html = renderReportHtml(smokeRun(1, 2));
  assert.ok(chartJsSource().length > 100_000);
  assert.ok(html.includes(chartJsSource().slice(0, 2000)), 'chart.js UMD inlined');
  assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  assert.doesNotMatch(html, /<link[^>]*\bhref=/i);
  assert.doesNotMatch(html, /<img[^>]*\bsrc="?https?:/i);
  const data = JSON.parse(html.match(/<script type="application\/json" id="disco-charts">([^<]*)<\/script>/)![1]!);
  const ids = data.map((c: { id: string }) => c.id);
  // dns.lookups.failed is all zeros: in the tables, not worth a chart
  assert.deepEqual(ids, ['dns.lookup.latency', 'tcp.connect.latency', 'dns.lookups.rate', 'percentiles-dns.lookup.latency', 'percentiles-tcp.connect.latency', 'series-dns.queries.rate']);
  assert.match(html, /<canvas id="chart-dns\.lookup\.latency">/);
  assert.match(html, /<td class="l">dns\.lookup\.latency<\/td>/);
  assert.match(html, /<h2>Key figures<\/h2>/);
});

test('scaling report has curves with fit and projection', () => {
  const html = renderReportHtml(scalingRun());
  assert.match(html, /<canvas id="chart-scaling-proxy\.sync\.duration">/);
  assert.match(html, /iptables quadratic fit/);
  assert.match(html, /at 50,000 Services ~/);
  assert.match(html, /extrapolat/);
});

test('report.html renders offline in headless Chromium with every chart drawn', { skip: !(await haveTool('chromium')) && 'chromium not installed' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'disco-t-html-'));
  try {
    const file = join(dir, 'report.html');
    await writeFile(file, renderReportHtml(scalingRun()));
    const png = await screenshot(file, 1280, 1600);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = Buffer.from(png);
    assert.equal(view.readUInt32BE(16), 1280);
    assert.equal(view.readUInt32BE(20), 1600);
    // a blank page compresses to a few KB; drawn charts and tables do not
    assert.ok(png.length > 100_000, `screenshot is ${png.length} bytes`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
