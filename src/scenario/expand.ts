import { ScenarioError, formatIssues } from './load.js';
import { getPath, setPath } from './paths.js';
import { ScenarioSpec, type Scenario } from './schema.js';

export type ParamValue = string | number | boolean;

/** One point of the matrix, run `repeat` times; params use the matrix's dotted paths. */
export interface Variant {
  id: string;
  params: Record<string, ParamValue>;
  repeat: number;
  scenario: Scenario;
}

function slug(v: ParamValue): string {
  return String(v).replace(/[^A-Za-z0-9.]+/g, '-');
}

/** "proxy=iptables,ndots=5#2": the last path segment keeps ids short and readable. */
export function variantId(params: Record<string, ParamValue>, repeat: number, repeats: number): string {
  const base = Object.entries(params).map(([k, v]) => `${k.split('.').pop()}=${slug(v)}`).join(',') || 'default';
  return repeats > 1 ? `${base}#${repeat}` : base;
}

/** The matrix axes, with a list-valued workloads.dns.ndots (or capacity.ndots) as an implicit axis. */
export function matrixAxes(scenario: Scenario): Array<[string, ParamValue[]]> {
  const axes: Array<[string, ParamValue[]]> = Object.entries(scenario.matrix);
  for (const w of ['dns', 'capacity'] as const) {
    const ndots = scenario.workloads[w]?.ndots;
    if (Array.isArray(ndots) && !(`workloads.${w}.ndots` in scenario.matrix)) axes.push([`workloads.${w}.ndots`, ndots]);
  }
  return axes;
}

function cartesian(axes: Array<[string, ParamValue[]]>): Array<Record<string, ParamValue>> {
  let combos: Array<Record<string, ParamValue>> = [{}];
  for (const [key, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return combos;
}

/**
 * Expands a scenario into its variants before anything runs. Each combination is validated as a
 * whole scenario, so a matrix value that the schema rejects is reported with the matrix path.
 */
export function expandVariants(scenario: Scenario, shownFile: string): Variant[] {
  const problems: string[] = [];
  const base = structuredClone(scenario) as unknown as Record<string, unknown>;
  for (const key of Object.keys(scenario.matrix)) {
    if (key === 'matrix' || key.startsWith('matrix.') || key === 'repeat' || key === 'name') problems.push(`${shownFile}: matrix.${key}: cannot vary this field`);
    else if (getPath(base, key) === undefined && !key.startsWith('workloads.')) problems.push(`${shownFile}: matrix.${key}: unknown field`);
  }
  const variants: Variant[] = [];
  const combos = cartesian(matrixAxes(scenario));
  for (const params of combos) {
    const doc = structuredClone(base);
    delete doc['matrix'];
    for (const [k, v] of Object.entries(params)) setPath(doc, k, v);
    const parsed = ScenarioSpec.safeParse(doc);
    if (!parsed.success) {
      for (const line of formatIssues(shownFile, parsed.error.issues, doc)) {
        const key = Object.keys(params).find((k) => line.includes(`: ${k}`));
        problems.push(key ? line.replace(`: ${key}`, `: matrix.${key}[${(scenario.matrix[key] ?? []).indexOf(params[key]!)}] (${key})`) : line);
      }
      continue;
    }
    for (let r = 1; r <= scenario.repeat; r++) {
      variants.push({ id: variantId(params, r, scenario.repeat), params, repeat: r, scenario: { ...parsed.data, matrix: {} } });
    }
  }
  const unique = [...new Set(problems)];
  if (unique.length > 0) throw new ScenarioError(unique.length === 1 ? unique[0]! : `${unique.length} problems:\n  ${unique.join('\n  ')}`, undefined, unique);
  return variants;
}

/** Variants that share this key can share one cluster (only services/workloads differ). */
export function clusterKey(v: Variant): string {
  return JSON.stringify(v.scenario.cluster) + v.scenario.provider;
}
