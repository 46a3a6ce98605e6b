import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnProcess } from '../../../src/core/exec.js';
import { printed } from '../../printed.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** The zone served by fixtures/zone-server.ts. */
export interface TestZone {
  records: Record<string, { A?: string[]; AAAA?: string[]; CNAME?: string }>;
  servfail?: string[];
  drop?: string[];
  /** every answer is sent this many ms late */
  delayMs?: number;
}

/** Starts fixtures/zone-server.js on ip:53 in netns (its zone file written to dir; every query logged to log if given); resolves once it listens. */
export async function startZoneServer(o: { netns: string; ip: string; dir: string; zone: TestZone; log?: string }): Promise<{ stop(): void }> {
  const zoneFile = join(o.dir, 'zone.json');
  writeFileSync(zoneFile, JSON.stringify(o.zone));
  const server = spawnProcess(process.execPath, [join(here, 'fixtures/zone-server.js'), o.ip, '53', zoneFile, ...(o.log ? [o.log] : [])], { netns: o.netns });
  await printed(server, 'ready', 'zone server');
  return {
    stop: () => {
      if (!server.pid) return;
      try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    },
  };
}
