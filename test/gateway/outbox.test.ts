import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listSegmentFiles, Outbox } from '../../gateway/outbox.js';
import { encodeRecord } from '../../gateway/outbox-record.js';

const payload = (seq: number) => Buffer.from(JSON.stringify({ seq, event: `event-${seq}` }));

async function appendMany(outbox: Outbox, n: number): Promise<number[]> {
  const appended = [];
  for (let i = 0; i < n; i++) appended.push(outbox.append(payload));
  await Promise.all(appended.map((a) => a.durable));
  return appended.map((a) => a.seq);
}

async function drain(outbox: Outbox, max = 1000): Promise<number[]> {
  const seqs: number[] = [];
  for (;;) {
    const records = await outbox.readNext(max);
    if (records.length === 0) return seqs;
    for (const r of records) {
      expect(JSON.parse(r.payload.toString()).seq).toBe(r.seq);
      seqs.push(r.seq);
    }
  }
}

describe('outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pedigree-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('numbers records from 1, makes them durable and reads them back in order', async () => {
    const outbox = await Outbox.open({ dir });
    expect(outbox.nextSeq).toBe(1);
    expect(await appendMany(outbox, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(outbox.pending).toBe(5);
    expect(await drain(outbox)).toEqual([1, 2, 3, 4, 5]);
    await outbox.close();
  });

  it('does not use a seq when building the payload throws', async () => {
    const outbox = await Outbox.open({ dir });
    expect(() =>
      outbox.append(() => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(outbox.append(payload).seq).toBe(1);
    await outbox.close();
  });

  it('hands out only records that are on disk', async () => {
    const outbox = await Outbox.open({ dir });
    const a = outbox.append(payload);
    // Not yet fsynced: the reader must not see it (it would be published before it is durable).
    expect(await outbox.readNext(10)).toEqual([]);
    await a.durable;
    expect((await outbox.readNext(10)).map((r) => r.seq)).toEqual([a.seq]);
    await outbox.close();
  });

  describe('when the gateway crashes after writing and before any receipt', () => {
    it('reopens with every record pending and continues the seq', async () => {
      const first = await Outbox.open({ dir });
      await appendMany(first, 10);
      // No close(): a crash. The process is gone; the files are what is left.
      const second = await Outbox.open({ dir });
      expect(second.nextSeq).toBe(11);
      expect(second.pending).toBe(10);
      expect(await drain(second)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(second.append(payload).seq).toBe(11);
      await second.close();
    });
  });

  describe('when a write was torn by a power cut', () => {
    it('cuts the torn record off and reuses its seq, which was never published', async () => {
      const first = await Outbox.open({ dir });
      await appendMany(first, 3);
      await first.close();
      const [segment] = listSegmentFiles(dir);
      const torn = encodeRecord(4, payload(4));
      appendFileSync(segment!, torn.subarray(0, torn.length - 5));
      const second = await Outbox.open({ dir });
      expect(second.nextSeq).toBe(4);
      expect(await drain(second)).toEqual([1, 2, 3]);
      await appendMany(second, 1);
      expect(await drain(second)).toEqual([4]);
      await second.close();
      const third = await Outbox.open({ dir });
      expect(await drain(third)).toEqual([1, 2, 3, 4]);
      await third.close();
    });

    it('cuts off a tail of zeros or a record with a bad checksum', async () => {
      const first = await Outbox.open({ dir });
      await appendMany(first, 2);
      await first.close();
      const [segment] = listSegmentFiles(dir);
      const bad = encodeRecord(3, payload(3));
      bad.writeUInt8(bad.readUInt8(bad.length - 1) ^ 0xff, bad.length - 1);
      appendFileSync(segment!, Buffer.concat([bad, Buffer.alloc(100)]));
      const sizeBefore = statSync(segment!).size;
      const second = await Outbox.open({ dir });
      expect(statSync(segment!).size).toBeLessThan(sizeBefore);
      expect(second.nextSeq).toBe(3);
      expect(await drain(second)).toEqual([1, 2]);
      await second.close();
    });
  });

  describe('acknowledgements', () => {
    it('forgets acknowledged records, out of order too, and remembers that across a restart', async () => {
      const outbox = await Outbox.open({ dir, ackPersistMs: 1 });
      await appendMany(outbox, 6);
      expect(await drain(outbox)).toHaveLength(6);
      for (const seq of [2, 1, 5]) expect(outbox.ack(seq)).toBe(true);
      expect(outbox.ack(1)).toBe(false);
      expect(outbox.ack(99)).toBe(false);
      expect(outbox.ackedThrough).toBe(2);
      expect(outbox.pending).toBe(3);
      await outbox.flushAcks();
      await outbox.close();
      const again = await Outbox.open({ dir });
      // seq 5 had a receipt too, but only the contiguous point is persisted: it is published again (a duplicate).
      expect(await drain(again)).toEqual([3, 4, 5, 6]);
      expect(again.nextSeq).toBe(7);
      await again.close();
    });

    it('skips records acknowledged before the reader reaches them', async () => {
      const outbox = await Outbox.open({ dir });
      await appendMany(outbox, 4);
      outbox.ack(3);
      expect(await drain(outbox)).toEqual([1, 2, 4]);
      await outbox.close();
    });

    it('keeps the seq after everything is acknowledged and segments are deleted', async () => {
      const outbox = await Outbox.open({ dir, segmentBytes: 4096, ackPersistMs: 1 });
      const seqs = await appendMany(outbox, 200);
      await drain(outbox);
      for (const s of seqs) outbox.ack(s);
      await outbox.flushAcks();
      expect(listSegmentFiles(dir)).toHaveLength(1); // only the active segment stays
      await outbox.close();
      const again = await Outbox.open({ dir });
      expect(again.nextSeq).toBe(201);
      expect(again.pending).toBe(0);
      expect(await drain(again)).toEqual([]);
      await appendMany(again, 1);
      expect(await drain(again)).toEqual([201]);
      await again.close();
    });
  });

  describe('segments', () => {
    it('rolls over to new segments and drains across them in order', async () => {
      const outbox = await Outbox.open({ dir, segmentBytes: 2048 });
      await appendMany(outbox, 300);
      expect(listSegmentFiles(dir).length).toBeGreaterThan(3);
      const seqs = await drain(outbox, 7);
      expect(seqs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      await outbox.close();
      const again = await Outbox.open({ dir, segmentBytes: 2048 });
      expect(again.nextSeq).toBe(301);
      expect(await drain(again)).toHaveLength(300);
      await again.close();
    });

    it('continues from an empty segment left by a crash right after rolling over', async () => {
      const outbox = await Outbox.open({ dir });
      await appendMany(outbox, 3);
      await outbox.close();
      writeFileSync(join(dir, `seg-${String(4).padStart(16, '0')}.log`), '');
      const again = await Outbox.open({ dir });
      expect(again.nextSeq).toBe(4);
      expect(await drain(again)).toEqual([1, 2, 3]);
      await appendMany(again, 2);
      expect(await drain(again)).toEqual([4, 5]);
      await again.close();
    });
  });

  it('group-commits a burst of appends and resolves each after its own write', async () => {
    const outbox = await Outbox.open({ dir });
    const burst = Array.from({ length: 500 }, () => outbox.append(payload));
    expect(outbox.queued).toBeGreaterThan(0);
    await Promise.all(burst.map((b) => b.durable));
    expect(outbox.queued).toBe(0);
    expect(outbox.lastDurableSeq).toBe(500);
    await outbox.close();
    expect(readdirSync(dir).some((n) => n.startsWith('seg-'))).toBe(true);
  });

  describe('when the seq jumps (a lost outbox, a crash inside a reserved block)', () => {
    it('leaves the seqs in between unused and counts them as acknowledged', async () => {
      const outbox = await Outbox.open({ dir, ackPersistMs: 1 });
      await appendMany(outbox, 3);
      outbox.skipTo(1001);
      expect(outbox.nextSeq).toBe(1001);
      expect(outbox.pending).toBe(3);
      expect(await appendMany(outbox, 2)).toEqual([1001, 1002]);
      expect(outbox.pending).toBe(5);
      expect(await drain(outbox)).toEqual([1, 2, 3, 1001, 1002]);
      expect(outbox.ack(500)).toBe(false); // never used: no receipt can be for it
      for (const seq of [1, 2, 3, 1001, 1002]) expect(outbox.ack(seq)).toBe(true);
      expect(outbox.ackedThrough).toBe(1002);
      expect(outbox.pending).toBe(0);
      await outbox.close();
      const again = await Outbox.open({ dir });
      expect(again.nextSeq).toBe(1003);
      expect(again.pending).toBe(0);
      await again.close();
    });

    it('never moves the seq down', async () => {
      const outbox = await Outbox.open({ dir });
      await appendMany(outbox, 5);
      outbox.skipTo(2);
      expect(outbox.nextSeq).toBe(6);
      await outbox.close();
    });

    it('finds a gap again after a restart and still empties', async () => {
      const first = await Outbox.open({ dir });
      await appendMany(first, 2);
      first.skipTo(50);
      await appendMany(first, 2);
      // A crash: nothing acknowledged, the gap only on disk.
      const second = await Outbox.open({ dir, ackPersistMs: 1 });
      expect(second.nextSeq).toBe(52);
      const seqs = await drain(second);
      expect(seqs).toEqual([1, 2, 50, 51]);
      for (const seq of seqs) second.ack(seq);
      expect(second.ackedThrough).toBe(51);
      expect(second.pending).toBe(0);
      await second.close();
    });

    it('moves the acknowledged point on when the skip is all that is left', async () => {
      const outbox = await Outbox.open({ dir, ackPersistMs: 1 });
      const seqs = await appendMany(outbox, 3);
      await drain(outbox);
      for (const seq of seqs) outbox.ack(seq);
      outbox.skipTo(10_000);
      expect(outbox.ackedThrough).toBe(9_999);
      expect(outbox.pending).toBe(0);
      await outbox.close();
      expect((await Outbox.open({ dir })).nextSeq).toBe(10_000);
    });

    it('waits for the seq reservation before writing a batch', async () => {
      const calls: number[] = [];
      let release!: () => void;
      const reserved = new Promise<void>((r) => (release = r));
      const outbox = await Outbox.open({ dir, reserveSeqs: (last) => (calls.push(last), last > 2 ? reserved : undefined) });
      await appendMany(outbox, 2);
      const third = outbox.append(payload);
      await new Promise((r) => setTimeout(r, 20));
      expect(outbox.lastDurableSeq).toBe(2); // held back until the reservation is durable
      release();
      await third.durable;
      expect(outbox.lastDurableSeq).toBe(3);
      expect(calls.at(-1)).toBe(3);
      await outbox.close();
    });
  });

  it('a truncated non-active segment is skipped with a warning, not a crash', async () => {
    const warnings: string[] = [];
    const outbox = await Outbox.open({ dir, segmentBytes: 1024 });
    await appendMany(outbox, 50);
    await outbox.close();
    const [first] = listSegmentFiles(dir);
    truncateSync(first!, statSync(first!).size - 3);
    const again = await Outbox.open({ dir, segmentBytes: 1024, onWarning: (m) => warnings.push(m) });
    const seqs = await drain(again);
    expect(seqs.length).toBeLessThan(50);
    expect(seqs.at(-1)).toBe(50);
    expect(warnings.length).toBeGreaterThan(0);
    // The records lost with the truncated tail can never be receipted: they must not hold the outbox open.
    for (const seq of seqs) again.ack(seq);
    expect(again.pending).toBe(0);
    expect(again.ackedThrough).toBe(50);
    await again.close();
  });
});
