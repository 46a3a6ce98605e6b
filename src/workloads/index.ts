import { Registry } from '../core/registry.js';
import type { MeasurementFactory, WorkloadFactory } from './workload.js';

/** Order in which a variant's workloads run: rules first, then probes, then floods and the DNS capacity ramp, churn, DNS server churn and rollouts last. */
export const WORKLOAD_ORDER = ['sync', 'connect', 'dns', 'capacity', 'http', 'churn', 'dnsChurn', 'rollingUpdate', 'recreate'] as const;

export const workloads = new Registry<WorkloadFactory>('workload');
export const measurements = new Registry<MeasurementFactory>('measurement');
