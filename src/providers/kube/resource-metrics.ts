import { parsePrometheus } from './prom.js';

export interface ContainerRef {
  namespace: string;
  pod: string;
  container: string;
}

/** Cumulative CPU of some containers and the instant it refers to. */
export interface CpuReading {
  seconds: number;
  /** containers found */
  found: number;
  /**
   * ms since epoch the counters were read at by their source (the kubelet's cached stats carry
   * their own timestamps; live readings are stamped when read); the mean over containers
   */
  timeMs?: number;
}

/**
 * CPU seconds of the given containers from a kubelet's /metrics/resource text
 * (container_cpu_usage_seconds_total{container,pod,namespace}, a stable metric), with the
 * samples' own timestamps: the kubelet serves stats cached from its last housekeeping pass
 * (every 10-15 s), so the wall clock of the scrape is not when they were true.
 */
export function containerCpuSeconds(text: string, refs: readonly ContainerRef[]): CpuReading {
  const p = parsePrometheus(text);
  const want = new Set(refs.map((r) => `${r.namespace}/${r.pod}/${r.container}`));
  let seconds = 0;
  let found = 0;
  let stamps = 0;
  let stamped = 0;
  for (const s of p.samples) {
    if (s.name !== 'container_cpu_usage_seconds_total') continue;
    if (want.has(`${s.labels.namespace}/${s.labels.pod}/${s.labels.container}`)) {
      seconds += s.value;
      found++;
      if (s.timestampMs !== undefined) {
        stamps += s.timestampMs;
        stamped++;
      }
    }
  }
  return { seconds, found, ...(stamped ? { timeMs: stamps / stamped } : {}) };
}

/**
 * CPU of the given containers from `crictl stats -o json` on a node: containerd reads the
 * containers' cgroup counters when asked, so the reading is live (stamped by the runtime).
 * The JSON is CRI's ContainerStats in protobuf's JSON form (64-bit integers as strings).
 */
export function criCpuSeconds(json: string, refs: readonly ContainerRef[]): CpuReading {
  const want = new Set(refs.map((r) => `${r.namespace}/${r.pod}/${r.container}`));
  const doc = JSON.parse(json || '{}') as { stats?: Array<{ attributes?: { labels?: Record<string, string>; metadata?: { name?: string } }; cpu?: { timestamp?: string | number; usageCoreNanoSeconds?: { value?: string | number } } }> };
  let seconds = 0;
  let found = 0;
  let stamps = 0;
  let stamped = 0;
  for (const st of doc.stats ?? []) {
    const l = st.attributes?.labels ?? {};
    const key = `${l['io.kubernetes.pod.namespace']}/${l['io.kubernetes.pod.name']}/${l['io.kubernetes.container.name'] ?? st.attributes?.metadata?.name}`;
    const ns = st.cpu?.usageCoreNanoSeconds?.value;
    if (!want.has(key) || ns === undefined) continue;
    seconds += Number(ns) / 1e9;
    found++;
    if (st.cpu?.timestamp !== undefined) {
      stamps += Number(st.cpu.timestamp) / 1e6;
      stamped++;
    }
  }
  return { seconds, found, ...(stamped ? { timeMs: stamps / stamped } : {}) };
}
