import { Command } from 'commander';
import { listScenarioNames, loadScenario } from '../../scenario/load.js';

export function scenariosCommand(): Command {
  return new Command('scenarios').description('lists the shipped scenarios').action(() => {
    const names = listScenarioNames();
    const width = Math.max(...names.map((n) => n.length), 4);
    for (const name of names) {
      let line: string;
      try {
        const { scenario } = loadScenario(name);
        line = `${scenario.provider.padEnd(8)} ${scenario.description}`;
      } catch (err) {
        line = `(invalid: ${err instanceof Error ? err.message : String(err)})`;
      }
      process.stdout.write(`${name.padEnd(width)}  ${line}\n`);
    }
  });
}
