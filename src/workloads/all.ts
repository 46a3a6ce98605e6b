import { DnsServerCpu } from './dns-server-cpu.js';
import { HostCpuSteal } from './host-cpu-steal.js';
import { capacityWorkload } from './capacity.js';
import { churnWorkload } from './churn.js';
import { connectWorkload } from './connect.js';
import { dnsWorkload } from './dns.js';
import { dnsChurnWorkload } from './dns-churn.js';
import { httpWorkload } from './http.js';
import { measurements, workloads } from './index.js';
import { rollingUpdateWorkload } from './rolling-update.js';
import { serviceRecreateWorkload } from './service-recreate.js';
import { syncWorkload } from './sync.js';

let done = false;

/** Registers every built-in workload and measurement once. */
export function registerWorkloads(): void {
  if (done) return;
  done = true;
  workloads.register('sync', syncWorkload);
  workloads.register('connect', connectWorkload);
  workloads.register('dns', dnsWorkload);
  workloads.register('capacity', capacityWorkload);
  workloads.register('http', httpWorkload);
  workloads.register('churn', churnWorkload);
  workloads.register('rollingUpdate', rollingUpdateWorkload);
  workloads.register('dnsChurn', dnsChurnWorkload);
  workloads.register('recreate', serviceRecreateWorkload);
  measurements.register('dns-server-cpu', () => new DnsServerCpu());
  measurements.register('host-cpu-steal', () => new HostCpuSteal());
}
