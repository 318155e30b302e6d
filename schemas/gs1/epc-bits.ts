// Bit-level reading and writing of EPC binary encodings, MSB first (TDS 1.13 §14.3–§14.4, §15): hex in, hex out.

const NIBBLE = new Uint8Array(128).fill(255);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

/** True when `hex` is non-empty and every character is a hex digit (either case). */
export function isHex(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) {
    const c = hex.charCodeAt(i);
    if (c >= 128 || NIBBLE[c] === 255) return false;
  }
  return hex.length > 0;
}

/**
 * Reads `length` ≤ 53 bits starting at bit `position` of a hex string already checked with isHex; bits past
 * the end read as zero. Works on the string itself, so a decode allocates no buffer.
 */
export function readBits(hex: string, position: number, length: number): number {
  let value = 0;
  let pos = position;
  let remaining = length;
  while (remaining > 0) {
    const index = pos >>> 2;
    const offset = pos & 3;
    const take = Math.min(4 - offset, remaining);
    const nibble = index < hex.length ? (NIBBLE[hex.charCodeAt(index)] ?? 0) : 0;
    value = value * (1 << take) + ((nibble >>> (4 - offset - take)) & ((1 << take) - 1));
    pos += take;
    remaining -= take;
  }
  return value;
}

/** Reads any number of bits as a bigint. */
export function readBigBits(hex: string, position: number, length: number): bigint {
  let value = 0n;
  let pos = position;
  let remaining = length;
  while (remaining > 0) {
    const take = Math.min(48, remaining);
    value = (value << BigInt(take)) | BigInt(readBits(hex, pos, take));
    pos += take;
    remaining -= take;
  }
  return value;
}

/** True when every bit in [position, position + length) is zero. */
export function bitsAreZero(hex: string, position: number, length: number): boolean {
  let pos = position;
  let remaining = length;
  while (remaining > 0) {
    const take = Math.min(48, remaining);
    if (readBits(hex, pos, take) !== 0) return false;
    pos += take;
    remaining -= take;
  }
  return true;
}

const HEX_DIGITS = '0123456789ABCDEF';

/** Accumulates bits MSB first and renders them as uppercase hex. */
export class BitWriter {
  private readonly nibbles: Uint8Array;
  private position = 0;

  constructor(capacityBits: number) {
    this.nibbles = new Uint8Array(Math.ceil(capacityBits / 4));
  }

  get bitLength(): number {
    return this.position;
  }

  /** Writes a non-negative integer below 2^length (length ≤ 53), a nibble-aligned chunk at a time. */
  writeNumber(value: number, length: number): void {
    let remaining = length;
    while (remaining > 0) {
      const offset = this.position & 3;
      const take = Math.min(4 - offset, remaining);
      remaining -= take;
      const chunk = Math.floor(value / 2 ** remaining) & ((1 << take) - 1);
      const index = this.position >>> 2;
      this.nibbles[index] = (this.nibbles[index] ?? 0) | (chunk << (4 - offset - take));
      this.position += take;
    }
  }

  /** Writes a non-negative bigint below 2^length, 32 bits at a time. */
  writeBigInt(value: bigint, length: number): void {
    let remaining = length;
    while (remaining > 0) {
      const take = remaining % 32 || 32;
      remaining -= take;
      this.writeNumber(Number((value >> BigInt(remaining)) & 0xffffffffn), take);
    }
  }

  /** Zero bits up to `length` in total (for reserved fields and padding). */
  skip(length: number): void {
    this.position += length;
  }

  /** The first `nibbleCount` nibbles as uppercase hex. */
  toHex(nibbleCount: number): string {
    let out = '';
    for (let i = 0; i < nibbleCount; i++) out += HEX_DIGITS[this.nibbles[i] ?? 0];
    return out;
  }
}
