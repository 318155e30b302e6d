import { describe, expect, it } from 'vitest';
import { openCheckpoint, signCheckpoint } from '../../../schemas/signing/checkpoint.js';
import {
  COSIGNATURE_SIZE,
  cosignatureMessage,
  cosignatureTimestamp,
  cosignatureVerifierFromVkey,
  ed25519CosignatureVerifier,
  ed25519Cosigner,
} from '../../../schemas/signing/cosignature.js';
import { decodeUtf8 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { emptyRoot } from '../../../schemas/signing/merkle.js';
import {
  computeKeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVkey,
  openNote,
  parseNote,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  signNote,
} from '../../../schemas/signing/signed-note.js';
import { readVector, utf8 } from './helpers.js';

const example = readVector<{
  checkpointExample: {
    note: string;
    witness: { name: string; keyId: string; timestamp: number; signatureLength: number };
    cosignedMessage: string;
  };
}>('c2sp.json').checkpointExample;

describe('the C2SP cosignature example', () => {
  it('has a 72-byte timestamped signature whose time is 1679315147', () => {
    const note = parseNote(example.note);
    expect(note.ok).toBe(true);
    if (!note.ok) return;
    const witness = note.value.signatures.find((s) => s.name === example.witness.name)!;
    expect(witness.keyId.toString(16).padStart(8, '0')).toBe(example.witness.keyId);
    expect(witness.signature).toHaveLength(example.witness.signatureLength);
    expect(cosignatureTimestamp(witness.signature)).toBe(example.witness.timestamp);
  });

  it('signs the message printed in tlog-cosignature §Ed25519 signed message', () => {
    const note = parseNote(example.note);
    if (!note.ok) throw new Error('parse');
    const message = cosignatureMessage(utf8(note.value.text), example.witness.timestamp);
    expect(decodeUtf8(message)).toBe(example.cosignedMessage);
  });
});

describe('Ed25519 cosignatures (type 0x04)', () => {
  const origin = 'pedigree.example/log';
  const log = generateKeyPair();
  const logSigner = ed25519NoteSigner({ name: origin, secretKey: log.secretKey });
  const logVerifier = ed25519NoteVerifier({ name: origin, publicKey: log.publicKey });
  const w = generateKeyPair();
  const name = 'witness.example/w1';
  const cosigner = ed25519Cosigner({ name, secretKey: w.secretKey, now: () => 1_700_000_123 });
  const verifier = ed25519CosignatureVerifier({ name, publicKey: w.publicKey });
  const text = `${origin}\n5\n${Buffer.from(emptyRoot()).toString('base64')}\n`;

  it('use the 0x04 key ID, different from the same key’s 0x01 key ID', () => {
    expect(cosigner.keyId).toBe(computeKeyId(name, SIGNATURE_TYPE_COSIGNATURE_V1, w.publicKey));
    expect(cosigner.keyId).not.toBe(computeKeyId(name, SIGNATURE_TYPE_ED25519, w.publicKey));
    expect(verifier.keyId).toBe(cosigner.keyId);
  });

  it('are 72 bytes, timestamp first, and verify', () => {
    const signature = cosigner.sign(utf8(text));
    expect(signature).toHaveLength(COSIGNATURE_SIZE);
    expect(cosignatureTimestamp(signature)).toBe(1_700_000_123);
    expect(verifier.verify(utf8(text), signature)).toBe(true);
    expect(verifier.verify(utf8(text.replace('\n5\n', '\n6\n')), signature)).toBe(false);
  });

  it('fail when the timestamp is changed or out of range', () => {
    const signature = cosigner.sign(utf8(text));
    const later = signature.slice();
    later[7]! ^= 1;
    expect(verifier.verify(utf8(text), later)).toBe(false);
    const huge = signature.slice();
    huge[0] = 0x80; // ≥ 2^63
    expect(cosignatureTimestamp(huge)).toBeUndefined();
    expect(verifier.verify(utf8(text), huge)).toBe(false);
    expect(verifier.verify(utf8(text), signature.subarray(0, 71))).toBe(false);
  });

  it('do not verify as plain Ed25519 note signatures, nor the reverse', () => {
    const plainVerifier = ed25519NoteVerifier({ name, publicKey: w.publicKey });
    const plainSigner = ed25519NoteSigner({ name, secretKey: w.secretKey });
    const cosigned = signNote(text, [logSigner, cosigner]);
    const opened = openNote(cosigned, [logVerifier, plainVerifier]);
    expect(opened.ok && opened.value.unverified.map((s) => s.name)).toEqual([name]); // key IDs differ: ignored
    const forged = { name, keyId: cosigner.keyId, sign: plainSigner.sign };
    expect(openNote(signNote(text, [logSigner, forged]), [logVerifier, verifier])).toMatchObject({
      ok: false,
      code: 'NOTE_SIGNATURE_INVALID',
    });
  });

  it('are added by a witness to a checkpoint signed earlier by the log', () => {
    const logged = signCheckpoint({ origin, size: 5, rootHash: emptyRoot(), extensions: [] }, [logSigner]);
    const parsed = parseNote(logged);
    if (!parsed.ok) throw new Error('parse');
    const cosigned = signNote(parsed.value.text, [cosigner], parsed.value.signatures);
    const opened = openCheckpoint(cosigned, { origin, logVerifier, witnessVerifiers: [verifier] });
    expect(opened.ok && opened.value.cosignatures).toHaveLength(1);
  });

  it('verifiers come from type-0x04 vkeys only', () => {
    const vkey = formatVkey({ name, type: SIGNATURE_TYPE_COSIGNATURE_V1, publicKey: w.publicKey });
    const fromVkey = cosignatureVerifierFromVkey(vkey);
    expect(fromVkey.ok && fromVkey.value.keyId).toBe(verifier.keyId);
    const plain = formatVkey({ name, type: SIGNATURE_TYPE_ED25519, publicKey: w.publicKey });
    expect(cosignatureVerifierFromVkey(plain)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(cosignatureVerifierFromVkey('garbage')).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });
});
