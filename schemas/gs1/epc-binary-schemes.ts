// EPC binary coding schemes (TDS 1.13 §14.2 header values, §14.5 field layouts) for the GS1 keys and GID.

import type { EpcIdScheme } from './epc-identity.js';
import {
  CPI96_PARTITIONS,
  GIAI202_PARTITIONS,
  GIAI96_PARTITIONS,
  GRAI_PARTITIONS,
  GSRN_PARTITIONS,
  SGLN_PARTITIONS,
  SGTIN_PARTITIONS,
  SSCC_PARTITIONS,
} from './epc-partition.js';
import type { PartitionTable } from './epc-partition.js';

/** One field after header and filter, named by the encoding method it uses (TDS §14.3 encoding, §14.4 decoding). */
export type BinaryField =
  /** Partition Table (padded reference), Unpadded Partition Table, String Partition Table: two URI components. */
  | { readonly kind: 'partition'; readonly table: PartitionTable; readonly reference: 'padded' | 'unpadded' | 'string' }
  /** Integer: decimal without leading zeros. */
  | { readonly kind: 'integer'; readonly bits: number }
  /** String: 7-bit characters of character set 82, zero-padded. */
  | { readonly kind: 'string'; readonly bits: number }
  /** Numeric String: digits with leading zeros, encoded as the integer of "1" + digits (SGCN serial). */
  | { readonly kind: 'numeric-string'; readonly bits: number }
  /** Fixed Width Integer: zero-padded to `digits` (ITIP piece and total). */
  | { readonly kind: 'fixed-integer'; readonly bits: number; readonly digits: number }
  /** Reserved bits, zero. */
  | { readonly kind: 'reserved'; readonly bits: number };

export interface BinaryScheme {
  /** Tag URI scheme name, e.g. `sgtin-96`. */
  readonly name: string;
  readonly header: number;
  /** Encoding length in bits (the hex on a tag is padded to a 16-bit word). */
  readonly bits: number;
  readonly pure: EpcIdScheme;
  /** GID has no filter value; every GS1 scheme has a 3-bit one. */
  readonly hasFilter: boolean;
  readonly fields: readonly BinaryField[];
}

const partition = (table: PartitionTable, reference: 'padded' | 'unpadded' | 'string' = 'padded'): BinaryField => ({ kind: 'partition', table, reference });
const integer = (bits: number): BinaryField => ({ kind: 'integer', bits });
const string = (bits: number): BinaryField => ({ kind: 'string', bits });

