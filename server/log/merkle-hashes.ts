// RFC 6962 leaf and interior node hashes with node:crypto: the same bytes as schemas/signing/merkle.ts (noble, which
// the browser and the gateway use), several times faster on the ledger's append and proof paths.
import { createHash } from 'node:crypto';

const LEAF_PREFIX = new Uint8Array([0]);
const NODE_PREFIX = new Uint8Array([1]);

function digest(prefix: Uint8Array, a: Uint8Array, b?: Uint8Array): Uint8Array {
  const h = createHash('sha256').update(prefix).update(a);
  if (b) h.update(b);
  const d = h.digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return digest(LEAF_PREFIX, entry);
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return digest(NODE_PREFIX, left, right);
}
