import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { run } from '../core/exec.js';
import { MeasurementError } from '../core/errors.js';
import { round } from './stats.js';

/**
 * The absolute budgets, next to the ratios: the smoke scenario end to end,
 * a 5000-Service local scenario end to end (both through the real CLI, as a user runs them), and
 * the harness's peak RSS at 30k Services.
 */
export const BUDGET_NAMES = ['run.smoke_seconds', 'run.local_5000_seconds', 'memory.harness_rss_30k_mib'] as const;
export type BudgetName = (typeof BUDGET_NAMES)[number];

export const BUDGETS: Record<BudgetName, { below: number; unit: string; what: string }> = {
  'run.smoke_seconds': { below: 60, unit: 's', what: '`bench --scenario smoke`, wall clock' },
  'run.local_5000_seconds': { below: 180, unit: 's', what: '`bench --scenario iptables-5000`, wall clock' },
  'memory.harness_rss_30k_mib': { below: 1024, unit: 'MiB', what: 'peak RSS of the harness process holding a 30k-Service model, its iptables/nftables/IPVS renders and DNS zones' },
};

const MAIN_JS = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const RSS_PROBE_JS = fileURLToPath(new URL('./rss-probe.js', import.meta.url));

export interface BudgetResult {
  value: number;
  detail: Record<string, unknown>;
}

/** Runs a scenario through the CLI into a scratch results root; its wall time, and the run's own status and duration. */
export async function timeScenario(scenario: string, signal?: AbortSignal): Promise<BudgetResult> {
  const out = await mkdtemp(join(tmpdir(), 'disco-perf-bench-'));
  try {
    const t0 = performance.now();
    const res = await run(process.execPath, [MAIN_JS, 'bench', '--scenario', scenario, '--out', out], { reject: false, signal, timeoutMs: 30 * 60_000 });
    const seconds = (performance.now() - t0) / 1000;
    const dirs = await readdir(out);
    const runJson = dirs.length === 1 ? JSON.parse(await readFile(join(out, dirs[0]!, 'run.json'), 'utf8')) as { status?: string; variants?: Array<{ status?: string }> } : undefined;
    if (res.exitCode !== 0 || runJson?.status !== 'completed') {
      throw new MeasurementError(`bench --scenario ${scenario} exited ${res.exitCode} (status ${runJson?.status ?? 'none'}): ${(res.stderr || res.stdout).trim().split('\n').slice(-1)[0] ?? ''}`);
    }
    return { value: round(seconds, 1), detail: { scenario, status: runJson.status, variants: runJson.variants?.length ?? 0 } };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

export async function harnessRss(services: number, signal?: AbortSignal): Promise<BudgetResult> {
  const res = await run(process.execPath, [RSS_PROBE_JS, String(services)], { signal, timeoutMs: 10 * 60_000 });
  const out = JSON.parse(res.stdout.trim().split('\n').pop()!) as { maxRssMiB: number } & Record<string, unknown>;
  return { value: out.maxRssMiB, detail: out };
}

export function budgetVerdict(name: BudgetName, value: number): 'PASS' | 'FAIL' {
  return Number.isFinite(value) && value < BUDGETS[name].below ? 'PASS' : 'FAIL';
}
