// EPC binary partition tables (TDS 1.13 §14.5): how the company prefix and the next field share their bits.

/** One row: partition value P, company prefix bits M / digits L, reference bits N / digits (or characters) K. */
export interface PartitionRow {
  readonly partition: number;
  readonly companyPrefixBits: number;
  readonly companyPrefixDigits: number;
  readonly referenceBits: number;
  readonly referenceDigits: number;
}

/** Rows indexed by partition value 0–6; 7 is never valid (TDS §14.4, Partition Table decoding). */
export type PartitionTable = readonly PartitionRow[];

const COMPANY_PREFIX_BITS = [40, 37, 34, 30, 27, 24, 20] as const;

function table(referenceBits: readonly number[], referenceDigits: readonly number[]): PartitionTable {
  return COMPANY_PREFIX_BITS.map((companyPrefixBits, partition) => ({
    partition,
    companyPrefixBits,
    companyPrefixDigits: 12 - partition,
    referenceBits: referenceBits[partition] ?? 0,
    referenceDigits: referenceDigits[partition] ?? 0,
  }));
}

/** SGTIN (Table 14-2), also used by ITIP: indicator digit + item reference. 44 bits. */
export const SGTIN_PARTITIONS = table([4, 7, 10, 14, 17, 20, 24], [1, 2, 3, 4, 5, 6, 7]);
/** SSCC (Table 14-5): extension digit + serial reference. 58 bits. */
export const SSCC_PARTITIONS = table([18, 21, 24, 28, 31, 34, 38], [5, 6, 7, 8, 9, 10, 11]);
/** SGLN location reference; the same layout serves GDTI document type and SGCN coupon reference. 41 bits. */
export const SGLN_PARTITIONS = table([1, 4, 7, 11, 14, 17, 21], [0, 1, 2, 3, 4, 5, 6]);
/** GRAI asset type. 44 bits. */
export const GRAI_PARTITIONS = table([4, 7, 10, 14, 17, 20, 24], [0, 1, 2, 3, 4, 5, 6]);
/** GIAI-96 individual asset reference, an integer without leading zeros ("unpadded"). 82 bits. */
export const GIAI96_PARTITIONS = table([42, 45, 48, 52, 55, 58, 62], [13, 14, 15, 16, 17, 18, 19]);
/** GIAI-202 individual asset reference as 7-bit characters (K = maximum characters). 188 bits. */
export const GIAI202_PARTITIONS = table([148, 151, 154, 158, 161, 164, 168], [18, 19, 20, 21, 22, 23, 24]);
/** GSRN and GSRNP service reference. 58 bits. */
export const GSRN_PARTITIONS = table([18, 21, 24, 28, 31, 34, 38], [5, 6, 7, 8, 9, 10, 11]);
/** CPI-96 component/part reference, an integer without leading zeros. 51 bits. */
export const CPI96_PARTITIONS = table([11, 14, 17, 21, 24, 27, 31], [3, 4, 5, 6, 7, 8, 9]);

/** The row for a company prefix of `digits` digits, if any. */
export function partitionForCompanyPrefix(rows: PartitionTable, digits: number): PartitionRow | undefined {
  return rows.find((r) => r.companyPrefixDigits === digits);
}
