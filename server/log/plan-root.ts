// Which stored nodes the root of the tree at a given size needs: the checkpoint at an old size, the audit.
import { err, ok, type Result } from '../../schemas/result.js';
import { emptyRoot } from '../../schemas/signing/merkle.js';
import { frontierKeys } from './append-leaves.js';
import type { LogErrorCode } from './log-errors.js';
import { foldSubtreeHashes } from './subtree-ranges.js';
import { requireNodes, type NodeKey, type NodeMap } from './tree-nodes.js';
import { isTreeSize } from './tree-sizes.js';

export interface RootPlan {
  readonly size: number;
  /** The complete subtrees covering [0, size), left to right (the frontier at that size): ≤ log2(size) + 1 reads. */
  readonly keys: readonly NodeKey[];
}

/** The plan of MTH(D[0:size]) (RFC 9162 §2.1.1) at any size the log has passed. `size` is attacker-controlled. */
export function planRoot(size: number): Result<RootPlan, LogErrorCode> {
  if (!isTreeSize(size)) return err('SIZE_OUT_OF_RANGE', `tree size ${size} is not a non-negative integer`);
  return ok({ size, keys: frontierKeys(size) });
}

/**
 * MTH(D[0:size]) from the nodes a `getNodes(plan.keys)` call returned; throws `TreeNodeMissingError` if one is
 * absent.
 */
export function assembleRoot(plan: RootPlan, found: NodeMap): Uint8Array {
  return plan.size === 0 ? emptyRoot() : foldSubtreeHashes(requireNodes(found, plan.keys));
}
