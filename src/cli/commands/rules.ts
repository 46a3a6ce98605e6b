import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseK8sObjects } from '../../dataplane/k8s-objects.js';
import { renderRuleset } from '../../dataplane/ruleset.js';
import type { ProxyMode } from '../../dataplane/proxier.js';

/** `discobench rules`: prints what kube-proxy would program for the Services in a YAML file. */
export function rulesCommand(): Command {
  return new Command('rules')
    .description("prints the ruleset kube-proxy would program for the Services and EndpointSlices in FILE (iptables-restore / nft -f / ipvsadm-restore text)")
    .addOption(new Option('--proxy <mode>', 'kube-proxy mode').choices(['iptables', 'nftables', 'ipvs']).makeOptionMandatory())
    .requiredOption('--services <file>', 'Kubernetes YAML with v1 Services and discovery.k8s.io/v1 EndpointSlices (several documents or a List)')
    .option('--cluster-cidr <cidr>', 'pod CIDR (kube-proxy --cluster-cidr): ClusterIP traffic from outside it is masqueraded')
    .action((opts: { proxy: ProxyMode; services: string; clusterCidr?: string }) => {
      let text: string;
      try {
        text = readFileSync(opts.services, 'utf8');
      } catch (err) {
        throw new UsageError(`--services ${opts.services}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`, 'give the path of a Kubernetes YAML file');
      }
      const state = parseK8sObjects(text, opts.services);
      process.stdout.write(renderRuleset(opts.proxy, state, { clusterCIDR: opts.clusterCidr }));
    });
}
