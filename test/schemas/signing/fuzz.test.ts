// Hostile-input fuzzing: 10,000 random inputs per parser and verifier; none may throw, all return a Result.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCheckpoint, parseCheckpoint, signCheckpoint } from '../../../schemas/signing/checkpoint.js';
import { ed25519CosignatureVerifier, ed25519Cosigner } from '../../../schemas/signing/cosignature.js';
import { decodeBase64, decodeBase64url, decodeHex, decodeUtf8 } from '../../../schemas/signing/encoding.js';
import { parseEnvelope, signEnvelope, verifyEnvelopeNoble } from '../../../schemas/signing/envelope.js';
import { decodePublicKey, generateKeyPair } from '../../../schemas/signing/keys.js';
import { parseLedgerMessage, signLedgerMessage, verifyLedgerMessage } from '../../../schemas/signing/ledger-message.js';
import { inclusionProof, leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../../schemas/signing/merkle.js';
import { ed25519NoteSigner, ed25519NoteVerifier, openNote, parseNote, parseVkey } from '../../../schemas/signing/signed-note.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../../schemas/signing/tlog-proof.js';
import { verifyEnvelope } from '../../../schemas/signing/verify-envelope.js';

const RUNS = 10_000;

function isResult(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { ok: unknown }).ok === 'boolean';
}

/** Applies up to `edits` random insertions, deletions and replacements drawn from `alphabet`. */
function mutated(base: string, alphabet: string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...alphabet));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let text = base;
    for (const [at, op, ch] of edits) {
      const i = at % (text.length + 1);
      if (op === 'insert') text = text.slice(0, i) + ch + text.slice(i);
      else if (op === 'delete') text = text.slice(0, i) + text.slice(i + 1);
      else text = text.slice(0, i) + ch + text.slice(i + 1);
    }
    return text;
  });
}

const NOTE_ALPHABET = ['\n', ' ', '\u2014', '+', '/', '=', 'A', 'a', '0', '\r', '\t', '\u0000', '\ud800', '\ufeff', 'é', '\n\n', '—', '-'];

const device = generateKeyPair();
const envelope = signEnvelope({ v: 1, device: 'gw-1', seq: 5, event: { type: 'ObjectEvent', epcList: ['x'] } }, device.secretKey);
const envelopeText = JSON.stringify(envelope);

const origin = 'pedigree.example/log';
const log = generateKeyPair();
const logVerifier = ed25519NoteVerifier({ name: origin, publicKey: log.publicKey });
const witness = generateKeyPair();
const witnessVerifier = ed25519CosignatureVerifier({ name: 'w.example', publicKey: witness.publicKey });
const hashes = Array.from({ length: 7 }, (_, i) => leafHash(Uint8Array.of(i)));
const checkpointNote = signCheckpoint({ origin, size: 7, rootHash: rootFromLeafHashes(hashes), extensions: [] }, [
  ed25519NoteSigner({ name: origin, secretKey: log.secretKey }),
  ed25519Cosigner({ name: 'w.example', secretKey: witness.secretKey, now: () => 1 }),
]);
const tlogProof = formatTlogProof({ index: 3, proof: inclusionProof(hashes, 3), checkpoint: checkpointNote });
const ledgerMessage = JSON.stringify(signLedgerMessage('alert', { code: 'X', n: 1 }, log.secretKey, { topic: 'a/b' }));

const jsonText = (base: string) =>
  fc.oneof(mutated(base, ['"', '{', '}', ',', ':', '1', 'a', '\\', ' ', 'e', '-', '[', ']', 'null']), fc.string(), fc.json());

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

