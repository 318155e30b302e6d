import { describe, expect, it } from 'vitest';
import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, type Checkpoint } from '../../../schemas/signing/checkpoint.js';
import { ed25519Cosigner, ed25519CosignatureVerifier } from '../../../schemas/signing/cosignature.js';
import { decodeBase64, encodeBase64 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { emptyRoot, leafHash, rootFromLeafHashes } from '../../../schemas/signing/merkle.js';
import { ed25519NoteSigner, ed25519NoteVerifier, parseNote, signNote } from '../../../schemas/signing/signed-note.js';
import { readVector } from './helpers.js';

const example = readVector<{
  checkpointExample: { note: string; origin: string; size: number; rootHash: string; logKeyId: string };
}>('c2sp.json').checkpointExample;

describe('the C2SP checkpoint example', () => {
  it('parses origin, size and root hash from its note text', () => {
    const note = parseNote(example.note);
    expect(note.ok).toBe(true);
    if (!note.ok) return;
    const checkpoint = parseCheckpoint(note.value.text);
    expect(checkpoint).toMatchObject({ ok: true, value: { origin: example.origin, size: example.size, extensions: [] } });
    expect(checkpoint.ok && encodeBase64(checkpoint.value.rootHash)).toBe(example.rootHash);
    expect(checkpoint.ok && formatCheckpoint(checkpoint.value)).toBe(note.value.text);
    expect(note.value.signatures[0]!.keyId.toString(16).padStart(8, '0')).toBe(example.logKeyId);
  });
});

describe('formatCheckpoint / parseCheckpoint', () => {
  const cp: Checkpoint = {
    origin: 'pedigree.example/log',
    size: 1042,
    rootHash: rootFromLeafHashes([leafHash(Uint8Array.of(1))]),
    extensions: [],
  };

  it('round-trip, with and without extension lines', () => {
    expect(formatCheckpoint(cp)).toBe(`pedigree.example/log\n1042\n${encodeBase64(cp.rootHash)}\n`);
    expect(parseCheckpoint(formatCheckpoint(cp))).toEqual({ ok: true, value: cp });
    const withExt = { ...cp, extensions: ['ext one', 'ext+two'] };
    expect(parseCheckpoint(formatCheckpoint(withExt))).toEqual({ ok: true, value: withExt });
  });

  it('accepts the empty tree as size 0', () => {
    const empty = { ...cp, size: 0, rootHash: emptyRoot() };
    expect(parseCheckpoint(formatCheckpoint(empty))).toEqual({ ok: true, value: empty });
  });

  const root = encodeBase64(cp.rootHash);
  it.each([
    ['a size with a leading zero', `o\n01\n${root}\n`],
    ['a signed size', `o\n+1\n${root}\n`],
    ['a negative size', `o\n-1\n${root}\n`],
    ['a fractional size', `o\n1.0\n${root}\n`],
    ['a size with a space', `o\n 1\n${root}\n`],
    ['a hexadecimal size', `o\n0x10\n${root}\n`],
    ['a size above 2^53 - 1', `o\n18446744073709551615\n${root}\n`],
    ['an empty origin', `\n1\n${root}\n`],
    ['a 31-byte root', `o\n1\n${encodeBase64(new Uint8Array(31))}\n`],
    ['a non-canonical root', `o\n1\n${root.slice(0, 42)}B=\n`],
    ['a root in base64url', 'o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['an unpadded root', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n'],
    ['an empty extension line', `o\n1\n${root}\n\next\n`],
    ['two lines only', `o\n1\n`],
    ['no final newline', `o\n1\n${root}`],
    ['CRLF line ends', `o\r\n1\r\n${root}\r\n`],
    ['not a string', 7],
  ])('refuses %s with CHECKPOINT_MALFORMED', (_, text) => {
    expect(parseCheckpoint(text)).toMatchObject({ ok: false, code: 'CHECKPOINT_MALFORMED' });
  });

  it('refuses to format what it could not parse back', () => {
    expect(() => formatCheckpoint({ ...cp, origin: '' })).toThrow(TypeError);
    expect(() => formatCheckpoint({ ...cp, origin: 'a\nb' })).toThrow(TypeError);
    expect(() => formatCheckpoint({ ...cp, size: -1 })).toThrow(TypeError);
    expect(() => formatCheckpoint({ ...cp, rootHash: new Uint8Array(31) })).toThrow(TypeError);
    expect(() => formatCheckpoint({ ...cp, extensions: [''] })).toThrow(TypeError);
  });
});

describe('signed checkpoints', () => {
  const origin = 'pedigree.example/log';
  const logKey = generateKeyPair();
  const logSigner = ed25519NoteSigner({ name: origin, secretKey: logKey.secretKey });
  const logVerifier = ed25519NoteVerifier({ name: origin, publicKey: logKey.publicKey });
  const witnessKey = generateKeyPair();
  const witnessVerifier = ed25519CosignatureVerifier({ name: 'witness.example/w1', publicKey: witnessKey.publicKey });
  const cosigner = ed25519Cosigner({ name: 'witness.example/w1', secretKey: witnessKey.secretKey, now: () => 1_700_000_000 });
  const cp: Checkpoint = { origin, size: 3, rootHash: rootFromLeafHashes([1, 2, 3].map((i) => leafHash(Uint8Array.of(i)))), extensions: [] };

  it('open with the log key and report known cosignatures', () => {
    const note = signCheckpoint(cp, [logSigner, cosigner]);
    const opened = openCheckpoint(note, { origin, logVerifier, witnessVerifiers: [witnessVerifier] });
    expect(opened).toMatchObject({ ok: true, value: { checkpoint: cp, text: formatCheckpoint(cp) } });
    expect(opened.ok && opened.value.cosignatures.map((s) => s.name)).toEqual(['witness.example/w1']);
    const withoutWitness = openCheckpoint(note, { origin, logVerifier });
    expect(withoutWitness.ok && withoutWitness.value.unverified.map((s) => s.name)).toEqual(['witness.example/w1']);
  });

  it('are refused without the log’s own signature, even when a witness cosigned', () => {
    const note = signCheckpoint(cp, [cosigner]);
    expect(openCheckpoint(note, { origin, logVerifier, witnessVerifiers: [witnessVerifier] })).toMatchObject({
      ok: false,
      code: 'NOTE_SIGNATURE_INVALID',
    });
  });

  it('are refused for another origin', () => {
    const note = signCheckpoint(cp, [logSigner]);
    expect(openCheckpoint(note, { origin: 'other.example/log', logVerifier })).toMatchObject({
      ok: false,
      code: 'CHECKPOINT_MALFORMED',
    });
  });

  it('are refused when the log signed text that is not a checkpoint', () => {
    const note = signNote('pedigree.example/log\nnot a size\n', [logSigner]);
    expect(openCheckpoint(note, { origin, logVerifier })).toMatchObject({ ok: false, code: 'CHECKPOINT_MALFORMED' });
  });

  it('are refused when the size or root is changed after signing', () => {
    const note = signCheckpoint(cp, [logSigner]);
    const otherRoot = encodeBase64(emptyRoot());
    expect(openCheckpoint(note.replace('\n3\n', '\n4\n'), { origin, logVerifier }).ok).toBe(false);
    expect(openCheckpoint(note.replace(encodeBase64(cp.rootHash), otherRoot), { origin, logVerifier }).ok).toBe(false);
    expect(decodeBase64(otherRoot)).toEqual(emptyRoot());
  });
});
