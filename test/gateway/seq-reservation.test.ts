// seq outlives the outbox: the reservation beside it, the ledger's last seq, a time-based seq (DESIGN.md §3).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resumeSeq, timeBasedSeq, type ResumeSeqOptions } from '../../gateway/resume-seq.js';
import { SeqReservation } from '../../gateway/seq-reservation.js';

describe('the seq reservation', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pedigree-seq-'));
    path = join(dir, 'seq.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reserves a block ahead, durably, and only when a batch goes past it', async () => {
    const r = SeqReservation.open({ path, device: 'gw-1', blockSize: 1000 });
    expect(r.found).toBe(false);
    r.setFloor(0);
    await r.reserve(1);
    expect(r.reservedThrough).toBe(1001);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ v: 1, device: 'gw-1', reservedThrough: 1001 });
    expect(r.reserve(1001)).toBeUndefined(); // within the block: nothing written, nothing to wait for
    await r.reserve(1002);
    expect(SeqReservation.open({ path, device: 'gw-1' }).reservedThrough).toBe(2002);
  });

  it('shrinks to the last seq used on a clean stop, so a restart leaves no gap', async () => {
    const r = SeqReservation.open({ path, device: 'gw-1' });
    await r.reserve(42);
    await r.release(43);
    expect(SeqReservation.open({ path, device: 'gw-1' }).reservedThrough).toBe(42);
  });

  it('is no local state for another device or an unreadable file', () => {
    SeqReservation.open({ path, device: 'gw-1' }).setFloor(5);
    expect(SeqReservation.open({ path, device: 'gw-2' }).found).toBe(false);
    writeFileSync(path, '{"v":1,"device":"gw-1","reserv');
    expect(SeqReservation.open({ path, device: 'gw-1' }).found).toBe(false);
  });
});

describe('where a starting gateway continues its seq', () => {
  const now = new Date('2026-11-24T00:00:00Z');
  const base: ResumeSeqOptions = { device: 'gw-1', publicKey: 'PK', reservedThrough: undefined, outboxNextSeq: 1, httpUrl: 'http://ledger.test', now };
  const ledger =
    (body: unknown, status = 200): typeof fetch =>
    async () =>
      new Response(JSON.stringify(body), { status });
  const unreachable: typeof fetch = async () => {
    throw new TypeError('fetch failed');
  };

  it('trusts its own reservation and never goes below the outbox', async () => {
    expect(await resumeSeq({ ...base, reservedThrough: 1000, outboxNextSeq: 17, fetch: unreachable })).toMatchObject({ seq: 1001, source: 'local' });
    expect(await resumeSeq({ ...base, reservedThrough: 16, outboxNextSeq: 17 })).toMatchObject({ seq: 17, source: 'local' });
  });

  describe('without local state', () => {
    it("continues above the ledger's last seq, and where its key starts", async () => {
      const answer = { device: 'gw-1', lastSeq: 1042, keys: [{ keyNo: 1, publicKey: 'OLD', fromSeq: 0 }, { keyNo: 2, publicKey: 'PK', fromSeq: 2000 }] };
      expect(await resumeSeq({ ...base, fetch: ledger({ ...answer, keys: [] }) })).toMatchObject({ seq: 1043, source: 'ledger' });
      expect(await resumeSeq({ ...base, fetch: ledger(answer) })).toMatchObject({ seq: 2000, source: 'ledger' });
      expect(await resumeSeq({ ...base, fetch: ledger({ device: 'gw-1', lastSeq: null }) })).toMatchObject({ seq: 1, source: 'ledger' });
      expect(await resumeSeq({ ...base, outboxNextSeq: 5000, fetch: ledger(answer) })).toMatchObject({ seq: 5000 });
    });

    it('falls back to a time-based seq when the ledger cannot say, and says why', async () => {
      for (const fetch of [unreachable, ledger({ type: 'about:blank' }, 404), ledger({ device: 'gw-1' }), ledger({ device: 'gw-other', lastSeq: 3 })]) {
        const r = await resumeSeq({ ...base, fetch });
        expect(r).toMatchObject({ seq: timeBasedSeq(now), source: 'time' });
        expect(r.reason).toMatch(/time-based/);
      }
      expect(await resumeSeq({ ...base, httpUrl: undefined })).toMatchObject({ seq: now.getTime() * 1000, source: 'time' });
      expect(timeBasedSeq(new Date('2200-01-01T00:00:00Z'))).toBeLessThan(Number.MAX_SAFE_INTEGER);
    });

    it('refuses to guess with a clock that was never set', async () => {
      await expect(resumeSeq({ ...base, fetch: unreachable, now: new Date('1970-01-01T00:01:00Z') })).rejects.toThrow(/clock/);
    });
  });
});
