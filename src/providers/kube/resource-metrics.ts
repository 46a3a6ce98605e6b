import { parsePrometheus } from './prom.js';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * CPU seconds of the given containers from a kubelet's /metrics/resource text
 * (container_cpu_usage_seconds_total{container,pod,namespace}, a stable metric). Containers not
 * on that node are simply absent.
 */
export function containerCpuSeconds(text: string, refs: readonly ContainerRef[]): { seconds: number; found: number } {
  const p = parsePrometheus(text);
  const want = new Set(refs.map((r) => `${r.namespace}/${r.pod}/${r.container}`));
  let seconds = 0;
  let found = 0;
  for (const s of p.samples) {
    if (s.name !== 'container_cpu_usage_seconds_total') continue;
    if (want.has(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`)) {
      seconds += s.value;
      found++;
    }
  }
  return { seconds, found };
}
