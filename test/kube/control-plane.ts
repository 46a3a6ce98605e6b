import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunId } from '../../src/core/ids.js';
import { haveBinaries } from '../../src/providers/local/real/binaries.js';
import { startStandaloneControlPlane, type StandaloneControlPlane } from '../../src/providers/local/real/standalone.js';

/**
 * Runs fn against a real etcd + kube-apiserver of its own (built by npm run setup), torn down
 * afterwards whatever fn does. Without the binaries it fails: a check that needs a real API
 * server must not pass by skipping.
 */
export async function withControlPlane<T>(fn: (cp: StandaloneControlPlane) => Promise<T>): Promise<T> {
  if (!haveBinaries(['etcd', 'kube-apiserver'])) throw new Error('etcd and kube-apiserver are missing: run npm run setup (discobench components install)');
  const runId = newRunId();
  const cp = await startStandaloneControlPlane(runId, join(tmpdir(), `disco-cp-${runId}`));
  try {
    return await fn(cp);
  } finally {
    await cp.stop();
  }
}
