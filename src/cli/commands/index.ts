import { Command } from 'commander';
import { connectAgentCommand } from './agent-connect.js';
import { dnsAgentCommand } from './agent-dns.js';
import { httpAgentCommand } from './agent-http.js';
import { benchCommand } from './bench.js';
import { bridgeCommand } from './bridge.js';
import { cleanCommand } from './clean.js';
import { compareCommand } from './compare.js';
import { componentsCommand } from './components.js';
import { doctorCommand } from './doctor.js';
import { perfCommand } from './perf.js';
import { reportCommand } from './report.js';
import { resolvCommand } from './resolv.js';
import { rulesCommand } from './rules.js';
import { scenariosCommand } from './scenarios.js';
import { serveUpstreamCommand } from './serve-upstream.js';
import { vmCommand } from './vm.js';

/** Every command of the README's command table; agents live under `agent`. */
export function addCommands(program: Command): void {
  program.addCommand(benchCommand());
  program.addCommand(reportCommand());
  program.addCommand(compareCommand());
  program.addCommand(scenariosCommand());
  program.addCommand(doctorCommand());
  program.addCommand(componentsCommand());
  program.addCommand(cleanCommand());
  program.addCommand(perfCommand());
  program.addCommand(resolvCommand());
  program.addCommand(rulesCommand());
  program.addCommand(vmCommand());
  const agent = new Command('agent').description('load agents (run inside client namespaces or pods; print one JSON line)');
  agent.addCommand(dnsAgentCommand());
  agent.addCommand(httpAgentCommand());
  agent.addCommand(connectAgentCommand());
  program.addCommand(agent);
  program.addCommand(serveUpstreamCommand(), { hidden: true });
  program.addCommand(bridgeCommand(), { hidden: true });
}
