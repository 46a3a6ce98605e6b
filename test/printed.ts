import type { ResultPromise } from 'execa';

/**
 * Resolves once a spawned helper process prints `word` on stdout (it is ready); rejects, naming
 * `what`, if it exits first or has not printed it within timeoutMs.
 */
export function printed(child: ResultPromise, word: string, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (!d.toString().includes(word)) return;
      clearTimeout(t);
      resolve();
    });
    child.on('exit', () => { clearTimeout(t); reject(new Error(`${what} exited before it was ready`)); });
  });
}
