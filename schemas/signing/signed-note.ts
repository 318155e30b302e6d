// C2SP signed notes (c2sp.org/signed-note@v1.0.0): key IDs, verifier keys (vkeys), signing, strict parsing, opening.
//
//   <text ending in \n>
//   \n
//   — <key name> base64(uint32 key ID ‖ signature)\n      (one line per signature; em dash U+2014, space)
//
// Parsing and opening follow golang.org/x/mod/sumdb/note `Open` (the reference the C2SP spec was written from),
// with stricter base64 (canonical only) and a size limit: notes arrive from the network and are hostile until a
// known key's signature verifies.
import { sha256 } from '@noble/hashes/sha2.js';
import { err, ok, type Result } from '../result.js';
import {
  deriveEd25519PublicKey,
  ED25519_PUBLIC_KEY_SIZE,
  ED25519_SIGNATURE_SIZE,
  isStrictEd25519PublicKey,
  signEd25519,
  verifyEd25519,
} from './ed25519.js';
import {
  concatBytes,
  decodeBase64,
  decodeHex,
  decodeUtf8,
  encodeBase64,
  encodeUtf8,
  isWellFormedUnicode,
} from './encoding.js';

/** Signature type identifier bytes (signed-note §Signature types). */
export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

/** Default largest note accepted: room for 16+ post-quantum signatures (the spec's floor), still small. */
export const NOTE_MAX_BYTES = 256 * 1024;
/** Default most signature lines accepted (the Go reference's limit; the spec requires at least 16). */
export const NOTE_MAX_SIGNATURES = 100;

const SIGNATURE_PREFIX = '\u2014 '; // em dash, space

/** Something that signs note text under a (name, key ID): an Ed25519 log key or a witness cosigner. */
export interface NoteSigner {
  readonly name: string;
  /** uint32 key ID (signed-note §Signatures). */
  readonly keyId: number;
  /** Signature bytes (without the key ID) over the UTF-8 note text. */
  sign(text: Uint8Array): Uint8Array;
}

/** Something that checks note signatures made under one (name, key ID). */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  /** True when `signature` (without the key ID) is valid over the UTF-8 note text. Must not throw. */
  verify(text: Uint8Array, signature: Uint8Array): boolean;
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  readonly signature: Uint8Array;
}

