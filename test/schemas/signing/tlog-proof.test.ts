import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../../schemas/signing/checkpoint.js';
import { ed25519Cosigner, ed25519CosignatureVerifier } from '../../../schemas/signing/cosignature.js';
import { encodeBase64 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { inclusionProof, leafHash, rootFromLeafHashes } from '../../../schemas/signing/merkle.js';
import { ed25519NoteSigner, ed25519NoteVerifier } from '../../../schemas/signing/signed-note.js';
import { formatTlogProof, parseTlogProof, verifyTlogProof } from '../../../schemas/signing/tlog-proof.js';
import { readVector } from './helpers.js';

const example = readVector<{ tlogProofExample: { text: string; index: number; proofLength: number; extraLength: number } }>(
  'c2sp.json',
).tlogProofExample;

describe('the C2SP tlog-proof example', () => {
  it('parses extra, index, proof and the verbatim checkpoint', () => {
    const parsed = parseTlogProof(example.text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.index).toBe(example.index);
    expect(parsed.value.proof).toHaveLength(example.proofLength);
    expect(parsed.value.extra).toHaveLength(example.extraLength);
    expect(parsed.value.checkpoint.startsWith('example.com/fancylog\n109482\n')).toBe(true);
    expect(formatTlogProof(parsed.value)).toBe(example.text);
  });
});

describe('a pharmacist’s offline proof', () => {
  const origin = 'pedigree.example/log';
  const log = generateKeyPair();
  const logVerifier = ed25519NoteVerifier({ name: origin, publicKey: log.publicKey });
  const witnesses = [generateKeyPair(), generateKeyPair()];
  const witnessVerifiers = witnesses.map((k, i) => ed25519CosignatureVerifier({ name: `w${i}.example`, publicKey: k.publicKey }));
  const entries = Array.from({ length: 10 }, (_, i) => Uint8Array.of(i, 1, 2));
  const hashes = entries.map(leafHash);
  const checkpoint = signCheckpoint({ origin, size: 10, rootHash: rootFromLeafHashes(hashes), extensions: [] }, [
    ed25519NoteSigner({ name: origin, secretKey: log.secretKey }),
    ...witnesses.map((k, i) => ed25519Cosigner({ name: `w${i}.example`, secretKey: k.secretKey, now: () => 1_700_000_000 })),
  ]);
  const text = formatTlogProof({ index: 7, proof: inclusionProof(hashes, 7), checkpoint, extra: Uint8Array.of(9) });
  const options = { origin, logVerifier, witnessVerifiers, leafHash: hashes[7]! };

  it('verifies with the log key and counts the witnesses', () => {
    const verified = verifyTlogProof(text, { ...options, minCosignatures: 2 });
    expect(verified).toMatchObject({ ok: true, value: { index: 7, extra: Uint8Array.of(9), checkpoint: { size: 10 } } });
    expect(verified.ok && verified.value.cosignatures).toHaveLength(2);
  });

  it('is refused when fewer witnesses than required cosigned', () => {
    expect(verifyTlogProof(text, { ...options, minCosignatures: 3 })).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('is refused for another entry, another index or a tampered checkpoint', () => {
    expect(verifyTlogProof(text, { ...options, leafHash: hashes[6]! })).toMatchObject({ code: 'INCLUSION_PROOF_INVALID' });
    expect(verifyTlogProof(text.replace('index 7\n', 'index 6\n'), options)).toMatchObject({ code: 'INCLUSION_PROOF_INVALID' });
    expect(verifyTlogProof(text.replace(`${origin}\n10\n`, `${origin}\n11\n`), options)).toMatchObject({
      code: 'NOTE_SIGNATURE_INVALID',
    });
  });

  it.each([
    ['a wrong header', (t: string) => t.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2')],
    ['a leading-zero index', (t: string) => t.replace('index 7', 'index 07')],
    ['a missing index', (t: string) => t.replace('index 7\n', '')],
    ['bad extra', (t: string) => t.replace(/extra \S+/, 'extra !!')],
    ['a short proof hash', (t: string) => t.replace(/\n([A-Za-z0-9+/]{43}=)\n/, `\n${encodeBase64(new Uint8Array(31))}\n`)],
    ['no blank line before the checkpoint', (t: string) => t.slice(0, t.indexOf('\n\n'))],
    ['no checkpoint', (t: string) => t.slice(0, t.indexOf('\n\n') + 2)],
  ])('refuses %s with TLOG_PROOF_MALFORMED', (_, mutate) => {
    expect(parseTlogProof(mutate(text))).toMatchObject({ ok: false, code: 'TLOG_PROOF_MALFORMED' });
  });

  it('refuses non-strings', () => {
    expect(parseTlogProof(undefined)).toMatchObject({ ok: false, code: 'TLOG_PROOF_MALFORMED' });
  });
});
