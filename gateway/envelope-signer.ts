// Signs the gateway's envelopes (DESIGN.md §3): the signing bytes come from schemas/signing, the Ed25519 primitive
// from node:crypto by default.
//
// Why not noble's signEnvelope on the hot path: on this 2-core box noble signs about 1,000 envelopes/s, below the
// 2,000 reads/s a gateway must sustain; node:crypto (OpenSSL) signs about 20,000/s. Ed25519 signatures are
// deterministic (RFC 8032 §5.1.6), so both produce the same bytes for the same key and message; a test checks
// that this signer and schemas/signing signEnvelope produce identical envelopes. `engine: 'noble'` keeps the
// pure-JS path available (a runtime without OpenSSL Ed25519).
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { encodeBase64url } from '../schemas/signing/encoding.js';
import { envelopeForSigning, ENVELOPE_VERSION, signEnvelope, type SignedEnvelope } from '../schemas/signing/envelope.js';
import { canonicalJson, type JsonObject } from '../schemas/signing/canonical-bytes.js';
import { derivePublicKey } from '../schemas/signing/keys.js';
import { DEVICE_ID_PATTERN } from '../schemas/topics.js';

export interface EnvelopeSignerOptions {
  readonly device: string;
  /** 32-byte Ed25519 secret key. */
  readonly secretKey: Uint8Array;
  readonly engine?: 'node' | 'noble';
}

export interface EnvelopeSigner {
  readonly device: string;
  readonly publicKey: Uint8Array;
  /** The signed envelope for this seq and event. Throws TypeError on an event that is not plain JSON (our bug). */
  sign(seq: number, event: object): SignedEnvelope;
  /**
   * The signed envelope as the JSON text the gateway publishes: RFC 8785 canonical (the signing text with the
   * signature in its place), so the ledger reads it without re-sorting. Throws as `sign` does.
   */
  signText(seq: number, event: object): string;
}

export function createEnvelopeSigner(options: EnvelopeSignerOptions): EnvelopeSigner {
  const { device, secretKey } = options;
  if (!DEVICE_ID_PATTERN.test(device)) throw new TypeError(`device id ${JSON.stringify(device)} is not valid`);
  const publicKey = derivePublicKey(secretKey);
  if ((options.engine ?? 'node') === 'noble') {
    const signNoble = (seq: number, event: object) => signEnvelope({ v: ENVELOPE_VERSION, device, seq, event }, secretKey);
    return {
      device,
      publicKey,
      sign: signNoble,
      signText: (seq, event) => canonicalJson(signNoble(seq, event))!,
    };
  }
  const key: KeyObject = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: encodeBase64url(secretKey), x: encodeBase64url(publicKey) },
    format: 'jwk',
  });
  const signed = (seq: number, event: object) => {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError(`seq ${seq} is not a non-negative integer`);
    // Builder output is plain JSON already. envelopeForSigning checks it deeply (and throws a TypeError) as it
    // canonicalises, which keeps the signature and the published JSON the same data: one walk of the event, not two.
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      throw new TypeError('cannot sign an event that is not a JSON object (RFC 8785)');
    }
    const json = event as JsonObject;
    const prepared = envelopeForSigning({ v: ENVELOPE_VERSION, device, seq, event: json });
    return { json, prepared, sig: encodeBase64url(new Uint8Array(sign(null, prepared.bytes, key))) };
  };
  return {
    device,
    publicKey,
    sign(seq, event) {
      const { json, sig } = signed(seq, event);
      return { v: ENVELOPE_VERSION, device, seq, event: json, sig };
    },
    signText(seq, event) {
      const { prepared, sig } = signed(seq, event);
      return prepared.publishedText(sig);
    },
  };
}
