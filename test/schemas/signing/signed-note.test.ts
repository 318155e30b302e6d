import { describe, expect, it } from 'vitest';
import { encodeBase64 } from '../../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import {
  computeKeyId,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVkey,
  isValidKeyName,
  noteVerifierFromVkey,
  openNote,
  parseNote,
  parseVkey,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  SIGNATURE_TYPE_ED25519,
  signNote,
  type NoteSigner,
} from '../../../schemas/signing/signed-note.js';
import { readVector, utf8 } from './helpers.js';

interface C2spVectors {
  signedNoteExample: { vkey: string; note: string; text: string; keyId: string };
  poemNote: { note: string; text: string; name: string; keyId: string; signatureLength: number };
}
const c2sp = readVector<C2spVectors>('c2sp.json');

function newSigner(name: string): { signer: NoteSigner; verifier: ReturnType<typeof ed25519NoteVerifier> } {
  const { secretKey, publicKey } = generateKeyPair();
  return { signer: ed25519NoteSigner({ name, secretKey }), verifier: ed25519NoteVerifier({ name, publicKey }) };
}

describe('the C2SP signed-note example', () => {
  const { vkey, note, text, keyId } = c2sp.signedNoteExample;

  it('parses the verifier key and recomputes its key ID', () => {
    const parsed = parseVkey(vkey);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.name).toBe('example.com/foo');
    expect(parsed.value.type).toBe(SIGNATURE_TYPE_ED25519);
    expect(parsed.value.keyId.toString(16).padStart(8, '0')).toBe(keyId);
    expect(computeKeyId('example.com/foo', SIGNATURE_TYPE_ED25519, parsed.value.publicKey)).toBe(0x530d903a);
    expect(formatVkey(parsed.value)).toBe(vkey);
  });

  it('verifies the example note with the example key', () => {
    const verifier = noteVerifierFromVkey(vkey);
    expect(verifier.ok).toBe(true);
    if (!verifier.ok) return;
    const opened = openNote(note, [verifier.value]);
    expect(opened).toMatchObject({ ok: true, value: { text, unverified: [] } });
    expect(opened.ok && opened.value.verified).toHaveLength(1);
    expect(openNote(utf8(note), [verifier.value]).ok).toBe(true);
  });

  it('refuses the example note once its text changes', () => {
    const verifier = noteVerifierFromVkey(vkey);
    if (!verifier.ok) throw new Error('vkey');
    const changed = note.replace('example message', 'example massage');
    expect(openNote(changed, [verifier.value])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });
});

describe('the C2SP poem note (blank lines inside the text)', () => {
  it('splits text from signatures at the last blank line', () => {
    const parsed = parseNote(c2sp.poemNote.note);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.text).toBe(c2sp.poemNote.text);
    expect(parsed.value.signatures).toHaveLength(1);
    const [sig] = parsed.value.signatures;
    expect(sig!.name).toBe(c2sp.poemNote.name);
    expect(sig!.keyId.toString(16).padStart(8, '0')).toBe(c2sp.poemNote.keyId);
    expect(sig!.signature).toHaveLength(c2sp.poemNote.signatureLength);
  });

  it('is refused when no known key signed it', () => {
    const { verifier } = newSigner('example.com/other');
    expect(openNote(c2sp.poemNote.note, [verifier])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });
});

