import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameSplitter, type Frame } from '../../gateway/frame-splitter.js';

const text = (frames: Frame[]) => frames.map((f) => (f.kind === 'data' ? f.bytes.toString('latin1') : `<overflow ${f.length}>`));

describe('frame splitter', () => {
  it('splits at CR, LF and CR LF, and skips empty frames', () => {
    const s = new FrameSplitter();
    expect(text(s.push(Buffer.from('one\rtwo\nthree\r\n\r\nfour')))).toEqual(['one', 'two', 'three']);
    expect(text(s.push(Buffer.from('\r')))).toEqual(['four']);
  });

  it('carries a frame across chunks', () => {
    const s = new FrameSplitter();
    expect(s.push(Buffer.from(']d201095'))).toEqual([]);
    expect(text(s.push(Buffer.from('06000134352\r')))).toEqual([']d20109506000134352']);
  });

  describe('when a frame is longer than the limit', () => {
    it('drops it as it arrives, holds at most the limit, and reports it once at its terminator', () => {
      const s = new FrameSplitter({ maxFrameLength: 64 });
      const megabyte = Buffer.alloc(1024 * 1024, 0x41);
      for (let i = 0; i < 16; i++) {
        expect(s.push(megabyte.subarray(i * 65536, (i + 1) * 65536))).toEqual([]);
        expect(s.buffered).toBeLessThanOrEqual(64);
      }
      expect(s.push(Buffer.from('\rok\r'))).toEqual([{ kind: 'overflow', length: 1024 * 1024 }, { kind: 'data', bytes: Buffer.from('ok') }]);
    });

    it('keeps a frame of exactly the limit', () => {
      const s = new FrameSplitter({ maxFrameLength: 4 });
      expect(text(s.push(Buffer.from('abcd\rabcde\r')))).toEqual(['abcd', '<overflow 5>']);
    });
  });

  it('gives the same frames however the bytes are chunked', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(50), { maxLength: 20 }), (bytes, cuts) => {
        const whole = text(new FrameSplitter({ maxFrameLength: 32 }).push(bytes));
        const s = new FrameSplitter({ maxFrameLength: 32 });
        const parts: Frame[] = [];
        let at = 0;
        for (const c of cuts) {
          parts.push(...s.push(bytes.subarray(at, at + c)));
          at += c;
        }
        parts.push(...s.push(bytes.subarray(at)));
        expect(text(parts)).toEqual(whole);
      }),
    );
  });
});
