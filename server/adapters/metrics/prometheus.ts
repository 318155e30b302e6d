// Prometheus metrics (prom-client): ingest counters, batch size, commit latency, tree size, and Node's defaults.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { IngestMetrics } from '../../domain/ingest-pipeline.js';

export interface LedgerMetrics extends IngestMetrics {
  readonly registry: Registry;
  setTreeSize(size: number): void;
  /** A recall acknowledgement over MQTT: `recorded`, or the refusal code it was dropped with. */
  recallAck(outcome: string): void;
  /** Reports the proof node cache (tree-node-cache.ts) at every scrape. */
  observeProofCache(read: () => ProofCacheState): void;
}

export interface ProofCacheState {
  readonly nodes: number;
  /** Lowest level held in memory: proofs read the levels below it from the database. */
  readonly level: number;
  /** The start-up load has finished: until then proofs read their nodes from the database as they miss. */
  readonly loaded: boolean;
}

export function createLedgerMetrics(): LedgerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pedigree_process_' });
  const received = new Counter({ name: 'pedigree_messages_received_total', help: 'Device messages received', registers: [registry] });
  const accepted = new Counter({ name: 'pedigree_messages_accepted_total', help: 'Envelopes appended to the log', registers: [registry] });
  const duplicate = new Counter({ name: 'pedigree_messages_duplicate_total', help: 'Retransmissions answered with their original index', registers: [registry] });
  const rejected = new Counter({
    name: 'pedigree_messages_rejected_total',
    help: 'Messages rejected, by code',
    labelNames: ['code'],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'pedigree_batch_size',
    help: 'Envelopes per append transaction',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
    registers: [registry],
  });
  const commit = new Histogram({
    name: 'pedigree_commit_seconds',
    help: 'Append transaction latency',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const recallAcks = new Counter({
    name: 'pedigree_recall_acks_total',
    help: 'Recall acknowledgements received over MQTT, by outcome (recorded or the refusal code)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const treeSize = new Gauge({ name: 'pedigree_tree_size', help: 'Entries in the log', registers: [registry] });
  let proofCache: (() => ProofCacheState) | undefined;
  const proofCacheGauge = (name: string, help: string, value: (s: ProofCacheState) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        if (proofCache) this.set(value(proofCache()));
      },
    });
  proofCacheGauge('pedigree_proof_cache_nodes', 'Merkle tree nodes held in memory for proofs', (s) => s.nodes);
  proofCacheGauge('pedigree_proof_cache_lowest_level', 'Lowest tree level held in memory (0: every level)', (s) => s.level);
  proofCacheGauge('pedigree_proof_cache_loaded', '1 once the start-up load of the proof node cache has finished', (s) => (s.loaded ? 1 : 0));
  return {
    registry,
    received: () => received.inc(),
    accepted: (n) => accepted.inc(n),
    duplicate: (n) => duplicate.inc(n),
    rejected: (code) => rejected.inc({ code }),
    batch: (size, seconds, tree) => {
      batchSize.observe(size);
      commit.observe(seconds);
      treeSize.set(tree);
    },
    setTreeSize: (size) => treeSize.set(size),
    recallAck: (outcome) => recallAcks.inc({ outcome }),
    observeProofCache: (read) => {
      proofCache = read;
    },
  };
}
