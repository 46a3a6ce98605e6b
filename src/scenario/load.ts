import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument, parse as parseYamlValue } from 'yaml';
import type { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { getPath, setPath } from './paths.js';
import { ScenarioSpec, type Scenario } from './schema.js';

/** scenarios/ of the package, wherever it is installed (dist/src/scenario -> ../../../scenarios). */
export const SCENARIO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../scenarios');

export class ScenarioError extends UsageError {}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** the raw document after --set, for run.json */
  raw: Record<string, unknown>;
}

export function listScenarioNames(): string[] {
  if (!existsSync(SCENARIO_DIR)) return [];
  return readdirSync(SCENARIO_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort();
}

export function resolveScenarioFile(nameOrFile: string): string {
  if (nameOrFile.includes('/') || nameOrFile.endsWith('.yaml') || nameOrFile.endsWith('.yml')) {
    if (!existsSync(nameOrFile)) throw new UsageError(`--scenario: file not found: ${nameOrFile}`, 'give a scenario name (npm run scenarios) or a path to a YAML file');
    return resolve(nameOrFile);
  }
  const file = join(SCENARIO_DIR, `${nameOrFile}.yaml`);
  if (!existsSync(file)) {
    throw new UsageError(`--scenario: unknown scenario "${nameOrFile}"`, `known: ${listScenarioNames().join(', ')}`);
  }
  return file;
}

/** `--set a.b=v`: v is read as YAML (numbers, booleans, lists like [5,1]). */
export function parseSet(expr: string): [string, unknown] {
  const eq = expr.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${expr}: expected path=value`, 'for example --set services.count=1000');
  const path = expr.slice(0, eq).trim();
  if (!/^[A-Za-z][\w]*(\.[A-Za-z0-9][\w-]*)*$/.test(path)) throw new UsageError(`--set ${expr}: bad path "${path}"`, 'paths are dotted keys like workloads.dns.ndots');
  let value: unknown;
  try {
    value = parseYamlValue(expr.slice(eq + 1));
  } catch {
    value = expr.slice(eq + 1);
  }
  return [path, value ?? ''];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function issueMessage(issue: z.core.$ZodIssue, doc: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'invalid_type' && getPath(doc, issue.path.map(String).join('.')) === undefined) return 'is required';
  return issue.message;
}

/** Problems as "file: path: message" lines; unknown keys report the key's own path. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[], doc: unknown, setPaths: ReadonlySet<string> = new Set()): string[] {
  return issues.map((issue) => {
    const path = formatPath(issue.path);
    const where = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? (path ? `${path}.${issue.keys[0]}` : issue.keys[0]!) : path || '(top)';
    const origin = [...setPaths].some((p) => where === p || where.startsWith(`${p}.`) || where.startsWith(`${p}[`)) ? '--set ' : `${file}: `;
    return `${origin}${where}: ${issueMessage(issue, doc)}`;
  });
}

export function loadScenario(nameOrFile: string, sets: readonly string[] = []): LoadedScenario {
  const file = resolveScenarioFile(nameOrFile);
  const shown = file.startsWith(SCENARIO_DIR) ? `scenarios/${basename(file)}` : nameOrFile;
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `${shown}: line ${text.slice(0, e.pos[0]).split('\n').length}: ${e.message.split('\n')[0]}`);
    throw new ScenarioError(problems[0]!, 'fix the YAML syntax', problems);
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(`${shown}: must be a YAML mapping with name, cluster, services, workloads`, 'see scenarios/smoke.yaml');
  }
  const obj = raw as Record<string, unknown>;
  const setPaths = new Set<string>();
  for (const s of sets) {
    const [path, value] = parseSet(s);
    setPath(obj, path, value);
    setPaths.add(path);
    // `--set cluster.proxy=ipvs` on a scenario that varies cluster.proxy: the value given wins,
    // so that axis goes (otherwise the matrix would silently override the flag)
    const matrix = obj['matrix'];
    if (matrix && typeof matrix === 'object' && !Array.isArray(matrix) && path in matrix) delete (matrix as Record<string, unknown>)[path];
  }
  const parsed = ScenarioSpec.safeParse(obj);
  if (!parsed.success) {
    const problems = formatIssues(shown, parsed.error.issues, obj, setPaths);
    throw new ScenarioError(problems.length === 1 ? problems[0]! : `${problems.length} problems in ${shown}:\n  ${problems.join('\n  ')}`, undefined, problems);
  }
  return { scenario: parsed.data, file, raw: obj };
}
