import { run } from '../core/exec.js';
import { COMPONENTS } from './catalog.js';

/** The version a component binary reports about itself (e.g. "v1.36.3", "3.6.16", "1.14.7"). */
export async function binaryVersion(path: string, binary: string): Promise<string> {
  const b = COMPONENTS.flatMap((c) => c.binaries).find((x) => x.name === binary);
  const res = await run(path, b?.versionArgs ?? ['--version'], { reject: false, timeoutMs: 10_000 });
  const text = `${res.stdout}\n${res.stderr}`;
  const m = /(?:Kubernetes|etcd Version:|CoreDNS-)\s*(v?\d+\.\d+\.\d+\S*)/.exec(text) ?? /(v?\d+\.\d+\.\d+)/.exec(text);
  return m?.[1] ?? 'unknown';
}
