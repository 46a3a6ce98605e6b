/**
 * Chart definitions as plain data (chart.js configs without functions), built once from a run and
 * drawn by the same viewer in report.html and in the per-chart pages Chromium turns into PNGs.
 */
import type { RunResult } from '../results/model.js';
import { analyzeScaling } from './scaling.js';
import { barCharts } from './chart-bars.js';
import { rampCharts } from './chart-capacity.js';
import { percentileCharts } from './chart-percentiles.js';
import { scalingCharts } from './chart-scaling.js';
import { seriesCharts } from './chart-series.js';
import { timelineCharts } from './chart-timeline.js';

export type { ChartSpec } from './chart-common.js';
import type { ChartSpec } from './chart-common.js';

export function buildCharts(run: RunResult, scaling = analyzeScaling(run)): ChartSpec[] {
  return [...rampCharts(run), ...barCharts(run), ...percentileCharts(run), ...(scaling ? scalingCharts(scaling) : []), ...timelineCharts(run), ...seriesCharts(run)];
}
