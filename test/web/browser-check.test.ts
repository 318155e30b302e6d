// The Verify page's in-browser check (server/http/pages/browser/check-proof.ts) and its key memory, run in Node on a
// log built with the schemas/signing code the ledger uses: a genuine proof passes; any tampering fails with a code.
import { describe, expect, it } from 'vitest';
import { signCheckpoint } from '../../schemas/signing/checkpoint.js';
import { encodeBase64, encodeUtf8 } from '../../schemas/signing/encoding.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import { inclusionProof, leafHash, rootFromLeafHashes } from '../../schemas/signing/merkle.js';
import { ed25519NoteSigner, formatVkey, SIGNATURE_TYPE_ED25519 } from '../../schemas/signing/signed-note.js';
import { checkCheckpoint, checkProof, groupFingerprint, readKey, type ProofInput } from '../../server/http/pages/browser/check-proof.js';
import { KEY_STORAGE_NAME, recallKey, trustKey, type KeyStorage } from '../../server/http/pages/browser/key-memory.js';

const ORIGIN = 'pedigree.test/ledger';

function log(size: number, origin = ORIGIN) {
  const keys = generateKeyPair();
  const entries = Array.from({ length: size }, (_v, i) => encodeUtf8(JSON.stringify({ v: 1, device: 'gw-test', seq: i, event: { n: i } })));
  const leaves = entries.map(leafHash);
  const note = signCheckpoint({ origin, size, rootHash: rootFromLeafHashes(leaves), extensions: [] }, [ed25519NoteSigner({ name: origin, secretKey: keys.secretKey })]);
  const vkey = formatVkey({ name: origin, type: SIGNATURE_TYPE_ED25519, publicKey: keys.publicKey });
  const proofOf = (index: number): ProofInput => ({
    index,
    size,
    entry: encodeBase64(entries[index]!),
    leafHash: encodeBase64(leaves[index]!),
    hashes: inclusionProof(leaves, index).map(encodeBase64),
    checkpoint: note,
  });
  return { vkey, note, proofOf };
}

/** The base64 of the same bytes with one bit flipped in the first byte. */
function flip(b64: string): string {
  const bytes = Uint8Array.from(Buffer.from(b64, 'base64'));
  bytes[0]! ^= 0x01;
  return encodeBase64(bytes);
}

describe('checking a proof in the browser', () => {
  const l = log(13);

  it('passes for every entry of a genuine log and names the key by its fingerprint', () => {
    for (let i = 0; i < 13; i++) {
      const r = checkProof(l.proofOf(i), l.vkey, i);
      expect(r.ok ? r.value.index : r).toBe(i);
    }
    const r = checkProof(l.proofOf(4), `${l.vkey}\n`);
    expect(r.ok && r.value).toMatchObject({ origin: ORIGIN, size: 13, otherSignatures: 0, fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('fails INCLUSION_PROOF_INVALID when a proof hash is flipped', () => {
    const p = l.proofOf(5);
    const r = checkProof({ ...p, hashes: [flip(p.hashes[0]!), ...p.hashes.slice(1)] }, l.vkey);
    expect(r.ok ? 'passed' : r.code).toBe('INCLUSION_PROOF_INVALID');
  });

  it('fails CHECKPOINT_INVALID when the checkpoint root or its signature is altered', () => {
    const p = l.proofOf(5);
    const lines = p.checkpoint.split('\n');
    const root = [...lines];
    root[2] = flip(lines[2]!);
    expect(checkProof({ ...p, checkpoint: root.join('\n') }, l.vkey)).toMatchObject({ ok: false, code: 'CHECKPOINT_INVALID' });
    const sig = p.checkpoint.replace(/ ([A-Za-z0-9+/]{4})/, (_m, four: string) => ` ${four === 'AAAA' ? 'BBBB' : 'AAAA'}`);
    expect(checkProof({ ...p, checkpoint: sig }, l.vkey)).toMatchObject({ ok: false, code: 'CHECKPOINT_INVALID' });
  });

  it('fails LEAF_MISMATCH when the entry bytes are not the leaf the proof is about', () => {
    const p = l.proofOf(5);
    expect(checkProof({ ...p, entry: l.proofOf(6).entry }, l.vkey)).toMatchObject({ ok: false, code: 'LEAF_MISMATCH' });
  });

  it('fails WRONG_ENTRY when the proof is for another entry than the pack’s latest', () => {
    expect(checkProof(l.proofOf(5), l.vkey, 6)).toMatchObject({ ok: false, code: 'WRONG_ENTRY' });
  });

  it('fails with another ledger’s key, or a checkpoint of another log', () => {
    const other = log(13);
    expect(checkProof(l.proofOf(5), other.vkey)).toMatchObject({ ok: false, code: 'CHECKPOINT_INVALID' });
    const elsewhere = log(13, 'other.test/log');
    expect(checkCheckpoint(l.note, elsewhere.vkey)).toMatchObject({ ok: false, code: 'CHECKPOINT_INVALID' });
  });

  it('refuses malformed input without throwing', () => {
    for (const bad of [null, 'x', {}, { ...l.proofOf(1), hashes: 'x' }, { ...l.proofOf(1), size: -1 }, { ...l.proofOf(1), entry: '***' }]) {
      const r = checkProof(bad, l.vkey);
      expect(r.ok).toBe(false);
    }
    expect(readKey('not a vkey')).toMatchObject({ ok: false, code: 'KEY_INVALID' });
    expect(checkProof(l.proofOf(1), 42)).toMatchObject({ ok: false, code: 'KEY_INVALID' });
  });

  it('groups a fingerprint for reading aloud', () => {
    expect(groupFingerprint('0123456789abcdef')).toBe('0123 4567 89ab cdef');
  });
});

describe('remembering the ledger key (trust on first use)', () => {
  const memory = (): KeyStorage & { map: Map<string, string> } => {
    const map = new Map<string, string>();
    return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
  };
  const t0 = new Date('2026-11-01T09:00:00Z');

  it('remembers the key on first use and recognises it later', () => {
    const s = memory();
    expect(recallKey(s, 'key-a', t0)).toEqual({ status: 'first-use', since: t0.toISOString() });
    expect(recallKey(s, 'key-a', new Date())).toEqual({ status: 'same', since: t0.toISOString() });
  });

  it('reports a different key as changed and keeps the remembered one until the person trusts the new one', () => {
    const s = memory();
    recallKey(s, 'key-a', t0);
    expect(recallKey(s, 'key-b', new Date())).toEqual({ status: 'changed', previous: { vkey: 'key-a', since: t0.toISOString() } });
    expect(recallKey(s, 'key-b', new Date()).status).toBe('changed');
    trustKey(s, 'key-b', t0);
    expect(recallKey(s, 'key-b', new Date()).status).toBe('same');
  });

  it('treats a damaged record as a changed key, and missing or refusing storage as unavailable', () => {
    const s = memory();
    s.map.set(KEY_STORAGE_NAME, '{broken');
    expect(recallKey(s, 'key-a', t0).status).toBe('changed');
    expect(recallKey(undefined, 'key-a', t0).status).toBe('unavailable');
    const refusing: KeyStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(recallKey(refusing, 'key-a', t0).status).toBe('unavailable');
  });
});
