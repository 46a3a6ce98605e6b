import { MeasurementError } from '../core/errors.js';

export interface DnsperfResult {
  qps: number;
  sent: number;
  completed: number;
  lost: number;
  runSeconds: number;
  /** average latency in ms */
  avgLatencyMs: number;
}

const num = (text: string, re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN);

/** dnsperf's closing "Statistics:" block (dnsperf 2.x). */
export function parseDnsperf(text: string): DnsperfResult {
  const qps = num(text, /Queries per second:\s+([\d.]+)/);
  if (!Number.isFinite(qps)) throw new MeasurementError(`dnsperf printed no "Queries per second": ${text.slice(-400)}`);
  return {
    qps,
    sent: num(text, /Queries sent:\s+(\d+)/),
    completed: num(text, /Queries completed:\s+(\d+)/),
    lost: num(text, /Queries lost:\s+(\d+)/),
    runSeconds: num(text, /Run time \(s\):\s+([\d.]+)/),
    avgLatencyMs: Math.round(num(text, /Average Latency \(s\):\s+([\d.]+)/) * 1e6) / 1e3,
  };
}
