import { describe, expect, it } from 'vitest';
import { storableInstant, storableInstantOf } from '../../../server/domain/storable-instant.js';

describe('storableInstant', () => {
  it('writes ISO 8601 UTC for years 0001–9999 and nothing else', () => {
    expect(storableInstant(Date.parse('2026-11-24T12:00:00+01:00'))).toBe('2026-11-24T11:00:00.000Z');
    expect(storableInstant(Date.parse('0001-01-01T00:00:00Z'))).toBe('0001-01-01T00:00:00.000Z');
    expect(storableInstant(Date.parse('0000-12-31T23:59:59Z'))).toBeUndefined();
    expect(storableInstant(Date.parse('+010000-01-01T00:00:00Z'))).toBeUndefined();
    expect(storableInstant(Number.NaN)).toBeUndefined();
  });

  it('reads a client\'s date or date-time', () => {
    expect(storableInstantOf('2026-11-24')).toBe('2026-11-24T00:00:00.000Z');
    expect(storableInstantOf('0000-01-01')).toBeUndefined();
    expect(storableInstantOf('yesterday')).toBeUndefined();
    expect(storableInstantOf('1732406400000')).toBeUndefined();
  });
});
