// EPC binary (hex as read from a UHF tag's EPC bank) ↔ tag URI ↔ pure URI, element string and Digital Link (TDS 1.13 §14–15).

import type { Gs1ErrorCode } from '../codes.js';
import { err, ok } from '../result.js';
import type { Err, Result } from '../result.js';
import { BitWriter, bitsAreZero, isHex, readBigBits, readBits } from './epc-bits.js';
import { binarySchemeByHeader, binarySchemeByName, fieldBits } from './epc-binary-schemes.js';
import type { BinaryField, BinaryScheme, EpcBinaryScheme } from './epc-binary-schemes.js';
import { formatEpcDigitalLink } from './epc-digital-link.js';
import { escapeEpcComponent, isCset82Char } from './epc-escape.js';
import { formatEpcElementString } from './epc-elements.js';
import { EPC_COMPONENT_SPECS, epcIdentityToElements, validateComponents } from './epc-identity.js';
import type { EpcIdentity } from './epc-identity.js';
import { partitionForCompanyPrefix } from './epc-partition.js';
import { formatEpcUri, parseEpcUri } from './epc-uri.js';

export type { EpcBinaryScheme } from './epc-binary-schemes.js';

/** What one EPC read means, in every form the rest of Pedigree uses. */
export interface DecodedEpc {
  readonly scheme: EpcBinaryScheme;
  /** Filter value 0–7 (TDS §10); absent for GID-96, which has none. */
  readonly filter?: number;
  /** e.g. `urn:epc:tag:sgtin-96:3.0614141.812345.6789` */
  readonly tagUri: string;
  /** e.g. `urn:epc:id:sgtin:0614141.812345.6789` */
  readonly pureUri: string;
  readonly identity: EpcIdentity;
  /** Canonical GS1 Digital Link; absent for GID-96 (not a GS1 key). */
  readonly digitalLink?: string;
  /** e.g. `(01)80614141123458(21)6789`; absent for GID-96. */
  readonly elementString?: string;
  readonly companyPrefix?: string;
  readonly gtin?: string;
  readonly serial?: string;
  readonly sscc?: string;
  readonly gln?: string;
  /** SGLN extension (AI 254), absent when the extension is 0 ("none"). */
  readonly extension?: string;
}

export interface EncodeEpcOptions {
  /**
   * `word` (default): pad to a multiple of 16 bits, as the EPC bank stores it (TDS §15.1), e.g. SGTIN-198 →
   * 52 hex digits. `nibble`: the fewest hex digits that hold the bits (SGLN-195 → 49, as printed in TDS Annex E).
   */
  readonly padding?: 'word' | 'nibble';
}

export interface TagEncodingOptions extends EncodeEpcOptions {
  readonly scheme: EpcBinaryScheme;
  /** 0–7; ignored for GID-96. */
  readonly filter?: number;
}

/** Longest raw input considered at all (the longest scheme, ITIP-212, is 56 hex digits). */
const MAX_RAW_INPUT = 1024;

function invalid(message: string): Err<Gs1ErrorCode> {
  return err('INVALID_EPC', message);
}

function notEncodable(message: string): Err<Gs1ErrorCode> {
  return err('EPC_NOT_ENCODABLE', message);
}

/** TDS String method: 7-bit character set 82 codes, stopped by a zero code, rest zero. Null when malformed. */
function decodeString(hex: string, position: number, bits: number, maxChars: number): string | null {
  let out = '';
  const slots = Math.floor(bits / 7);
  for (let i = 0; i < slots; i++) {
    const code = readBits(hex, position + 7 * i, 7);
    if (code === 0) break;
    if (!isCset82Char(code)) return null;
    out += String.fromCharCode(code);
  }
  if (out.length === 0 || out.length > maxChars) return null;
  const used = 7 * out.length;
  return bitsAreZero(hex, position + used, bits - used) ? out : null;
}

