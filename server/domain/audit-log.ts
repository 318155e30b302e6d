// `npm run audit`: recomputes every leaf hash, re-verifies every envelope signature with the key valid for its seq,
// rebuilds the tree comparing every stored node, and checks every stored checkpoint's root and signature.
import type { KeyObject } from 'node:crypto';
import { leafHash } from '../log/merkle-hashes.js';
import { bytesEqual } from '../../schemas/signing/encoding.js';
import { parseEnvelope } from '../../schemas/signing/envelope.js';
import { verifyEnvelope } from '../../schemas/signing/verify-envelope.js';
import { parseCaptureEntry, verifyCaptureEntry } from '../../schemas/signing/capture-entry.js';
import { parseRecallEntry, verifyRecallEntry } from '../../schemas/signing/recall-entry.js';
import { openCheckpoint } from '../../schemas/signing/checkpoint.js';
import type { NoteVerifier } from '../../schemas/signing/signed-note.js';
import { appendLeaves, EMPTY_FRONTIER, type TreeFrontier } from '../log/append-leaves.js';
import { nodeId, nodeKey } from '../log/tree-nodes.js';
import type { DeviceDirectory, DeviceKey, LedgerStore, StoredCheckpoint } from './ports.js';
import { keyForSeq } from './check-envelope.js';