/** A parsed but unverified note: its text must be ignored until openNote verifies it. */
export interface Note {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note with at least one signature from a known key verified. */
export interface OpenedNote {
  readonly text: string;
  /** Signatures by known keys, all verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys not in the verifier list (ignored, kept for re-publication). */
  readonly unverified: readonly NoteSignature[];
}

/** A verifier key: `<name>+<hex key ID>+<base64(type ‖ public key)>`. */
export interface Vkey {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

export interface NoteParseOptions {
  /** Largest note accepted, in UTF-8 bytes. Default NOTE_MAX_BYTES. */
  readonly maxBytes?: number;
  /** Most signature lines accepted. Default NOTE_MAX_SIGNATURES. */
  readonly maxSignatures?: number;
}

const WHITE_SPACE = /\p{White_Space}/u; // what Go's unicode.IsSpace matches

/** Key names: non-empty, valid Unicode, no Unicode space and no `+` (signed-note §Format). */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    isWellFormedUnicode(name) &&
    !WHITE_SPACE.test(name) &&
    !name.includes('+') &&
    !hasControlCharacter(name)
  );
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/** Note text: valid Unicode, ends in a newline, no ASCII control character other than newline. */
export function isValidNoteText(text: unknown): text is string {
  return typeof text === 'string' && text.endsWith('\n') && isWellFormedUnicode(text) && !hasControlCharacter(text);
}

/** Key ID (signed-note §Signatures): SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] as a big-endian uint32. */
export function computeKeyId(name: string, type: number, publicKey: Uint8Array): number {
  const digest = sha256(concatBytes(encodeUtf8(name), Uint8Array.of(0x0a, type), publicKey));
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
}

function keyIdHex(keyId: number): string {
  return keyId.toString(16).padStart(8, '0');
}

function keyIdBytes(keyId: number): Uint8Array {
  return Uint8Array.of((keyId >>> 24) & 0xff, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
}

/** `<name>+<hex key ID>+<base64(type ‖ public key)>`, with the key ID computed from the key. */
export function formatVkey(vkey: Omit<Vkey, 'keyId'>): string {
  if (!isValidKeyName(vkey.name)) throw new TypeError('vkey name must be non-empty, without spaces or +');
  const keyId = computeKeyId(vkey.name, vkey.type, vkey.publicKey);
  return `${vkey.name}+${keyIdHex(keyId)}+${encodeBase64(concatBytes(Uint8Array.of(vkey.type), vkey.publicKey))}`;
}

/**
 * Parses a vkey (signed-note §Verifier keys). For Ed25519 (0x01) and Ed25519 cosignature (0x04) keys it also
 * checks that the key is 32 strict bytes and that the key ID is the one computed from name, type and key, as
 * Go's note.NewVerifier does. Other types are returned unchecked. Never throws.
 */
export function parseVkey(text: unknown): Result<Vkey, 'KEY_INVALID'> {
  if (typeof text !== 'string' || text.length > 16_384) return err('KEY_INVALID', 'vkey must be a short string');
  // Names have no '+', but standard base64 may: split at the first two '+' only (Go's note.NewVerifier does too).
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (first < 0 || second < 0) return err('KEY_INVALID', 'vkey must be <name>+<hex key ID>+<base64 key>');
  const name = text.slice(0, first);
  const idHex = text.slice(first + 1, second);
  const keyBase64 = text.slice(second + 1);
  if (!isValidKeyName(name)) return err('KEY_INVALID', 'vkey name must be non-empty, without spaces or +');
  const id = idHex.length === 8 ? decodeHex(idHex) : undefined;
  if (id === undefined) return err('KEY_INVALID', 'vkey key ID must be 8 lowercase hex digits');
  const material = decodeBase64(keyBase64);
  if (material === undefined || material.length < 2) return err('KEY_INVALID', 'vkey key must be canonical base64');
  const keyId = ((id[0]! << 24) | (id[1]! << 16) | (id[2]! << 8) | id[3]!) >>> 0;
  const type = material[0]!;
  const publicKey = material.slice(1);
  if (type === SIGNATURE_TYPE_ED25519 || type === SIGNATURE_TYPE_COSIGNATURE_V1) {
    if (publicKey.length !== ED25519_PUBLIC_KEY_SIZE || !isStrictEd25519PublicKey(publicKey)) {
      return err('KEY_INVALID', 'vkey Ed25519 key must be a strict 32-byte public key');
    }
    if (computeKeyId(name, type, publicKey) !== keyId) {
      return err('KEY_INVALID', 'vkey key ID does not match its name and key');
    }
  }
  return ok({ name, keyId, type, publicKey });
}

export interface Ed25519NoteSignerOptions {
  /** Key name, e.g. the log origin `pedigree.example/log`. */
  readonly name: string;
  readonly secretKey: Uint8Array;
}

/** Signs notes with Ed25519 (type 0x01), e.g. the ledger's checkpoints. Throws on an invalid name or key. */
export function ed25519NoteSigner(options: Ed25519NoteSignerOptions): NoteSigner {
  const { name, secretKey } = options;
  if (!isValidKeyName(name)) throw new TypeError('note key name must be non-empty, without spaces or +');
  const keyId = computeKeyId(name, SIGNATURE_TYPE_ED25519, deriveEd25519PublicKey(secretKey));
  return { name, keyId, sign: (text) => signEd25519(text, secretKey) };
}

export interface Ed25519NoteVerifierOptions {
  readonly name: string;
  readonly publicKey: Uint8Array;
}

/** Verifies Ed25519 (type 0x01) note signatures, strictly. Throws on an invalid name or key (configuration). */
export function ed25519NoteVerifier(options: Ed25519NoteVerifierOptions): NoteVerifier {
  const { name, publicKey } = options;
  if (!isValidKeyName(name)) throw new TypeError('note key name must be non-empty, without spaces or +');
  if (!isStrictEd25519PublicKey(publicKey)) throw new TypeError('not a strict Ed25519 public key');
  const key = publicKey.slice();
  return {
    name,
    keyId: computeKeyId(name, SIGNATURE_TYPE_ED25519, key),
    verify: (text, signature) => signature.length === ED25519_SIGNATURE_SIZE && verifyEd25519(signature, text, key),
  };
}

/** A note verifier from an Ed25519 (type 0x01) vkey; other types are refused. Never throws. */
export function noteVerifierFromVkey(text: unknown): Result<NoteVerifier, 'KEY_INVALID'> {
  const parsed = parseVkey(text);
  if (!parsed.ok) return parsed;
  if (parsed.value.type !== SIGNATURE_TYPE_ED25519) {
    return err('KEY_INVALID', `vkey type 0x${parsed.value.type.toString(16).padStart(2, '0')} is not Ed25519 (0x01)`);
  }
  return ok(ed25519NoteVerifier({ name: parsed.value.name, publicKey: parsed.value.publicKey }));
}

function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  return `${SIGNATURE_PREFIX}${name} ${encodeBase64(concatBytes(keyIdBytes(keyId), signature))}\n`;
}

/**
 * The signed note: `text`, a blank line, the `existing` signatures not made again by one of `signers` (same
 * name and key ID), then one line per signer. Throws TypeError on invalid text or signer names (our own data).
 */
export function signNote(
  text: string,
  signers: readonly NoteSigner[],
  existing: readonly NoteSignature[] = [],
): string {
  if (!isValidNoteText(text)) {
    throw new TypeError('note text must be valid Unicode, end in a newline and have no control characters');
  }
  const message = encodeUtf8(text);
  const replaced = new Set<string>();
  const added: string[] = [];
  for (const signer of signers) {
    if (!isValidKeyName(signer.name)) throw new TypeError(`invalid note key name ${JSON.stringify(signer.name)}`);
    replaced.add(`${signer.name}+${keyIdHex(signer.keyId)}`);
    added.push(signatureLine(signer.name, signer.keyId, signer.sign(message)));
  }
  let note = `${text}\n`;
  for (const sig of existing) {
    if (!isValidKeyName(sig.name)) throw new TypeError(`invalid note key name ${JSON.stringify(sig.name)}`);
    if (replaced.has(`${sig.name}+${keyIdHex(sig.keyId)}`)) continue;
    note += signatureLine(sig.name, sig.keyId, sig.signature);
  }
  return note + added.join('');
}

function noteToString(input: unknown, maxBytes: number): string | undefined {
  if (input instanceof Uint8Array) {
    return input.length > maxBytes ? undefined : decodeUtf8(input);
  }
  // UTF-8 is never shorter than UTF-16 code units, so the length test is a cheap first bound.
  if (typeof input !== 'string' || input.length > maxBytes || !isWellFormedUnicode(input)) return undefined;
  return encodeUtf8(input).length > maxBytes ? undefined : input;
}

/**
 * Splits a signed note into text and signature lines without verifying anything (attacker-controlled input:
 * never throws). The text MUST be ignored until openNote has verified a known key's signature.
 */
export function parseNote(input: unknown, options: NoteParseOptions = {}): Result<Note, 'NOTE_MALFORMED'> {
  const maxBytes = options.maxBytes ?? NOTE_MAX_BYTES;
  const maxSignatures = options.maxSignatures ?? NOTE_MAX_SIGNATURES;
  const note = noteToString(input, maxBytes);
  if (note === undefined) return err('NOTE_MALFORMED', `note must be valid UTF-8 of at most ${maxBytes} bytes`);
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) {
      return err('NOTE_MALFORMED', 'note contains a control character other than newline', { position: i });
    }
  }
  // The text is separated from the signatures by the last empty line.
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return err('NOTE_MALFORMED', 'note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) {
    return err('NOTE_MALFORMED', 'note must end with newline-terminated signature lines');
  }
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) return err('NOTE_MALFORMED', `note has more than ${maxSignatures} signatures`);
  const signatures: NoteSignature[] = [];
  let position = split + 2;
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      return err('NOTE_MALFORMED', 'signature line must start with an em dash and a space', { position });
    }
    const rest = line.slice(SIGNATURE_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const bytes = space < 0 ? undefined : decodeBase64(rest.slice(space + 1));
    if (!isValidKeyName(name) || bytes === undefined || bytes.length < 5) {
      return err('NOTE_MALFORMED', 'signature line must be "— <name> <base64(key ID ‖ signature)>"', { position });
    }
    const keyId = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
    signatures.push({ name, keyId, signature: bytes.slice(4) });
    position += line.length + 1;
  }
  return ok({ text, signatures });
}

