/**
 * A self-contained HTML page: chart.js's UMD build and the viewer inlined, chart data as inline
 * JSON. Nothing is fetched, so the page opens offline and from a CI artifact.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartSpec } from './charts.js';
import { VIEWER_JS } from './viewer.js';

let chartJs: string | undefined;

/** chart.js does not export its UMD file, so it is found next to the package's main entry. */
export function chartJsSource(): string {
  if (chartJs === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartJs = readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8');
  }
  return chartJs;
}

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Script text cannot contain "</script"; JSON is also kept free of "<" so no tag can close early. */
function inlineScript(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1');
}

export function inlineJson(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${JSON.stringify(value).replace(/</g, '\\u003c')}</script>`;
}

export const BASE_CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:#1d2330;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid #d9dde5;padding-bottom:4px}
.meta{color:#4a5263;margin:2px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px;color:#fff}
.completed{background:#1a7f37}.partial{background:#bf8700}.failed{background:#cf222e}.running{background:#0969da}.skipped{background:#6e7781}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}
.card{background:#fff;border:1px solid #d9dde5;border-radius:8px;padding:12px 14px}
.card h3{font-size:14px;margin:0 0 2px}.note{color:#5b6475;font-size:12px;margin:0}
.chart{position:relative;height:300px;margin-top:8px}
table{border-collapse:collapse;background:#fff;font-size:12.5px;width:100%}
th,td{border:1px solid #e1e4ea;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#eef1f5} td.l,th.l{text-align:left;white-space:normal}
.scroll{overflow-x:auto}.stack>.card{margin-bottom:14px}.card table{margin-top:6px}
.worse{color:#cf222e;font-weight:600}.better{color:#1a7f37}.reg{background:#ffebe9}
ul{margin:6px 0;padding-left:22px} .caveat{color:#6e4b00;background:#fff8c5;border:1px solid #eed888;padding:6px 10px;border-radius:6px}
`;

export function chartCard(spec: ChartSpec, height = spec.height): string {
  const notes = spec.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  const style = height ? ` style="height:${height}px"` : '';
  return `<div class="card"><h3>${esc(spec.title)}</h3>${notes}<div class="chart"${style}><canvas id="chart-${esc(spec.id)}"></canvas></div></div>`;
}

export function page(title: string, body: string, charts: ChartSpec[], extraHead = ''): string {
  const scripts = charts.length > 0
    ? `${inlineJson('disco-charts', charts)}\n<script>${inlineScript(chartJsSource())}</script>\n<script>${inlineScript(VIEWER_JS)}</script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${BASE_CSS}</style>${extraHead}</head>
<body>${body}
${scripts}
</body></html>
`;
}
