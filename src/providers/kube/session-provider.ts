import type { AgentOutput } from '../../metrics/agent-output.js';
import type { ClusterState } from '../../model/cluster.js';
import type { AgentRequest, ProviderSample, SyncReport } from '../provider.js';
import type { KubeSession } from './session.js';

/**
 * What the kind and existing providers share: once up() has opened a KubeSession, Services,
 * agents and samples all go through it. The providers differ only in how they get a cluster.
 */
export abstract class SessionProvider {
  abstract readonly name: string;
  protected session?: KubeSession;

  protected need(): KubeSession {
    if (!this.session) throw new Error(`${this.name} provider: up() has not run`);
    return this.session;
  }

  applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    return this.need().applyServices(state, opts);
  }

  runAgent(req: AgentRequest): Promise<AgentOutput> {
    return this.need().runAgent(req);
  }

  sample(): Promise<ProviderSample> {
    return this.need().sample();
  }
}
