// The outbox's on-disk record: a 16-byte header then the exact envelope bytes the gateway publishes.
//
//   u32le  payload length
//   u32le  CRC-32 (zlib) of bytes 8.. (seq and payload)
//   u32le  seq, low 32 bits
//   u32le  seq, high 21 bits (seq < 2^53)
//   bytes  payload (UTF-8 JSON of the signed envelope)
//
// A record is valid only whole and with a matching CRC, so a write torn by a power cut is found on reopening
// and cut off; records before it are intact (each batch is fsynced before the next is written).
import { crc32 } from 'node:zlib';

export const RECORD_HEADER_BYTES = 16;
/** Envelopes are capped far lower by the ledger (64 KiB); anything larger here is corruption. */
export const MAX_RECORD_PAYLOAD = 16 * 1024 * 1024;

export interface OutboxRecord {
  readonly seq: number;
  readonly payload: Buffer;
}

export function encodeRecord(seq: number, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(seq % 0x1_0000_0000, 8);
  out.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), 12);
  out.set(payload, RECORD_HEADER_BYTES);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

export type DecodedRecord =
  | { readonly kind: 'record'; readonly record: OutboxRecord; readonly size: number }
  /** Not enough bytes yet for a whole record (or a torn tail). */
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Decodes the record at `offset` of `buf`; the payload is a copy (the buffer is reused by readers). */
export function decodeRecord(buf: Buffer, offset: number, end: number = buf.length): DecodedRecord {
  if (end - offset < RECORD_HEADER_BYTES) return { kind: 'incomplete' };
  const length = buf.readUInt32LE(offset);
  if (length > MAX_RECORD_PAYLOAD) return { kind: 'corrupt', reason: `record length ${length} is implausible` };
  const size = RECORD_HEADER_BYTES + length;
  if (end - offset < size) return { kind: 'incomplete' };
  const crc = buf.readUInt32LE(offset + 4);
  if (crc32(buf.subarray(offset + 8, offset + size)) !== crc) return { kind: 'corrupt', reason: 'CRC mismatch' };
  const seq = buf.readUInt32LE(offset + 8) + buf.readUInt32LE(offset + 12) * 0x1_0000_0000;
  const payload = Buffer.from(buf.subarray(offset + RECORD_HEADER_BYTES, offset + size));
  return { kind: 'record', record: { seq, payload }, size };
}
