import { Command } from 'commander';
import { httpAgentCommand } from './agent-http.js';
import { benchCommand } from './bench.js';
import { cleanCommand } from './clean.js';
import { doctorCommand } from './doctor.js';
import { scenariosCommand } from './scenarios.js';
import { serveUpstreamCommand } from './serve-upstream.js';

/** Every command of DESIGN.md section 3; agents live under `agent`. */
export function addCommands(program: Command): void {
  program.addCommand(benchCommand());
  program.addCommand(scenariosCommand());
  program.addCommand(doctorCommand());
  program.addCommand(cleanCommand());
  const agent = new Command('agent').description('load agents (run inside client namespaces or pods; print one JSON line)');
  agent.addCommand(httpAgentCommand());
  program.addCommand(agent);
  program.addCommand(serveUpstreamCommand(), { hidden: true });
}
