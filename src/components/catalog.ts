import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The upstream components the local provider runs, each built from a pinned Go module under
 * infra/components/<module>/ (go.mod + go.sum; no source or binary is kept in the repository).
 */
export interface ComponentBinary {
  /** file name of the binary */
  name: string;
  /** Go package path of its main package */
  pkg: string;
  /** prints the version, for doctor and run.json */
  versionArgs: string[];
}

export interface Component {
  /** directory under infra/components */
  module: string;
  /** the pinned module (its version is the component's) */
  upstream: string;
  binaries: ComponentBinary[];
  /** -X flags that stamp the version in, as the upstream release build does */
  ldflags(version: string): string[];
}

export const COMPONENTS: readonly Component[] = [
  {
    module: 'etcd',
    upstream: 'go.etcd.io/etcd/server/v3',
    binaries: [{ name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', versionArgs: ['--version'] }],
    ldflags: () => [],
  },
  {
    module: 'kubernetes',
    upstream: 'k8s.io/kubernetes',
    binaries: [
      { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', versionArgs: ['--version'] },
      { name: 'kube-proxy', pkg: 'k8s.io/kubernetes/cmd/kube-proxy', versionArgs: ['--version'] },
    ],
    ldflags: (v) => {
      const [major, minor] = v.replace(/^v/, '').split('.');
      const pkg = 'k8s.io/component-base/version';
      return [`-X ${pkg}.gitVersion=${v}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`];
    },
  },
  {
    module: 'coredns',
    upstream: 'github.com/coredns/coredns',
    binaries: [{ name: 'coredns', pkg: 'github.com/coredns/coredns', versionArgs: ['-version'] }],
    ldflags: () => [],
  },
];

/**
 * node-cache (NodeLocal DNSCache) lives in k8s.io/dns, whose tags are not semantic versions, so
 * the Go module proxy serves no version of it ("k8s.io/dns@1.26.7: ... 403 Forbidden: This
 * module version is not available"). node-cache is CoreDNS plus its own interface and iptables
 * set-up; the local provider runs the pinned CoreDNS with node-cache's Corefile and does that
 * set-up itself (see providers/local/real/node-local.ts).
 */
export const NODE_CACHE_UNAVAILABLE = 'k8s.io/dns (node-cache) is not served by the Go module proxy: its tags are not semantic versions';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function moduleDir(c: Component): string {
  return join(REPO_ROOT, 'infra', 'components', c.module);
}

/** The pinned version of the component's upstream module, read from its go.mod. */
export function pinnedVersion(c: Component): string {
  const mod = readFileSync(join(moduleDir(c), 'go.mod'), 'utf8');
  const m = new RegExp(`^\\s*(?:require\\s+)?${c.upstream.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s+(v\\S+)`, 'm').exec(mod);
  if (!m) throw new Error(`infra/components/${c.module}/go.mod does not require ${c.upstream}`);
  return m[1]!;
}

export function componentOf(binary: string): Component {
  const c = COMPONENTS.find((x) => x.binaries.some((b) => b.name === binary));
  if (!c) throw new Error(`no component provides ${binary}`);
  return c;
}
