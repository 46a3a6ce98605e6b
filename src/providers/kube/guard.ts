import { UsageError } from '../../core/errors.js';

/**
 * An existing cluster may be someone's production: kind clusters (context `kind-*`) are fair
 * game, anything else only when the user names that exact context and confirms with --yes.
 */
export function guardContext(context: string, options: { context?: string; yes?: boolean }): void {
  if (context.startsWith('kind-')) return;
  if (options.context === context && options.yes) return;
  throw new UsageError(
    `refusing to run against kubeconfig context "${context}": it is not a kind cluster`,
    `to run there anyway, name it and confirm: --provider existing --context ${context} --yes`,
  );
}
