// Byte encodings used at the edges (base64, base64url, hex, UTF-8): browser-safe, Uint8Array only, strict decoders.
//
// Every decoder takes attacker-controlled input and returns `undefined` instead of throwing. "Strict" means
// exactly one text per byte string (RFC 4648 §3.5 canonical encoding): characters outside the alphabet,
// whitespace, missing or misplaced padding, and non-zero trailing bits are all refused, so a signature or hash
// cannot be written in two ways that both decode.

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function lookupTable(alphabet: string): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

const BASE64_LOOKUP = lookupTable(BASE64_ALPHABET);
const BASE64URL_LOOKUP = lookupTable(BASE64URL_ALPHABET);

function encodeBase64With(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]!;
    if (pad) out += '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += alphabet[(n >>> 18) & 63]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]!;
    if (pad) out += '=';
  }
  return out;
}

/** Decodes `data` (no padding characters) with `table`; undefined on a bad character or non-zero trailing bits. */
function decodeBase64Body(data: string, table: Int16Array): Uint8Array | undefined {
  const rest = data.length % 4;
  if (rest === 1) return undefined;
  const out = new Uint8Array(Math.floor(data.length / 4) * 3 + (rest === 0 ? 0 : rest - 1));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    const v = c < 128 ? table[c]! : -1;
    if (v < 0) return undefined;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  // RFC 4648 §3.5: the unused low bits of the last character must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** Standard base64 (RFC 4648 §4) with padding: the form used in checkpoints, notes and the read API. */
export function encodeBase64(bytes: Uint8Array): string {
  return encodeBase64With(bytes, BASE64_ALPHABET, true);
}

/** Strict standard padded base64; undefined on anything that is not the canonical encoding of some bytes. */
export function decodeBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const body = text.slice(0, text.length - pad);
  // `=` anywhere else is caught by the alphabet check in decodeBase64Body.
  return decodeBase64Body(body, BASE64_LOOKUP);
}

/** base64url (RFC 4648 §5) without padding: the form used in envelopes, ledger messages and raw keys. */
export function encodeBase64url(bytes: Uint8Array): string {
  return encodeBase64With(bytes, BASE64URL_ALPHABET, false);
}

/** Strict unpadded base64url; padding, `+`, `/` and non-zero trailing bits are refused. */
export function decodeBase64url(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string') return undefined;
  return decodeBase64Body(text, BASE64URL_LOOKUP);
}

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex (the canonical form of C2SP key IDs, fingerprints and test vectors). */
export function encodeHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >>> 4]! + HEX_DIGITS[b & 15]!;
  return out;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** Strict lowercase hex of even length; uppercase is refused so that each byte string has one text. */
export function decodeHex(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % 2 !== 0) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 is an error, not U+FFFD. ignoreBOM: a leading U+FEFF is kept as text, never silently
// dropped, so decode(encode(x)) is the identity and signed text cannot lose a byte on the way in.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * True when `text` has no lone UTF-16 surrogate, i.e. it has exactly one UTF-8 encoding.
 * (String.prototype.isWellFormed is ES2024; this file targets ES2022 browsers too.)
 */
/** ES2024 String.prototype.isWellFormed where the runtime has it (Node 20, current browsers): native, same answer. */
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;

export function isWellFormedUnicode(text: string): boolean {
  if (nativeIsWellFormed !== undefined) return nativeIsWellFormed.call(text);
  return isWellFormedByScan(text);
}

/** The same check by scanning UTF-16 code units (runtimes without isWellFormed). */
export function isWellFormedByScan(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * UTF-8 bytes of `text`. Lone surrogates would silently become U+FFFD, so callers that sign or hash check
 * `isWellFormedUnicode` first (canonicalJson and the note functions do).
 */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** Strict UTF-8 decoding; undefined on invalid UTF-8 (overlong forms, surrogates, truncated sequences). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Concatenation of byte strings. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Byte equality (not constant-time: for public data such as hashes, keys and signatures). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