export interface AuditOptions {
  readonly store: LedgerStore;
  readonly devices: DeviceDirectory;
  readonly origin: string;
  readonly logVerifier: NoteVerifier;
  /** The ledger's Ed25519 public key: capture entries are signed with it (schemas/signing/capture-entry.ts). */
  readonly ledgerPublicKey?: Uint8Array;
  readonly keyObject?: (key: DeviceKey) => KeyObject | Uint8Array;
  readonly pageSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export type AuditProblem =
  | 'LEAF_HASH_MISMATCH'
  | 'ENTRY_UNREADABLE'
  | 'SIGNATURE_INVALID'
  | 'UNKNOWN_DEVICE'
  | 'INDEX_GAP'
  | 'TREE_NODE_MISMATCH'
  | 'CHECKPOINT_ROOT_MISMATCH'
  | 'CHECKPOINT_SIGNATURE_INVALID';

export type AuditResult =
  | { readonly ok: true; readonly entries: number; readonly signatures: number; readonly nodes: number; readonly checkpoints: number }
  | { readonly ok: false; readonly index: number; readonly problem: AuditProblem; readonly detail: string };

export async function auditLog(o: AuditOptions): Promise<AuditResult> {
  const pageSize = o.pageSize ?? 5000;
  const total = await o.store.treeSize();
  const checkpoints = await o.store.checkpoints();
  let nextCheckpoint = 0;
  let frontier: TreeFrontier = EMPTY_FRONTIER;
  let signatures = 0;
  let nodes = 0;
  const fail = (index: number, problem: AuditProblem, detail: string): AuditResult => ({ ok: false, index, problem, detail });

  const checkCheckpoint = (cp: StoredCheckpoint, root: Uint8Array): AuditResult | undefined => {
    if (!bytesEqual(cp.root, root)) return fail(cp.size - 1, 'CHECKPOINT_ROOT_MISMATCH', `checkpoint at size ${cp.size} does not match the entries`);
    const opened = openCheckpoint(cp.note, { logVerifier: o.logVerifier, origin: o.origin });
    if (!opened.ok || opened.value.checkpoint.size !== cp.size || !bytesEqual(opened.value.checkpoint.rootHash, root)) {
      return fail(cp.size - 1, 'CHECKPOINT_SIGNATURE_INVALID', `checkpoint note at size ${cp.size} does not verify with the ledger key`);
    }
    return undefined;
  };

  for (let from = 0; from < total; from += pageSize) {
    const rows = await o.store.entriesRange(from, pageSize);
    const leaves: Uint8Array[] = [];
    for (const [i, row] of rows.entries()) {
      const index = from + i;
      if (row.index !== index) return fail(index, 'INDEX_GAP', `expected entry ${index}, found ${row.index}`);
      const computed = leafHash(row.bytes);
      if (!bytesEqual(computed, row.leafHash)) return fail(index, 'LEAF_HASH_MISMATCH', 'stored leaf hash differs from SHA-256(0x00 ‖ entry)');
      if (row.kind === 'device') {
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(row.bytes));
        } catch {
          return fail(index, 'ENTRY_UNREADABLE', 'entry bytes are not UTF-8 JSON');
        }
        const env = parseEnvelope(json);
        if (!env.ok) return fail(index, 'ENTRY_UNREADABLE', env.message);
        const device = await o.devices.findDevice(env.value.device);
        if (!device) return fail(index, 'UNKNOWN_DEVICE', `device ${env.value.device} is not in the registry`);
        const key = keyForSeq(device.keys, env.value.seq);
        const v = key ? verifyEnvelope(env.value, o.keyObject ? o.keyObject(key) : key.publicKey) : undefined;
        if (!v?.ok) return fail(index, 'SIGNATURE_INVALID', `signature of ${env.value.device} seq ${env.value.seq} does not verify`);
        signatures++;
      } else if (row.kind === 'capture') {
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(row.bytes));
        } catch {
          return fail(index, 'ENTRY_UNREADABLE', 'entry bytes are not UTF-8 JSON');
        }
        const entry = parseCaptureEntry(json);
        if (!entry.ok) return fail(index, 'ENTRY_UNREADABLE', entry.message);
        const v = o.ledgerPublicKey ? verifyCaptureEntry(entry.value, o.ledgerPublicKey) : undefined;
        if (!v?.ok) return fail(index, 'SIGNATURE_INVALID', `capture entry of party ${entry.value.party} (capture ${entry.value.captureID}) does not verify with the ledger key`);
        signatures++;
      } else if (row.kind === 'ledger') {
        // The ledger's own entries (recalls, DESIGN.md §8): signed with the ledger key like capture entries.
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(row.bytes));
        } catch {
          return fail(index, 'ENTRY_UNREADABLE', 'entry bytes are not UTF-8 JSON');
        }
        const entry = parseRecallEntry(json);
        if (!entry.ok) return fail(index, 'ENTRY_UNREADABLE', entry.message);
        const v = o.ledgerPublicKey ? verifyRecallEntry(entry.value, o.ledgerPublicKey) : undefined;
        if (!v?.ok) return fail(index, 'SIGNATURE_INVALID', 'recall entry does not verify with the ledger key');
        signatures++;
      }
      leaves.push(computed);
    }
    if (rows.length < Math.min(pageSize, total - from)) return fail(from + rows.length, 'INDEX_GAP', 'entries end before the tree size');
    // Rebuild this page's part of the tree, compare with every stored node, and check checkpoints in range.
    let offset = 0;
    while (offset < leaves.length) {
      const cp = checkpoints[nextCheckpoint];
      if (cp && cp.size <= frontier.size) {
        // Only a checkpoint at a size already passed can be here: the tree never had that root then.
        return fail(cp.size - 1, 'CHECKPOINT_ROOT_MISMATCH', `checkpoint at size ${cp.size} is out of order`);
      }
      const stop = cp && cp.size <= from + leaves.length ? cp.size - from : leaves.length;
      const appended = appendLeaves(frontier, leaves.slice(offset, stop));
      const stored = await o.store.getNodes(appended.nodes);
      for (const n of appended.nodes) {
        const s = stored.get(nodeKey(n));
        if (!s || !bytesEqual(s, n.hash)) {
          return fail(n.index * 2 ** n.level, 'TREE_NODE_MISMATCH', `stored tree node ${nodeId(n)} is ${s ? 'different' : 'missing'}`);
        }
      }
      nodes += appended.nodes.length;
      frontier = appended.frontier;
      offset = stop;
      if (cp && cp.size === frontier.size) {
        const problem = checkCheckpoint(cp, appended.root);
        if (problem) return problem;
        nextCheckpoint++;
      }
    }
    o.onProgress?.(Math.min(from + pageSize, total), total);
  }
  if (nextCheckpoint !== checkpoints.length) {
    const cp = checkpoints[nextCheckpoint]!;
    return fail(cp.size - 1, 'CHECKPOINT_ROOT_MISMATCH', `checkpoint at size ${cp.size} is beyond the ${total} entries`);
  }
  return { ok: true, entries: total, signatures, nodes, checkpoints: checkpoints.length };
}