/**
 * Parses a note and verifies it against known keys (signed-note §Signatures): signatures by unknown keys are
 * ignored; a known key's signature that fails rejects the whole note; at least one known signature must verify.
 * Repeated signatures by one key are checked once, as in Go's note.Open. Never throws.
 */
export function openNote(
  input: unknown,
  verifiers: readonly NoteVerifier[],
  options: NoteParseOptions = {},
): Result<OpenedNote, 'NOTE_MALFORMED' | 'NOTE_SIGNATURE_INVALID'> {
  const parsed = parseNote(input, options);
  if (!parsed.ok) return parsed;
  const known = new Map<string, NoteVerifier | null>(); // null: two verifiers claim the same name and key ID
  for (const v of verifiers) {
    const id = `${v.name}+${keyIdHex(v.keyId)}`;
    known.set(id, known.has(id) ? null : v);
  }
  const message = encodeUtf8(parsed.value.text);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const sig of parsed.value.signatures) {
    const id = `${sig.name}+${keyIdHex(sig.keyId)}`;
    const verifier = known.get(id);
    if (verifier === undefined) {
      const line = `${id}+${encodeBase64(sig.signature)}`;
      if (!seen.has(line)) unverified.push(sig);
      seen.add(line);
      continue;
    }
    if (verifier === null) return err('NOTE_SIGNATURE_INVALID', `ambiguous verifier keys for ${id}`);
    if (seen.has(id)) continue;
    seen.add(id);
    let valid = false;
    try {
      valid = verifier.verify(message, sig.signature) === true;
    } catch {
      valid = false;
    }
    if (!valid) return err('NOTE_SIGNATURE_INVALID', `invalid signature for key ${id}`);
    verified.push(sig);
  }
  if (verified.length === 0) return err('NOTE_SIGNATURE_INVALID', 'note has no valid signature from a known key');
  return ok({ text: parsed.value.text, verified, unverified });
}