/** Decodes one field into `components`; returns an error, or null when it went well. */
function decodeField(hex: string, position: number, field: BinaryField, components: string[]): Err<Gs1ErrorCode> | null {
  switch (field.kind) {
    case 'partition': {
      const p = readBits(hex, position, 3);
      const row = field.table[p];
      if (!row) return invalid(`partition value ${p} is not defined (TDS §14.4: only 0–6)`);
      const companyPrefix = readBits(hex, position + 3, row.companyPrefixBits);
      if (companyPrefix >= 10 ** row.companyPrefixDigits) {
        return invalid(`the company prefix does not fit in ${row.companyPrefixDigits} digits`);
      }
      components.push(String(companyPrefix).padStart(row.companyPrefixDigits, '0'));
      const at = position + 3 + row.companyPrefixBits;
      const n = row.referenceBits;
      const k = row.referenceDigits;
      if (field.reference === 'string') {
        const s = decodeString(hex, at, n, k);
        if (s === null) return invalid('the reference is not a valid 7-bit string');
        components.push(s);
      } else if (n <= 53) {
        const d = readBits(hex, at, n);
        if (d >= 10 ** k) return invalid(`the reference does not fit in ${k} digits`);
        components.push(field.reference === 'padded' ? (k === 0 ? '' : String(d).padStart(k, '0')) : String(d));
      } else {
        const d = readBigBits(hex, at, n);
        if (d >= 10n ** BigInt(k)) return invalid(`the reference does not fit in ${k} digits`);
        components.push(field.reference === 'padded' ? d.toString().padStart(k, '0') : d.toString());
      }
      return null;
    }
    case 'integer':
      components.push(field.bits <= 53 ? String(readBits(hex, position, field.bits)) : readBigBits(hex, position, field.bits).toString());
      return null;
    case 'string': {
      const s = decodeString(hex, position, field.bits, Math.floor(field.bits / 7));
      if (s === null) return invalid('the serial is not a valid 7-bit string');
      components.push(s);
      return null;
    }
    case 'numeric-string': {
      const digits = String(readBits(hex, position, field.bits));
      if (digits[0] !== '1' || digits.length < 2 || digits.length > 13) return invalid('the numeric string does not start with the marker 1');
      components.push(digits.slice(1));
      return null;
    }
    case 'fixed-integer': {
      const v = readBits(hex, position, field.bits);
      if (v >= 10 ** field.digits) return invalid(`a field does not fit in ${field.digits} digits`);
      components.push(String(v).padStart(field.digits, '0'));
      return null;
    }
    case 'reserved':
      return bitsAreZero(hex, position, field.bits) ? null : invalid('reserved bits are not zero');
  }
}

/**
 * Decodes EPC binary given as hex (attacker-controlled: a tag's EPC bank as a UHF reader reports it).
 * Surrounding whitespace and either case are accepted; the length must fit the scheme (from its exact
 * bit count in nibbles up to the 16-bit word padding) and padding bits must be zero. An unknown header is
 * UNSUPPORTED_EPC_SCHEME; any other defect (partition 7, a company prefix or reference too large for its
 * digits, a bad 7-bit character, non-zero reserved bits) is INVALID_EPC.
 */
export function decodeEpcHex(hex: string): Result<DecodedEpc, Gs1ErrorCode> {
  if (typeof hex !== 'string') return invalid('EPC hex must be a string');
  if (hex.length > MAX_RAW_INPUT) return err('INPUT_TOO_LONG', `EPC hex longer than ${MAX_RAW_INPUT} characters is refused`);
  const text = hex.trim();
  if (text.length === 0) return err('EMPTY_INPUT', 'the EPC hex is empty');
  if (!isHex(text)) return invalid('EPC hex may contain only 0-9, A-F');
  if (text.length < 2) return invalid('EPC hex is too short to hold a header');
  const scheme = binarySchemeByHeader(readBits(text, 0, 8));
  if (!scheme) return err('UNSUPPORTED_EPC_SCHEME', `EPC header 0x${text.slice(0, 2).toUpperCase()} is not a scheme this project reads`);
  const minNibbles = Math.ceil(scheme.bits / 4);
  const maxNibbles = Math.ceil(scheme.bits / 16) * 4;
  if (text.length < minNibbles || text.length > maxNibbles) {
    return invalid(`${scheme.name} needs ${minNibbles}${maxNibbles > minNibbles ? `–${maxNibbles}` : ''} hex digits, got ${text.length}`);
  }
  if (!bitsAreZero(text, scheme.bits, text.length * 4 - scheme.bits)) return invalid('padding bits after the EPC are not zero');

  let position = 8;
  let filter: number | undefined;
  if (scheme.hasFilter) {
    filter = readBits(text, 8, 3);
    position = 11;
  }
  const components: string[] = [];
  for (const field of scheme.fields) {
    const problem = decodeField(text, position, field, components);
    if (problem) return problem;
    position += fieldBits(field);
  }
  return buildDecodedEpc(scheme, filter, components);
}

