// Why the log refused a proof or root query (typed results), and the fault raised when its node store lacks a node.

/**
 * Codes of the `{ ok: false }` results returned by the proof and root queries. Index, size and range come from
 * callers (query strings of `GET /v1/proofs/*`), so they are untrusted input: a typed result, never a throw.
 * - `INDEX_OUT_OF_RANGE`: a leaf index that is not an integer in [0, size).
 * - `SIZE_OUT_OF_RANGE`: a tree size that is not an integer in [0, treeSize] (larger than the log, or malformed).
 * - `INVALID_RANGE`: a consistency proof asked from a larger tree to a smaller one (`from > to`).
 */
export const LOG_ERROR_CODES = ['INDEX_OUT_OF_RANGE', 'SIZE_OUT_OF_RANGE', 'INVALID_RANGE'] as const;
export type LogErrorCode = (typeof LOG_ERROR_CODES)[number];

/**
 * The node store does not hold (or holds a hash of the wrong length for) a complete subtree it must hold at a
 * size the log has reached: the store is damaged or was written by a buggy appender. A server fault (HTTP 500),
 * not bad input, so it is thrown (STYLE.md habit 8; the lead's PedigreeError can wrap it as its `cause`).
 */
export class TreeNodeMissingError extends Error {
  readonly code = 'TREE_NODE_MISSING';
  /** The missing nodes as `${level}:${index}` ids. */
  readonly missing: readonly string[];

  constructor(missing: readonly string[]) {
    const shown = missing.slice(0, 8).join(', ');
    super(`the tree node store lacks ${missing.length} stored subtree(s): ${shown}${missing.length > 8 ? ', …' : ''}`);
    this.name = 'TreeNodeMissingError';
    this.missing = missing;
  }
}
