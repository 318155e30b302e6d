// Standard padded base64 with Node's native encoder for response bodies (the same text as schemas/signing's
// browser-safe encodeBase64, several times faster on the verification and proof paths).
export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
