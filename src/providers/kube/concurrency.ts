import { apiStatus } from './kube-api.js';

/** Runs fn over items with at most `limit` in flight; the first failure rejects after in-flight ones settle. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!, i);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
  return out;
}

/** API errors worth retrying: throttling, server trouble, conflicts, dropped connections. */
export function retryable(err: unknown): boolean {
  const code = apiStatus(err);
  if (code !== undefined) return code === 409 || code === 429 || code >= 500;
  return /ECONNRESET|ETIMEDOUT|EPIPE|socket hang up|fetch failed|socket disconnected/i.test(String((err as Error)?.message ?? err));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Retries fn with exponential backoff (100 ms, 200 ms, ...) while the error is retryable. */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 6, baseMs = 100): Promise<T> {
  for (let a = 1; ; a++) {
    try {
      return await fn();
    } catch (err) {
      if (a >= attempts || !retryable(err)) throw err;
      await sleep(baseMs * 2 ** (a - 1));
    }
  }
}
