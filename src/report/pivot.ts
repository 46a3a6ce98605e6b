/**
 * Pivot tables for matrix runs: for each metric one table whose rows and columns are the matrix
 * axes (services.count down, the other axes across), instead of one row per metric and variant.
 * Cells hold p50 / p99 for distributions and the value (min..max over repeats) for gauges.
 * metrics.csv keeps the long form.
 */
import type { RunResult } from '../results/model.js';
import { metricInfo, type Better } from '../metrics/catalog.js';
import { aggregate, fmt, groupVariants, metricNames, type Aggregate, type VariantGroup } from './variants.js';

export interface PivotTable {
  metric: string;
  unit: string;
  better: Better;
  dist: boolean;
  /** the row axis (a dotted param) and the column axes */
  rowAxis: string;
  colAxes: string[];
  rowValues: string[];
  colLabels: string[];
  /** cells[row][col], undefined where that combination did not measure the metric */
  cells: Array<Array<Aggregate | undefined>>;
}

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const short = (k: string) => k.split('.').pop()!;

/** The params that vary across the run's variant groups, in the order they first appear. */
export function matrixParams(groups: VariantGroup[]): string[] {
  const keys = [...new Set(groups.flatMap((g) => Object.keys(g.params)))].filter((k) => k !== 'repeat');
  return keys.filter((k) => new Set(groups.map((g) => text(g.params[k]))).size > 1);
}

/** Sorts axis values numerically when they all are numbers, else as first seen. */
function axisValues(groups: VariantGroup[], key: string): string[] {
  const vals = [...new Set(groups.map((g) => text(g.params[key])))];
  return vals.every((v) => v !== '' && Number.isFinite(Number(v))) ? vals.sort((a, b) => Number(a) - Number(b)) : vals;
}

/** undefined unless two or more params vary (one axis: wideTable). */
export function pivotTables(run: RunResult): PivotTable[] | undefined {
  const groups = groupVariants(run);
  const axes = matrixParams(groups);
  if (groups.length < 2 || axes.length < 2) return undefined;
  // services.count down, as the scaling tables read; else the axis with the most values
  const rowAxis = axes.includes('services.count') ? 'services.count' : [...axes].sort((a, b) => axisValues(groups, b).length - axisValues(groups, a).length)[0]!;
  const colAxes = axes.filter((a) => a !== rowAxis);
  const rowValues = axisValues(groups, rowAxis);
  const colKey = (g: VariantGroup) => colAxes.map((a) => `${short(a)}=${text(g.params[a])}`).join(', ');
  const colLabels = colAxes.length === 0 ? [''] : [...new Set(groups.map(colKey))];
  const tables: PivotTable[] = [];
  for (const metric of metricNames(run)) {
    const info = metricInfo(metric);
    const cells = rowValues.map(() => colLabels.map((): Aggregate | undefined => undefined));
    let unit = info.unit;
    let dist = false;
    let any = false;
    for (const g of groups) {
      const a = aggregate(g, metric);
      if (!a) continue;
      const r = rowValues.indexOf(text(g.params[rowAxis]));
      const c = colAxes.length === 0 ? 0 : colLabels.indexOf(colKey(g));
      if (r < 0 || c < 0) continue;
      cells[r]![c] = a;
      unit = a.unit || unit;
      dist ||= a.dist !== undefined;
      any = true;
    }
    if (any) tables.push({ metric, unit, better: info.better, dist, rowAxis, colAxes, rowValues, colLabels, cells });
  }
  return tables;
}

export function pivotCell(t: PivotTable, a: Aggregate | undefined): string {
  return wideCell(t.dist, a);
}

/** "ndots ↓ · nodeLocalDNS →" corner label and column headers. */
export function pivotHeader(t: PivotTable): { corner: string; columns: string[] } {
  return { corner: `${t.rowAxis} ↓ · ${t.colAxes.map(short).join(', ')} →`, columns: t.colLabels };
}

export function pivotNote(t: PivotTable): string {
  return t.dist ? 'p50 / p99, repeats merged' : 'mean of repeats (min..max)';
}

export interface WideTable {
  axis: string;
  values: string[];
  rows: Array<{ metric: string; unit: string; better: Better; dist: boolean; cells: Array<Aggregate | undefined> }>;
}

/**
 * A one-axis matrix reads best as one table: metrics down, the axis's values across (one table
 * per metric would be longer than the long form). undefined unless exactly one param varies.
 */
export function wideTable(run: RunResult): WideTable | undefined {
  const groups = groupVariants(run);
  const axes = matrixParams(groups);
  if (groups.length < 2 || axes.length !== 1) return undefined;
  const axis = axes[0]!;
  const values = axisValues(groups, axis);
  const rows: WideTable['rows'] = [];
  for (const metric of metricNames(run)) {
    const info = metricInfo(metric);
    const cells = values.map((): Aggregate | undefined => undefined);
    let unit = info.unit;
    let dist = false;
    for (const g of groups) {
      const a = aggregate(g, metric);
      const i = values.indexOf(text(g.params[axis]));
      if (!a || i < 0) continue;
      cells[i] = a;
      unit = a.unit || unit;
      dist ||= a.dist !== undefined;
    }
    if (cells.some((c) => c !== undefined)) rows.push({ metric, unit, better: info.better, dist, cells });
  }
  return { axis, values, rows };
}

export function wideCell(dist: boolean, a: Aggregate | undefined): string {
  if (!a) return '–';
  if (dist) return `${fmt(a.p50)} / ${fmt(a.p99)}`;
  return a.n > 1 && a.min !== a.max ? `${fmt(a.value)} (${fmt(a.min)}..${fmt(a.max)})` : fmt(a.value);
}
