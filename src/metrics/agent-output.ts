/**
 * What every load agent prints: one JSON object on stdout. Latency metrics carry an encoded HDR
 * histogram (values in µs, see metrics/histogram.ts) so the runner merges agents exactly;
 * counters and rates carry a value. The same shape comes back from local namespaces and kind pods.
 */
export interface AgentMetric {
  hdr?: string;
  value?: number;
  /** for counters: how many events the value sums; for rates: the events counted */
  count?: number;
}

export interface AgentOutput {
  agent: string;
  metrics: Record<string, AgentMetric>;
  /** facts worth keeping (durations, resolver settings, errors seen); typed per agent by its contract (load/<agent>/contract.ts), checked where the output comes back */
  info?: Record<string, unknown>;
}

export function parseAgentOutput(text: string): AgentOutput {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`agent printed no JSON result: ${text.slice(0, 200)}`);
  const parsed = JSON.parse(line) as AgentOutput;
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.metrics !== 'object') {
    throw new Error('agent output has no metrics object');
  }
  return parsed;
}
