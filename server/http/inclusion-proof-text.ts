// The JSON text of a verification's proof (custody-routes.ts), written by hand so that the answer stays a one-byte
// string. The checkpoint note's signature lines begin with an em dash (U+2014, C2SP signed-note): as a character it
// made V8 build the whole ≈ 4.8 KB answer as a two-byte string (twice the bytes to allocate, copy and scan) and
// transcode it to UTF-8 on every write. Here the note is written with \uXXXX escapes, once per checkpoint, and the
// base64 texts need no escaping at all. JSON.parse reads the same values as JSON.stringify would have written.
import { HASH_SIZE } from '../../schemas/signing/merkle.js';
import { base64 } from './base64.js';

export interface InclusionProofJson {
  readonly index: number;
  readonly size: number;
  readonly entry: Uint8Array;
  readonly leafHash: Uint8Array;
  readonly hashes: readonly Uint8Array[];
  readonly checkpoint: string;
}

/** JSON text of a string with every character outside ASCII written as a \uXXXX escape. */
export function asciiJsonString(s: string): string {
  return JSON.stringify(s).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// The latest checkpoint's note is the same for every answer until the next one is signed.
let lastNote: string | undefined;
let lastNoteText = '';

/** `{"index":…,"size":…,"entry":…,"leafHash":…,"hashes":[…],"checkpoint":…}`, the byte arrays in padded base64. */
export function inclusionProofText(p: InclusionProofJson): string {
  if (p.checkpoint !== lastNote) {
    lastNoteText = asciiJsonString(p.checkpoint);
    lastNote = p.checkpoint;
  }
  // The hashes side by side in one buffer, each encoded from its slice: no Buffer object a hash.
  const all = Buffer.allocUnsafe(p.hashes.length * HASH_SIZE);
  for (let i = 0; i < p.hashes.length; i++) all.set(p.hashes[i]!, i * HASH_SIZE);
  let hashes = '';
  for (let i = 0; i < p.hashes.length; i++) hashes += `${i === 0 ? '"' : ',"'}${all.toString('base64', i * HASH_SIZE, (i + 1) * HASH_SIZE)}"`;
  return `{"index":${p.index},"size":${p.size},"entry":"${base64(p.entry)}","leafHash":"${base64(p.leafHash)}","hashes":[${hashes}],"checkpoint":${lastNoteText}}`;
}