describe(`fuzz: ${RUNS} hostile inputs each, nothing throws`, () => {
  it('parseEnvelope, then both envelope verifiers', () => {
    const arb = fc.oneof(fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true }), jsonText(envelopeText).map(parseJson));
    let verified = 0;
    fc.assert(
      fc.property(arb, (input) => {
        const parsed = parseEnvelope(input);
        expect(isResult(parsed)).toBe(true);
        if (parsed.ok) {
          verified++;
          expect(isResult(verifyEnvelope(parsed.value, device.publicKey))).toBe(true);
          expect(isResult(verifyEnvelopeNoble(parsed.value, device.publicKey))).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
    expect(verified).toBeGreaterThan(50); // the mutations do reach the verifiers
  });

  it('parseNote and openNote', () => {
    const arb = fc.oneof(fc.string({ unit: fc.constantFrom(...NOTE_ALPHABET), maxLength: 80 }), mutated(checkpointNote, NOTE_ALPHABET), fc.anything());
    let reachedSignatures = 0;
    fc.assert(
      fc.property(arb, (input) => {
        expect(isResult(parseNote(input))).toBe(true);
        const opened = openNote(input, [logVerifier, witnessVerifier]);
        expect(isResult(opened)).toBe(true);
        if (opened.ok || opened.code === 'NOTE_SIGNATURE_INVALID') reachedSignatures++;
      }),
      { numRuns: RUNS },
    );
    expect(reachedSignatures).toBeGreaterThan(200); // the mutations do reach signature checking
  });

  it('parseCheckpoint and openCheckpoint', () => {
    const body = checkpointNote.slice(0, checkpointNote.indexOf('\n\n') + 1);
    const arb = fc.oneof(mutated(body, NOTE_ALPHABET), mutated(checkpointNote, NOTE_ALPHABET), fc.string(), fc.anything());
    fc.assert(
      fc.property(arb, (input) => {
        expect(isResult(parseCheckpoint(input))).toBe(true);
        expect(isResult(openCheckpoint(input, { origin, logVerifier, witnessVerifiers: [witnessVerifier] }))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseTlogProof and verifyTlogProof', () => {
    const arb = fc.oneof(mutated(tlogProof, [...NOTE_ALPHABET, 'index ', 'extra ', '9']), fc.string(), fc.anything());
    fc.assert(
      fc.property(arb, (input) => {
        expect(isResult(parseTlogProof(input))).toBe(true);
        const verified = verifyTlogProof(input, { origin, logVerifier, witnessVerifiers: [witnessVerifier], leafHash: hashes[3]! });
        expect(isResult(verified)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseVkey and decodePublicKey', () => {
    const vkey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    const arb = fc.oneof(mutated(vkey, ['+', 'a', 'A', '=', ' ', '0', 'f', '/']), fc.string(), fc.anything());
    fc.assert(
      fc.property(arb, (input) => {
        expect(isResult(parseVkey(input))).toBe(true);
        expect(isResult(decodePublicKey(input))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseLedgerMessage, then verifyLedgerMessage', () => {
    const arb = fc.oneof(jsonText(ledgerMessage).map(parseJson), fc.anything());
    fc.assert(
      fc.property(arb, (input) => {
        const parsed = parseLedgerMessage(input);
        expect(isResult(parsed)).toBe(true);
        if (parsed.ok) expect(isResult(verifyLedgerMessage(parsed.value, log.publicKey, { topic: 'a/b' }))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('verifyInclusion and verifyConsistency', () => {
    const hash = fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...hashes), fc.anything());
    const size = fc.oneof(fc.nat(70), fc.integer(), fc.double(), fc.constantFrom(2 ** 53, -0, Number.NaN, 18446744073709551615), fc.anything());
    const proof = fc.oneof(fc.array(hash, { maxLength: 8 }), fc.anything());
    fc.assert(
      fc.property(size, size, hash, hash, proof, (a, b, h1, h2, p) => {
        const inclusion = verifyInclusion({ index: a, size: b, leafHash: h1, proof: p, root: h2 } as never);
        const consistency = verifyConsistency({ size1: a, size2: b, root1: h1, root2: h2, proof: p } as never);
        expect(isResult(inclusion)).toBe(true);
        expect(isResult(consistency)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('the byte decoders', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.anything()), fc.uint8Array(), (text, bytes) => {
        for (const decoded of [decodeBase64(text), decodeBase64url(text), decodeHex(text), decodeUtf8(bytes)]) {
          expect(decoded === undefined || decoded instanceof Uint8Array || typeof decoded === 'string').toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
