import { describe, expect, it } from 'vitest';
import { ReadDedup } from '../../gateway/read-dedup.js';

describe('read de-duplication', () => {
  it('treats a barcode read again within the window as the same read (fixed window)', () => {
    const d = new ReadDedup<string>({ windowMs: 500, sliding: false });
    d.remember('01/x/21/1', 1000, 'first');
    expect(d.repeatOf('01/x/21/1', 1150)).toBe('first'); // a double read 150 ms later
    expect(d.repeatOf('01/x/21/1', 1400)).toBe('first');
    expect(d.repeatOf('01/x/21/1', 1501)).toBeUndefined(); // scanned again later: a new read
    expect(d.repeatOf('01/x/21/2', 1100)).toBeUndefined();
  });

  it('keeps an RFID tag that stays in the field as one read (sliding window)', () => {
    const d = new ReadDedup<string>({ windowMs: 300, sliding: true });
    d.remember('tag', 0, 'first');
    for (let t = 200; t <= 3000; t += 200) expect(d.repeatOf('tag', t)).toBe('first');
    expect(d.repeatOf('tag', 3400)).toBeUndefined(); // left the field for longer than the window
  });

  it('never holds more than maxEntries identities', () => {
    const d = new ReadDedup<number>({ windowMs: 60_000, sliding: false, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) d.remember(`k${i}`, i, i);
    expect(d.size).toBe(100);
    expect(d.repeatOf('k9999', 10_000)).toBe(9999);
    expect(d.repeatOf('k0', 10_000)).toBeUndefined();
  });

  it('remembers nothing with a zero window', () => {
    const d = new ReadDedup<number>({ windowMs: 0, sliding: false });
    d.remember('k', 0, 1);
    expect(d.repeatOf('k', 0)).toBeUndefined();
  });
});
