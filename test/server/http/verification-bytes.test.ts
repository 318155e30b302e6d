// The verification answer is written into its buffer piece by piece (custody-routes.ts, verificationBytes): it must
// be the UTF-8 JSON a client parses to the same answer, whatever the party names hold, with `proof` last.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { emptyState, type UnitState } from '../../../server/domain/custody-model.js';
import type { Verification } from '../../../server/domain/verify-unit.js';
import { verificationBytes } from '../../../server/http/custody-routes.js';

const NOTE = 'pedigree.local/ledger\n5000000\nq9bM3yUgcYp0ZKxGpY1n9mJ4D8rW0aTqLzEo6hXfN2c=\n\n\u2014 pedigree.local/ledger AbCdEf0123==\n';
const EPC = 'https://id.gs1.org/01/09506000134352/21/SER1';

const unit: UnitState = {
  ...emptyState(EPC),
  state: 'active',
  commissionedIndex: 3,
  lot: 'LOT1',
  expiry: '2029-12-31',
  owner: '9506000000007',
  custodian: '9506000000014',
  location: '9506000000014.0',
  custodyIndex: 9,
  lastIndex: 9,
  lastEventTime: '2026-11-20T10:00:00.000Z',
};

function verification(partyName: string, proof: boolean): Verification {
  return {
    verificationTimestamp: '2026-11-25T08:00:00.000Z',
    responderGLN: unit.owner,
    corrUUID: 'c0a80101-0000-4000-8000-000000000001',
    data: { verified: true },
    unit,
    pedigree: [3, 9].map((index) => ({
      index,
      eventTime: '2026-11-20T10:00:00.000Z',
      bizStep: 'receiving',
      disposition: 'in_progress',
      party: '9506000000014',
      partyName,
      location: '9506000000014.0',
      destinationParty: null,
      via: null,
      retractedBy: null,
      corrects: null,
      alerts: [],
    })),
    alerts: [],
    proof: proof
      ? {
          entry: randomBytes(950),
          inclusionProof: { index: 9, size: 5_000_000, leafHash: randomBytes(32), hashes: Array.from({ length: 23 }, () => randomBytes(32)) },
          checkpoint: NOTE,
        }
      : null,
  };
}

describe('verificationBytes', () => {
  it.each([
    ['an ASCII party name', 'Central Pharmacy', true],
    ['a Latin-1 party name', 'Pharmacie Saint-Étienne', true],
    ['a party name beyond Latin-1, and an emoji', 'Apotheke \u2014 東京 💊', true],
    ['no proof (an unknown serial)', 'Pharmacie Saint-Étienne', false],
  ])('with %s: UTF-8 JSON that parses to the answer, proof last', (_, name, withProof) => {
    const v = verification(name, withProof);
    const bytes = verificationBytes(v);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const parsed = JSON.parse(text);
    expect(parsed.pedigree.map((s: { partyName: string }) => s.partyName)).toEqual([name, name]);
    expect(parsed.unit.epc).toBe(EPC);
    expect(Object.keys(parsed).at(-1)).toBe('proof');
    if (v.proof) {
      expect(parsed.proof.entry).toBe(Buffer.from(v.proof.entry).toString('base64'));
      expect(parsed.proof.hashes).toEqual(v.proof.inclusionProof.hashes.map((h) => Buffer.from(h).toString('base64')));
      expect(parsed.proof.checkpoint).toBe(NOTE);
    } else {
      expect(parsed.proof).toBeNull();
    }
    expect(text.endsWith('}')).toBe(true);
    expect(bytes.length).toBe(Buffer.byteLength(text));
  });
});
