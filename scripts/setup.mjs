#!/usr/bin/env node
// npm run setup: idempotent. On Debian/Ubuntu as root, apt-installs the local provider's
// prerequisites (without starting their system services), then npm ci, build, the upstream
// components (etcd, kube-apiserver, kube-proxy, CoreDNS), doctor.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, rmSync } from 'node:fs';

const sh = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`setup: ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status || 1);
  }
};

const packages = readFileSync(new URL('./apt-packages.txt', import.meta.url), 'utf8')
  .split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get') && existsSync('/usr/bin/dpkg-query');

if (hasApt) {
  const missing = packages.filter((p) => {
    try {
      return !execFileSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('install ok installed');
    } catch { return true; }
  });
  if (missing.length === 0) console.log('setup: system packages present');
  else if (!isRoot) console.log(`setup: not root, skipping apt; missing: ${missing.join(' ')} (the local provider needs them)`);
  else {
    console.log(`setup: apt-get install ${missing.join(' ')}`);
    // unbound and nginx must not start as host services: we run our own inside namespaces
    const policy = '/usr/sbin/policy-rc.d';
    const hadPolicy = existsSync(policy);
    if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    try {
      sh('apt-get', ['update', '-qq']);
      sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { DEBIAN_FRONTEND: 'noninteractive' });
    } finally {
      if (!hadPolicy) rmSync(policy, { force: true });
    }
  }
} else {
  console.log('setup: not a Debian/Ubuntu system; install iproute2 iptables nftables unbound nginx yourself');
}

sh('npm', ['ci', '--no-audit', '--no-fund']);
sh('npm', ['run', 'build']);
// etcd, kube-apiserver, kube-proxy and CoreDNS for the local provider: the pinned release
// downloads where they can be had, else built from infra/components/* (cached outside the repo)
sh('node', ['dist/src/cli/main.js', 'components', 'install']);
sh('node', ['dist/src/cli/main.js', 'doctor']);
