/** What one worker thread measured: encoded histograms and plain counters, merged exactly by the parent. */
export interface WorkerResult {
  lookupLatency: string;
  queryLatency: string;
  queriesPerLookup: string;
  /** lookups finished inside the measured window */
  lookups: number;
  /** queries sent inside the measured window */
  queries: number;
  /** every query sent, the drain after the window included (what the server saw) */
  queriesSent: number;
  failed: number;
  timeouts: number;
  /** lookups that waited out a resolver timeout (a query of theirs went unanswered in time) */
  delayed: number;
  /** ICMP errors (unreachable) the sockets reported */
  socketErrors: number;
  answered: number;
  unfinished: number;
  rcodes: number[];
  statuses: Record<string, number>;
  elapsedMs: number;
  /** with timelineBinMs: bin start epoch ms -> [lookups, failed, delayed] */
  timeline?: Record<string, [number, number, number]>;
}
