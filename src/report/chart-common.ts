/** What every chart definition shares: the spec shape, colours, labels and axis titles. */

export interface ChartSpec {
  /** file-name safe, unique: the PNG is charts/<id>.png */
  id: string;
  title: string;
  /** one line under the title: what the marks mean, projections */
  notes: string[];
  /** chart height in CSS pixels in report.html (many variants need more room) */
  height?: number;
  config: Record<string, unknown>;
}

/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function chartId(prefix: string, name: string): string {
  return `${prefix}${name}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Chart labels: the last segment of each dotted param ("ndots=5" for workloads.dns.ndots=5),
 * unless two params would then read the same.
 */
export function shortLabel(label: string): string {
  const parts = label.split(', ').map((p) => p.replace(/^[^=]*\.([^.=]+)=/, '$1='));
  const keys = parts.map((p) => p.split('=')[0]);
  return new Set(keys).size === keys.length ? parts.join(', ') : label;
}

/** Bars of one colour per line of variants (their params apart from services.count). */
export function colourKeys(groups: Array<{ params: Record<string, unknown> }>): number[] {
  const keys = groups.map((g) => JSON.stringify(Object.entries(g.params).filter(([k]) => k !== 'services.count' && k !== 'repeat').sort()));
  const distinct = [...new Set(keys)];
  return keys.map((k) => distinct.indexOf(k));
}

export function axisTitle(text: string) {
  return { display: true, text };
}

