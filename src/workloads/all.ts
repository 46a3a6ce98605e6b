import { DnsServerCpu } from '../measurements/dns-server-cpu.js';
import { httpWorkload } from './http.js';
import { measurements, workloads } from './index.js';

let done = false;

/** Registers every built-in workload and measurement once. */
export function registerWorkloads(): void {
  if (done) return;
  done = true;
  measurements.register('dns-server-cpu', () => new DnsServerCpu());
  workloads.register('http', httpWorkload);
}
