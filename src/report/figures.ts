/**
 * The key figures of a run, one row per metric and variant (repeats merged): the table that
 * opens report.html and makes up summary.md. Distributions and gauges have different columns.
 */
import type { RunResult } from '../results/model.js';
import { metricInfo, type Better } from '../metrics/catalog.js';
import { aggregate, groupVariants, metricNames, type Aggregate } from './variants.js';

export interface FigureRow {
  metric: string;
  unit: string;
  better: Better;
  variant: string;
  a: Aggregate;
}

export interface KeyFigures {
  distributions: FigureRow[];
  gauges: FigureRow[];
  /** whether any gauge was measured over more than one repeat (min/max columns worth showing) */
  gaugeSpread: boolean;
}

export function keyFigures(run: RunResult): KeyFigures {
  const groups = groupVariants(run);
  const out: KeyFigures = { distributions: [], gauges: [], gaugeSpread: false };
  for (const metric of metricNames(run)) {
    const info = metricInfo(metric);
    const rows = groups.map((g) => ({ g, a: aggregate(g, metric) })).filter((r) => r.a !== undefined);
    const dist = rows.some((r) => r.a!.dist !== undefined);
    for (const { g, a } of rows) {
      const row = { metric, unit: a!.unit || info.unit, better: info.better, variant: g.label, a: a! };
      if (dist) out.distributions.push(row);
      else {
        out.gauges.push(row);
        if (a!.n > 1) out.gaugeSpread = true;
      }
    }
  }
  return out;
}

export const arrow = (b: Better): string => (b === 'lower' ? '↓' : '↑');
