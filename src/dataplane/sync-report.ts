/** What one rule sync did, whoever programmed the rules (the model's proxier or real kube-proxy). */
export interface SyncReport {
  kind: 'full' | 'partial';
  /** wall time until the data plane holds the new rules */
  durationMs: number;
  /** iptables rules / nft map elements / IPVS virtual servers after the sync */
  rules: number;
}