/** Every scheme this module decodes and encodes (TDS 1.13 Table 14-1). CPI-var, ADI-var, USDOD-96 and the deprecated GDTI-113 are not read. */
export const BINARY_SCHEMES: readonly BinaryScheme[] = [
  { name: 'sgtin-96', header: 0x30, bits: 96, pure: 'sgtin', hasFilter: true, fields: [partition(SGTIN_PARTITIONS), integer(38)] },
  { name: 'sgtin-198', header: 0x36, bits: 198, pure: 'sgtin', hasFilter: true, fields: [partition(SGTIN_PARTITIONS), string(140)] },
  { name: 'sscc-96', header: 0x31, bits: 96, pure: 'sscc', hasFilter: true, fields: [partition(SSCC_PARTITIONS), { kind: 'reserved', bits: 24 }] },
  { name: 'sgln-96', header: 0x32, bits: 96, pure: 'sgln', hasFilter: true, fields: [partition(SGLN_PARTITIONS), integer(41)] },
  { name: 'sgln-195', header: 0x39, bits: 195, pure: 'sgln', hasFilter: true, fields: [partition(SGLN_PARTITIONS), string(140)] },
  { name: 'grai-96', header: 0x33, bits: 96, pure: 'grai', hasFilter: true, fields: [partition(GRAI_PARTITIONS), integer(38)] },
  { name: 'grai-170', header: 0x37, bits: 170, pure: 'grai', hasFilter: true, fields: [partition(GRAI_PARTITIONS), string(112)] },
  { name: 'giai-96', header: 0x34, bits: 96, pure: 'giai', hasFilter: true, fields: [partition(GIAI96_PARTITIONS, 'unpadded')] },
  { name: 'giai-202', header: 0x38, bits: 202, pure: 'giai', hasFilter: true, fields: [partition(GIAI202_PARTITIONS, 'string')] },
  { name: 'gsrn-96', header: 0x2d, bits: 96, pure: 'gsrn', hasFilter: true, fields: [partition(GSRN_PARTITIONS), { kind: 'reserved', bits: 24 }] },
  { name: 'gsrnp-96', header: 0x2e, bits: 96, pure: 'gsrnp', hasFilter: true, fields: [partition(GSRN_PARTITIONS), { kind: 'reserved', bits: 24 }] },
  { name: 'gdti-96', header: 0x2c, bits: 96, pure: 'gdti', hasFilter: true, fields: [partition(SGLN_PARTITIONS), integer(41)] },
  { name: 'gdti-174', header: 0x3e, bits: 174, pure: 'gdti', hasFilter: true, fields: [partition(SGLN_PARTITIONS), string(119)] },
  { name: 'cpi-96', header: 0x3c, bits: 96, pure: 'cpi', hasFilter: true, fields: [partition(CPI96_PARTITIONS, 'unpadded'), integer(31)] },
  { name: 'sgcn-96', header: 0x3f, bits: 96, pure: 'sgcn', hasFilter: true, fields: [partition(SGLN_PARTITIONS), { kind: 'numeric-string', bits: 41 }] },
  {
    name: 'itip-110', header: 0x40, bits: 110, pure: 'itip', hasFilter: true,
    fields: [partition(SGTIN_PARTITIONS), { kind: 'fixed-integer', bits: 7, digits: 2 }, { kind: 'fixed-integer', bits: 7, digits: 2 }, integer(38)],
  },
  {
    name: 'itip-212', header: 0x41, bits: 212, pure: 'itip', hasFilter: true,
    fields: [partition(SGTIN_PARTITIONS), { kind: 'fixed-integer', bits: 7, digits: 2 }, { kind: 'fixed-integer', bits: 7, digits: 2 }, string(140)],
  },
  // GID-96: General Manager Number 28 bits, Object Class 24, Serial 36; no filter, no partition.
  { name: 'gid-96', header: 0x35, bits: 96, pure: 'gid', hasFilter: false, fields: [integer(28), integer(24), integer(36)] },
];

export type EpcBinaryScheme =
  | 'sgtin-96' | 'sgtin-198' | 'sscc-96' | 'sgln-96' | 'sgln-195' | 'grai-96' | 'grai-170' | 'giai-96' | 'giai-202'
  | 'gsrn-96' | 'gsrnp-96' | 'gdti-96' | 'gdti-174' | 'cpi-96' | 'sgcn-96' | 'itip-110' | 'itip-212' | 'gid-96';

const BY_HEADER: readonly (BinaryScheme | undefined)[] = (() => {
  const out: (BinaryScheme | undefined)[] = new Array(256).fill(undefined);
  for (const s of BINARY_SCHEMES) out[s.header] = s;
  return out;
})();

const BY_NAME: ReadonlyMap<string, BinaryScheme> = new Map(BINARY_SCHEMES.map((s) => [s.name, s]));

export function binarySchemeByHeader(header: number): BinaryScheme | undefined {
  return BY_HEADER[header];
}

export function binarySchemeByName(name: string): BinaryScheme | undefined {
  return BY_NAME.get(name);
}

/** Bits a field occupies. */
export function fieldBits(field: BinaryField): number {
  if (field.kind !== 'partition') return field.bits;
  const row = field.table[0];
  return 3 + (row ? row.companyPrefixBits + row.referenceBits : 0);
}
