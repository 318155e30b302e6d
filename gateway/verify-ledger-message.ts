// Verifies the ledger's signed MQTT messages with node:crypto: one receipt per envelope makes this the gateway's
// hot path when an outbox drains.
//
// Same bytes and same acceptance rule as schemas/signing verifyLedgerMessage (noble), at many times the
// rate (noble verifies under 800 messages/s on this 2-core box, which capped a drain at ~350 envelopes/s). Strictness as in
// schemas/signing/verify-envelope.ts: the ledger key is checked strict once (importEd25519PublicKey), S < L is
// checked here, and OpenSSL's cofactorless check is the stricter of the two on R. A test runs both verifiers on
// the same valid and tampered messages.
import { verify, type KeyObject } from 'node:crypto';
import { err, ok, type Result } from '../schemas/result.js';
import { ED25519_SIGNATURE_SIZE } from '../schemas/signing/ed25519.js';
import { decodeBase64url } from '../schemas/signing/encoding.js';
import { ledgerMessageSigningBytes, type LedgerMessage } from '../schemas/signing/ledger-message.js';
import { hasCanonicalScalar, importEd25519PublicKey } from '../schemas/signing/verify-envelope.js';

export type LedgerMessageVerifier = (message: LedgerMessage, topic: string) => Result<true, 'SIGNATURE_INVALID'>;

/** A verifier bound to the ledger's public key; throws on a key that is not strict Ed25519 (configuration). */
export function createLedgerMessageVerifier(publicKey: Uint8Array): LedgerMessageVerifier {
  const imported = importEd25519PublicKey(publicKey);
  if (!imported.ok) throw new TypeError(`ledger key: ${imported.message}`);
  const key: KeyObject = imported.value;
  return (message, topic) => {
    try {
      if (message.topic !== topic) return err('SIGNATURE_INVALID', `message was signed for topic ${JSON.stringify(message.topic ?? null)}`);
      const signature = decodeBase64url(message.sig);
      if (signature === undefined || signature.length !== ED25519_SIGNATURE_SIZE || !hasCanonicalScalar(signature)) {
        return err('SIGNATURE_INVALID', 'sig is not a canonical 64-byte Ed25519 signature');
      }
      return verify(null, ledgerMessageSigningBytes(message), key, signature) ? ok(true) : err('SIGNATURE_INVALID', 'ledger message signature does not verify');
    } catch {
      return err('SIGNATURE_INVALID', 'ledger message is not canonicalisable JSON (RFC 8785)');
    }
  };
}
