// The ledger's signer: C2SP checkpoints (tlog-checkpoint over signed-note) and signed MQTT publications.
// Signs with node:crypto: Ed25519 is deterministic (RFC 8032), so the bytes equal noble's, at several times the rate
// — one signature per receipt sits on the ingest hot path.
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { signCheckpoint } from '../../schemas/signing/checkpoint.js';
import { formatVkey, computeKeyId, SIGNATURE_TYPE_ED25519, type NoteSigner } from '../../schemas/signing/signed-note.js';
import { derivePublicKey } from '../../schemas/signing/keys.js';
import { encodeBase64url } from '../../schemas/signing/encoding.js';
import { isJsonObject, toJsonValue } from '../../schemas/signing/canonical-bytes.js';
import { LEDGER_MESSAGE_VERSION, ledgerMessageSigningBytes, type LedgerMessage } from '../../schemas/signing/ledger-message.js';
import { captureEntrySigningBytes } from '../../schemas/signing/capture-entry.js';
import { recallEntrySigningBytes } from '../../schemas/signing/recall-entry.js';
import type { LedgerSigner } from '../domain/ports.js';

function privateKeyObject(secretKey: Uint8Array, publicKey: Uint8Array): KeyObject {
  return createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: encodeBase64url(secretKey), x: encodeBase64url(publicKey) },
    format: 'jwk',
  });
}

export function createLedgerSigner(options: { readonly origin: string; readonly secretKey: Uint8Array }): LedgerSigner {
  const publicKey = derivePublicKey(options.secretKey);
  const key = privateKeyObject(options.secretKey, publicKey);
  const sign64 = (bytes: Uint8Array) => new Uint8Array(sign(null, bytes, key));
  const noteSigner: NoteSigner = {
    name: options.origin,
    keyId: computeKeyId(options.origin, SIGNATURE_TYPE_ED25519, publicKey),
    sign: sign64,
  };
  return {
    origin: options.origin,
    publicKey,
    verifierKey: formatVkey({ name: options.origin, type: SIGNATURE_TYPE_ED25519, publicKey }),
    signCheckpoint: (size, root) => signCheckpoint({ origin: options.origin, size, rootHash: root, extensions: [] }, [noteSigner]),
    signMessage(kind, body, topic) {
      const json = toJsonValue(body);
      if (json === undefined || !isJsonObject(json)) throw new TypeError('ledger message body must be a JSON object');
      const unsigned = { v: LEDGER_MESSAGE_VERSION, kind, topic, body: json } as const;
      const message: LedgerMessage = { ...unsigned, sig: encodeBase64url(sign64(ledgerMessageSigningBytes(unsigned))) };
      return message;
    },
    signCaptureEntry: (draft) => ({ ...draft, sig: encodeBase64url(sign64(captureEntrySigningBytes(draft))) }),
    signRecallEntry: (draft) => ({ ...draft, sig: encodeBase64url(sign64(recallEntrySigningBytes(draft))) }),
  };
}
