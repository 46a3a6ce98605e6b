import { Command } from 'commander';
import { MeasurementError } from '../../core/errors.js';
import { locateAll } from '../../components/cache.js';
import { pinnedVersion } from '../../components/catalog.js';
import { installComponents, lastInstallError } from '../../components/install.js';
import { binaryVersion } from '../../components/version.js';

/** Lists the real components (etcd, kube-apiserver, kube-proxy, CoreDNS) and installs them. */
export function componentsCommand(): Command {
  const cmd = new Command('components').description('the upstream binaries the local provider runs: list, or install (download or build the pinned versions)');
  cmd.command('list', { isDefault: true }).description('each binary, where it is and its version').action(async () => {
    for (const line of await componentLines()) process.stdout.write(`${line}\n`);
  });
  cmd
    .command('install')
    .description('download (SHA-256 checked) or build each pinned component into the cache; reuses what is there')
    .option('--no-download', 'build from the pinned Go modules without trying the release downloads')
    .action(async (o: { download: boolean }) => {
      const results = await installComponents({ download: o.download, log: (m) => process.stderr.write(`${m}\n`) });
      const failed = results.filter((r) => r.how === 'failed');
      if (failed.length) throw new MeasurementError(`components failed: ${failed.map((r) => `${r.component.module} ${r.version}`).join(', ')}`, 'see the go command\'s error above; the local provider uses its model for what is missing');
    });
  return cmd;
}

/** One line per binary: found where, which version; or missing with the install error. */
export async function componentLines(): Promise<string[]> {
  const lines: string[] = [];
  for (const { component, binary, located } of locateAll()) {
    if (located) {
      lines.push(`  ok      ${binary} ${await binaryVersion(located.path, binary)}  (${located.path}${located.from === 'user' ? ', DISCOBENCH_BIN_DIR' : ''})`);
    } else {
      const err = lastInstallError(component);
      lines.push(`  missing ${binary} ${pinnedVersion(component)}  -> npm run setup${err ? ` (last attempt failed: ${err.split('\n')[0]})` : ''}`);
    }
  }
  return lines;
}