/** Builds every representation of decoded components, checking that they form a valid GS1 key. */
function buildDecodedEpc(scheme: BinaryScheme, filter: number | undefined, components: string[]): Result<DecodedEpc, Gs1ErrorCode> {
  const problem = validateComponents(EPC_COMPONENT_SPECS[scheme.pure], components);
  if (problem) return problem;
  const identity: EpcIdentity = { kind: 'id', scheme: scheme.pure, components };
  let body = '';
  for (let i = 0; i < components.length; i++) body += (i > 0 ? '.' : '') + escapeEpcComponent(components[i] ?? '');
  const tagUri = `urn:epc:tag:${scheme.name}:${filter === undefined ? '' : `${filter}.`}${body}`;
  const pureUri = `urn:epc:id:${scheme.pure}:${body}`;
  const name = scheme.name as EpcBinaryScheme;
  if (scheme.pure === 'gid') return ok({ scheme: name, tagUri, pureUri, identity, serial: components[2] });

  const elements = epcIdentityToElements(identity);
  if (!elements.ok) return elements;
  const key = elements.value[0]?.value ?? '';
  const pure = scheme.pure;
  const third = components[2];
  // One literal with every field (absent ones undefined): a single object shape keeps this path fast.
  return ok({
    scheme: name,
    filter,
    tagUri,
    pureUri,
    identity,
    digitalLink: formatEpcDigitalLink(elements.value),
    elementString: formatEpcElementString(elements.value),
    companyPrefix: components[0],
    gtin: pure === 'sgtin' ? key : pure === 'itip' ? key.slice(0, 14) : undefined,
    serial:
      pure === 'itip' ? components[4] : pure === 'sgtin' || pure === 'grai' || pure === 'gdti' || pure === 'sgcn' || pure === 'cpi' ? third : undefined,
    sscc: pure === 'sscc' ? key : undefined,
    gln: pure === 'sgln' ? key : undefined,
    extension: pure === 'sgln' && third !== '0' ? third : undefined,
  });
}

interface ParsedTagUri {
  readonly scheme: BinaryScheme;
  readonly filter: number | undefined;
  readonly identity: EpcIdentity;
}

/** Reads an EPC tag URI (`urn:epc:tag:sgtin-96:3.0614141.812345.6789`, TDS §12), checking its identity part as a pure URI. */
function parseTagUri(tagUri: string): Result<ParsedTagUri, Gs1ErrorCode> {
  if (typeof tagUri !== 'string' || tagUri.length === 0) return err('EMPTY_INPUT', 'the tag URI is empty');
  if (tagUri.length > MAX_RAW_INPUT) return err('INPUT_TOO_LONG', `a tag URI longer than ${MAX_RAW_INPUT} characters is refused`);
  if (tagUri.slice(0, 8).toLowerCase() !== 'urn:epc:' || tagUri.slice(8, 12) !== 'tag:') {
    return invalid('an EPC tag URI starts with urn:epc:tag:');
  }
  const nameEnd = tagUri.indexOf(':', 12);
  if (nameEnd < 0) return invalid('expected urn:epc:tag:{scheme}:{filter}.{components}');
  const scheme = binarySchemeByName(tagUri.slice(12, nameEnd));
  if (!scheme) return err('UNSUPPORTED_EPC_SCHEME', `${tagUri.slice(12, nameEnd)} is not a binary scheme this project reads`);
  let body = tagUri.slice(nameEnd + 1);
  let filter: number | undefined;
  if (scheme.hasFilter) {
    if (!/^[0-7]\./.test(body)) return invalid('the filter value is one digit 0–7 followed by "."');
    filter = body.charCodeAt(0) - 48;
    body = body.slice(2);
  }
  const identity = parseEpcUri(`urn:epc:id:${scheme.pure}:${body}`);
  if (!identity.ok) return identity;
  return ok({ scheme, filter, identity: identity.value });
}

const INTEGER = /^(?:0|[1-9][0-9]*)$/;

function writeString(writer: BitWriter, value: string, bits: number): void {
  for (let i = 0; i < value.length; i++) writer.writeNumber(value.charCodeAt(i), 7);
  writer.skip(bits - 7 * value.length);
}

