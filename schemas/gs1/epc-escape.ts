// Character sets and escaping for EPC URIs (TDS 1.13 §5, Table A-1) and GS1 Digital Link path values (DL URI Syntax 1.2, Table 7-1).

/** Which character set a component is drawn from: GS1 AI encodable set 82 or set 39 (GenSpecs §7.11, Figures 7.11-1/-2). */
export type EpcCharset = 'cset82' | 'cset39';

const CSET82 = new Uint8Array(128);
const CSET39 = new Uint8Array(128);
/** Characters written literally in an EPC URI component (TDS §5 `GS3A3Char` minus `Escape`). */
const URN_LITERAL = new Uint8Array(128);
/** Characters written literally in a canonical Digital Link path value. */
const DL_LITERAL = new Uint8Array(128);

for (const ch of `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`) {
  CSET82[ch.charCodeAt(0)] = 1;
}
for (const ch of '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ') CSET39[ch.charCodeAt(0)] = 1;
for (let c = 0; c < 128; c++) {
  // TDS Table A-1: of the 82 characters only " % & / < > ? must be %-escaped in an EPC URI.
  URN_LITERAL[c] = CSET82[c] === 1 && !`"%&/<>?`.includes(String.fromCharCode(c)) ? 1 : 0;
  // DL Table 7-1 asks for ! ( ) * + , : to be percent-encoded as well. The CBV 2.0 event-hash reference
  // (GS1's epcis-event-hash-generator, dl_normaliser.py) leaves ' ; = literal, and every event hash
  // depends on this exact string, so we follow the reference (sub-delims are legal in a path, RFC 3986 §3.3).
  DL_LITERAL[c] = URN_LITERAL[c] === 1 && !'!()*+,:'.includes(String.fromCharCode(c)) ? 1 : 0;
}

export function isCset82Char(code: number): boolean {
  return code < 128 && CSET82[code] === 1;
}

export function isCset39Char(code: number): boolean {
  return code < 128 && CSET39[code] === 1;
}

/** True when every character of `value` belongs to `charset`. */
export function isInCharset(value: string, charset: EpcCharset): boolean {
  const table = charset === 'cset82' ? CSET82 : CSET39;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || table[c] !== 1) return false;
  }
  return true;
}

const HEX = '0123456789ABCDEF';

function percent(code: number): string {
  return '%' + HEX[code >> 4] + HEX[code & 15];
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Decodes `%XX` escapes; null when an escape is malformed or decodes outside 7-bit ASCII. */
function percentDecode(raw: string): string | null {
  if (!raw.includes('%')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c !== 37) {
      out += raw[i];
      continue;
    }
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return null;
    const decoded = hi * 16 + lo;
    if (decoded >= 128) return null;
    out += String.fromCharCode(decoded);
    i += 2;
  }
  return out;
}

/**
 * Decodes one EPC URI component (attacker-controlled) into the GS1 value it denotes, or null when it is
 * not a valid component of `charset`. TDS §5 grammar: literal `GS3A3Char`s plus `%XX` escapes; escapes of
 * any character of the set are accepted (hex in either case), so the result is canonical whatever the writer chose.
 */
export function unescapeEpcComponent(raw: string, charset: EpcCharset): string | null {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 37) continue; // '%', checked by percentDecode
    // Literal characters: set 82 minus those Table A-1 escapes; for set 39 (CPI), '#' and '/' must be escaped.
    const literal = charset === 'cset82' ? URN_LITERAL[c] === 1 : CSET39[c] === 1 && c !== 35 && c !== 47;
    if (!literal) return null;
  }
  const decoded = percentDecode(raw);
  if (decoded === null || !isInCharset(decoded, charset)) return null;
  return decoded;
}

/** Writes a GS1 value as an EPC URI component: TDS Table A-1 escapes (`/` → `%2F`, `#` → `%23`, …). */
export function escapeEpcComponent(value: string): string {
  let i = 0;
  while (i < value.length && URN_LITERAL[value.charCodeAt(i)] === 1) i++;
  if (i === value.length) return value; // the usual case: nothing to escape
  let out = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += c < 128 && URN_LITERAL[c] === 1 ? value[i] : percent(c);
  }
  return out;
}

/** Writes a GS1 value as a canonical Digital Link path segment (uppercase `%XX`). */
export function encodeDigitalLinkValue(value: string): string {
  let i = 0;
  while (i < value.length && DL_LITERAL[value.charCodeAt(i)] === 1) i++;
  if (i === value.length) return value;
  let out = value.slice(0, i);
  for (; i < value.length; i++) {
    const c = value.charCodeAt(i);
    out += c < 128 && DL_LITERAL[c] === 1 ? value[i] : percent(c);
  }
  return out;
}

/** Percent-decodes a Digital Link path segment (attacker-controlled); null when an escape is malformed or non-ASCII. */
export function decodeDigitalLinkValue(raw: string): string | null {
  return percentDecode(raw);
}
