/**
 * How much slower than a real machine this one runs: start-up and readiness deadlines are
 * multiplied by it. 1 normally; the VM runner sets DISCOBENCH_TIME_SCALE in a guest under TCG,
 * where a Node process needs seconds to start. Measurements are never scaled.
 */
export const TIME_SCALE_ENV = 'DISCOBENCH_TIME_SCALE';

export function timeScale(): number {
  const v = Number(process.env[TIME_SCALE_ENV]);
  return Number.isFinite(v) && v >= 1 ? v : 1;
}

/** A deadline in ms, stretched by the time scale. */
export function scaled(ms: number): number {
  return Math.round(ms * timeScale());
}