/** Encodes a checked identity with a binary scheme; EPC_NOT_ENCODABLE when a component does not fit it. */
function encodeIdentity(scheme: BinaryScheme, filter: number | undefined, identity: EpcIdentity, padding: 'word' | 'nibble'): Result<string, Gs1ErrorCode> {
  if (identity.kind !== 'id' || identity.scheme !== scheme.pure) {
    return notEncodable(`${scheme.name} encodes urn:epc:id:${scheme.pure} identities only`);
  }
  const writer = new BitWriter(Math.ceil(scheme.bits / 16) * 16);
  writer.writeNumber(scheme.header, 8);
  if (scheme.hasFilter) {
    if (filter === undefined || !Number.isInteger(filter) || filter < 0 || filter > 7) return invalid('the filter value must be an integer 0–7');
    writer.writeNumber(filter, 3);
  }
  const c = identity.components;
  let ci = 0;
  for (const field of scheme.fields) {
    switch (field.kind) {
      case 'partition': {
        const companyPrefix = c[ci++] ?? '';
        const reference = c[ci++] ?? '';
        const row = partitionForCompanyPrefix(field.table, companyPrefix.length);
        if (!row) return notEncodable(`no ${scheme.name} partition for a ${companyPrefix.length}-digit company prefix`);
        writer.writeNumber(row.partition, 3);
        writer.writeNumber(Number(companyPrefix), row.companyPrefixBits);
        if (field.reference === 'string') {
          if (reference.length > row.referenceDigits) return notEncodable(`${scheme.name} holds at most ${row.referenceDigits} reference characters`);
          writeString(writer, reference, row.referenceBits);
        } else if (field.reference === 'padded') {
          if (reference.length !== row.referenceDigits) return notEncodable('the reference has the wrong number of digits');
          writer.writeNumber(reference === '' ? 0 : Number(reference), row.referenceBits);
        } else {
          // Unpadded (GIAI-96, CPI-96): an integer without leading zeros, below 2^N and 10^K.
          if (!INTEGER.test(reference) || reference.length > row.referenceDigits || BigInt(reference) >= 1n << BigInt(row.referenceBits)) {
            return notEncodable(`${scheme.name} needs a reference of digits without a leading zero that fits in ${row.referenceBits} bits`);
          }
          writer.writeBigInt(BigInt(reference), row.referenceBits);
        }
        break;
      }
      case 'integer': {
        const s = c[ci++] ?? '';
        if (!INTEGER.test(s) || BigInt(s) >= 1n << BigInt(field.bits)) {
          return notEncodable(`${scheme.name} needs this component as digits without a leading zero, below 2^${field.bits}`);
        }
        writer.writeBigInt(BigInt(s), field.bits);
        break;
      }
      case 'string': {
        const s = c[ci++] ?? '';
        if (7 * s.length > field.bits) return notEncodable(`${scheme.name} holds at most ${Math.floor(field.bits / 7)} characters`);
        writeString(writer, s, field.bits);
        break;
      }
      case 'numeric-string': {
        const s = c[ci++] ?? '';
        const value = /^[0-9]{1,12}$/.test(s) ? BigInt('1' + s) : -1n;
        if (value < 0n || value >= 1n << BigInt(field.bits)) return notEncodable(`${scheme.name} needs 1 to 12 digits`);
        writer.writeBigInt(value, field.bits);
        break;
      }
      case 'fixed-integer': {
        const s = c[ci++] ?? '';
        if (s.length !== field.digits || !/^[0-9]+$/.test(s)) return notEncodable(`${scheme.name} needs ${field.digits} digits`);
        writer.writeNumber(Number(s), field.bits);
        break;
      }
      case 'reserved':
        writer.skip(field.bits);
        break;
    }
  }
  const nibbleCount = padding === 'nibble' ? Math.ceil(scheme.bits / 4) : Math.ceil(scheme.bits / 16) * 4;
  return ok(writer.toHex(nibbleCount));
}

/**
 * Encodes an EPC tag URI to uppercase hex (TDS §15.1). The scheme and filter come from the URI;
 * EPC_NOT_ENCODABLE when the identity is valid but does not fit the scheme (an SGTIN-96 serial with a
 * leading zero, letters, or ≥ 2^38), INVALID_EPC when the URI itself is malformed.
 */
export function encodeEpc(tagUri: string, options: EncodeEpcOptions = {}): Result<string, Gs1ErrorCode> {
  const parsed = parseTagUri(tagUri);
  if (!parsed.ok) return parsed;
  return encodeIdentity(parsed.value.scheme, parsed.value.filter, parsed.value.identity, options.padding ?? 'word');
}

/** Encodes a pure identity URI with the given binary scheme and filter value. */
export function encodePureEpc(pureUri: string, options: TagEncodingOptions): Result<string, Gs1ErrorCode> {
  const scheme = binarySchemeByName(options.scheme);
  if (!scheme) return err('UNSUPPORTED_EPC_SCHEME', `${String(options.scheme)} is not a binary scheme this project reads`);
  const identity = parseEpcUri(pureUri);
  if (!identity.ok) return identity;
  return encodeIdentity(scheme, scheme.hasFilter ? options.filter : undefined, identity.value, options.padding ?? 'word');
}

/** Pure identity URI → tag URI for a scheme and filter, checking that the identity fits that scheme. */
export function pureUriToTagUri(pureUri: string, options: TagEncodingOptions): Result<string, Gs1ErrorCode> {
  const hex = encodePureEpc(pureUri, options);
  if (!hex.ok) return hex;
  const decoded = decodeEpcHex(hex.value);
  return decoded.ok ? ok(decoded.value.tagUri) : decoded;
}

/** Tag URI → its canonical pure identity URI (drops the scheme size and the filter value). */
export function tagUriToPureUri(tagUri: string): Result<string, Gs1ErrorCode> {
  const parsed = parseTagUri(tagUri);
  return parsed.ok ? ok(formatEpcUri(parsed.value.identity)) : parsed;
}
