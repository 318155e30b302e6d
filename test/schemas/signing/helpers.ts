// Shared test helpers for schemas/signing: vector loading and byte helpers.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeHex } from '../../../schemas/signing/encoding.js';

export { STANDARDS_DIR } from '../../harness/standards-dir.js';

export const VECTORS_DIR = fileURLToPath(new URL('../../vectors/signing/', import.meta.url));

export function readVector<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

/** Hex that the test data promises is valid. */
export function hex(text: string): Uint8Array {
  const bytes = decodeHex(text);
  if (bytes === undefined) throw new Error(`bad hex in test data: ${text}`);
  return bytes;
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Every *.json file below `dir`, recursively, sorted. */
export function jsonFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...jsonFilesUnder(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

/** A copy of `bytes` with `mask` XORed into byte `index`. */
export function flipByte(bytes: Uint8Array, index: number, mask = 0x01): Uint8Array {
  const copy = bytes.slice();
  copy[index]! ^= mask;
  return copy;
}