describe('signing and opening notes', () => {
  const log = newSigner('pedigree.example/log');
  const witness = newSigner('witness.example/w1');
  const text = 'pedigree.example/log\n42\nline three\n';

  it('round-trips with several signers, in order', () => {
    const note = signNote(text, [log.signer, witness.signer]);
    expect(note.startsWith(`${text}\n\u2014 pedigree.example/log `)).toBe(true);
    const opened = openNote(note, [log.verifier, witness.verifier]);
    expect(opened.ok && opened.value.verified.map((s) => s.name)).toEqual(['pedigree.example/log', 'witness.example/w1']);
  });

  it('ignores signatures by unknown keys, even with a known name or a known key ID', () => {
    const impostorName = newSigner('pedigree.example/log'); // same name, other key → other key ID
    const sameIdOtherName: NoteSigner = { name: 'someone.else', keyId: log.signer.keyId, sign: () => new Uint8Array(64) };
    const note = signNote(text, [impostorName.signer, sameIdOtherName, log.signer]);
    const opened = openNote(note, [log.verifier]);
    expect(opened.ok).toBe(true);
    expect(opened.ok && opened.value.unverified).toHaveLength(2);
    expect(opened.ok && opened.value.verified).toHaveLength(1);
  });

  it('rejects the whole note when a known key’s signature fails, even beside a valid one', () => {
    const forged: NoteSigner = { name: witness.signer.name, keyId: witness.signer.keyId, sign: () => new Uint8Array(64) };
    const note = signNote(text, [log.signer, forged]);
    expect(openNote(note, [log.verifier, witness.verifier])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('requires at least one known valid signature', () => {
    const note = signNote(text, [witness.signer]);
    expect(openNote(note, [log.verifier])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
    expect(openNote(note, [])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('checks a repeated signature line by one key once, as Go’s note.Open does', () => {
    const note = signNote(text, [log.signer]);
    const line = note.slice(text.length + 1);
    const opened = openNote(note + line + line, [log.verifier]);
    expect(opened.ok && opened.value.verified).toHaveLength(1);
  });

  it('refuses ambiguous verifier lists', () => {
    const note = signNote(text, [log.signer]);
    expect(openNote(note, [log.verifier, log.verifier])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('keeps existing signatures and replaces those of a re-signing key', () => {
    const first = signNote(text, [log.signer, witness.signer]);
    const parsed = parseNote(first);
    if (!parsed.ok) throw new Error('parse');
    const again = signNote(text, [witness.signer], parsed.value.signatures);
    const opened = openNote(again, [log.verifier, witness.verifier]);
    expect(opened.ok && opened.value.verified.map((s) => s.name)).toEqual(['pedigree.example/log', 'witness.example/w1']);
  });

  it('signs a leading byte order mark as part of the text', () => {
    const note = signNote(`\ufeff${text}`, [log.signer]);
    const opened = openNote(utf8(note), [log.verifier]);
    expect(opened.ok && opened.value.text).toBe(`\ufeff${text}`);
    expect(openNote(note.slice(1), [log.verifier]).ok).toBe(false);
  });

  it.each([
    ['no final newline', 'abc'],
    ['a carriage return', 'abc\r\n'],
    ['a tab', 'a\tb\n'],
    ['a NUL', 'a\u0000\n'],
    ['a lone surrogate', 'a\ud800\n'],
  ])('refuses to sign text with %s', (_, bad) => {
    expect(() => signNote(bad, [log.signer])).toThrow(TypeError);
  });
});

describe('parseNote refuses hostile notes with NOTE_MALFORMED', () => {
  const log = newSigner('pedigree.example/log');
  const good = signNote('hello\n', [log.signer]);
  const sigLine = good.slice('hello\n\n'.length);
  const b64 = sigLine.slice(sigLine.lastIndexOf(' ') + 1, -1);

  it.each([
    ['no blank line', `hello\n${sigLine}`],
    ['no signature lines', 'hello\n\n'],
    ['a missing final newline', good.slice(0, -1)],
    ['a carriage return', good.replace('hello\n', 'hello\r\n')],
    ['CRLF signature lines', good.replace(/\n$/, '\r\n')],
    ['a tab', good.replace('hello', 'he\tllo')],
    ['a hyphen instead of the em dash', good.replace('\u2014', '-')],
    ['an en dash', good.replace('\u2014', '\u2013')],
    ['no space after the dash', good.replace('\u2014 ', '\u2014')],
    ['a name with "+"', `hello\n\n\u2014 a+b ${b64}\n`],
    ['an empty name', `hello\n\n\u2014  ${b64}\n`],
    ['a name with a no-break space', `hello\n\n\u2014 a\u00a0b ${b64}\n`],
    ['no signature', `hello\n\n\u2014 name\n`],
    ['an empty signature', `hello\n\n\u2014 name \n`],
    ['unpadded base64', `hello\n\n\u2014 name ${b64.replace(/=+$/, '')}\n`],
    ['base64url', `hello\n\n\u2014 name ${b64.replace(/\+/g, '-').replace(/\//g, '_')}x\n`],
    ['a 4-byte signature (key ID only)', `hello\n\n\u2014 name ${encodeBase64(new Uint8Array(4))}\n`],
    ['a signature with a trailing space', `hello\n\n\u2014 name ${b64} \n`],
    ['text that is not a string', 42],
  ])('%s', (_, note) => {
    expect(parseNote(note)).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    expect(openNote(note, [log.verifier])).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
  });

  it('treats signature lines above a later blank line as text, so they no longer verify', () => {
    const shifted = `${good}\n${sigLine}`;
    const parsed = parseNote(shifted);
    expect(parsed.ok && parsed.value.text).toBe(`hello\n\n${sigLine}`);
    expect(openNote(shifted, [log.verifier])).toMatchObject({ ok: false, code: 'NOTE_SIGNATURE_INVALID' });
  });

  it('refuses invalid UTF-8 bytes', () => {
    const bytes = utf8(good);
    bytes[1] = 0xff;
    expect(parseNote(bytes)).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
  });

  it('refuses notes over the size limit and with too many signatures, but accepts 16 signatures', () => {
    expect(parseNote(good, { maxBytes: good.length - 1 })).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    expect(parseNote('x'.repeat(300_000) + '\n\n' + sigLine)).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    const many = (n: number) => `hello\n\n${Array.from({ length: n }, (_, i) => `\u2014 k${i} ${b64}\n`).join('')}`;
    expect(parseNote(many(101))).toMatchObject({ ok: false, code: 'NOTE_MALFORMED' });
    expect(parseNote(many(16)).ok).toBe(true);
    expect(openNote(many(16) + sigLine, [log.verifier]).ok).toBe(true);
  });
});

describe('verifier keys', () => {
  // A key whose ID has a letter in it, so that upper-casing the ID really changes it (about one random ID in 43 is
  // all digits, and then "an uppercase key ID" below would be the valid key itself).
  const keyWithLetterInId = (): { publicKey: Uint8Array; vkey: string } => {
    for (;;) {
      const { publicKey } = generateKeyPair();
      const vkey = formatVkey({ name: 'pedigree.example/log', type: SIGNATURE_TYPE_ED25519, publicKey });
      if (/\+[0-9a-f]*[a-f][0-9a-f]*\+/.test(vkey)) return { publicKey, vkey };
    }
  };
  const { publicKey, vkey } = keyWithLetterInId();

  it('round-trip and give a working verifier', () => {
    expect(parseVkey(vkey)).toMatchObject({ ok: true, value: { name: 'pedigree.example/log', publicKey } });
    expect(noteVerifierFromVkey(vkey).ok).toBe(true);
  });

  it.each([
    ['a wrong key ID', vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')],
    ['an uppercase key ID', vkey.replace(/\+([0-9a-f]{8})\+/, (_, id: string) => `+${id.toUpperCase()}+`)],
    ['a short key ID', vkey.replace(/\+[0-9a-f]{8}\+/, '+abc+')],
    ['a missing part', vkey.slice(0, vkey.lastIndexOf('+'))],
    ['an extra part', `${vkey}+x`],
    ['a name with a space', `a b${vkey.slice(vkey.indexOf('+'))}`],
    ['a truncated key', vkey.slice(0, -4)],
    ['not a string', null],
  ])('refuses %s', (_, text) => {
    expect(parseVkey(text)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('refuses a small-order key even with the right key ID', () => {
    const torsion = Uint8Array.from(Buffer.from('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'hex'));
    const bad = formatVkey({ name: 'x', type: SIGNATURE_TYPE_ED25519, publicKey: torsion });
    expect(parseVkey(bad)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('returns unknown types unchecked, but builds note verifiers only for Ed25519', () => {
    const other = formatVkey({ name: 'pq.example', type: 0x06, publicKey: new Uint8Array(1312) });
    expect(parseVkey(other)).toMatchObject({ ok: true, value: { type: 0x06 } });
    expect(noteVerifierFromVkey(other)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    const cosigner = formatVkey({ name: 'w', type: SIGNATURE_TYPE_COSIGNATURE_V1, publicKey });
    expect(noteVerifierFromVkey(cosigner)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('knows valid key names', () => {
    expect(isValidKeyName('example.com/foo')).toBe(true);
    expect(isValidKeyName('oid/1.3.6.1.4.1')).toBe(true);
    for (const bad of ['', 'a b', 'a+b', 'a\u2003b', 'a\nb', 'a\u3000b']) expect(isValidKeyName(bad)).toBe(false);
  });
});
