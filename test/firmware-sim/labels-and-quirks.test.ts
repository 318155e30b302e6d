import { describe, expect, it } from 'vitest';
import { FrameCounter, noiseBytes, seededRandom, truncateFrame } from '../../firmware-sim/frame-quirks.js';
import { makeGln, makeGtin, makeSscc, packAis, sgtinPureUri, ssccPureUri } from '../../firmware-sim/gs1-labels.js';
import { epcHex } from '../../firmware-sim/rfid-reader.js';
import { FrameSplitter } from '../../gateway/frame-splitter.js';
import { decodeEpcHex } from '../../schemas/gs1/epc-binary.js';
import { formatScanData, parseScan } from '../../schemas/gs1/index.js';

describe('simulated labels', () => {
  it('are valid GS1: GTINs, SSCCs and GLNs with check digits, packs in pharma AI order', () => {
    const gtin = makeGtin('4012345', 678);
    const scan = formatScanData(packAis({ gtin, serial: 'X1', lot: 'L', expiry: '281231' }));
    expect(scan.ok && scan.value).toBe(`]d201${gtin}17281231${'10'}L\x1d21X1`);
    expect(parseScan(scan.ok ? scan.value : '')).toMatchObject({ ok: true, value: { gtin, serial: 'X1', lot: 'L', expiry: '2028-12-31' } });
    expect(parseScan(`]d200${makeSscc('4012345', 42)}`)).toMatchObject({ ok: true });
    expect(parseScan(`]d2417${makeGln('4012345', 7)}`)).toMatchObject({ ok: true });
  });

  it('encode to RFID EPCs that decode back to the same identifiers', () => {
    const sscc = makeSscc('4012345', 42, 3);
    expect(decodeEpcHex(epcHex(ssccPureUri('4012345', 42, 3), 'sscc-96', 0))).toMatchObject({ ok: true, value: { sscc } });
    const gtin = makeGtin('4012345', 678);
    expect(decodeEpcHex(epcHex(sgtinPureUri('4012345', 678, '1001'), 'sgtin-96'))).toMatchObject({ ok: true, value: { gtin, serial: '1001' } });
    expect(decodeEpcHex(epcHex(sgtinPureUri('4012345', 678, 'AB-9'), 'sgtin-198'))).toMatchObject({ ok: true, value: { gtin, serial: 'AB-9' } });
  });
});

describe('scanner quirks', () => {
  it('are reproducible from a seed, and noise never contains a terminator', () => {
    expect(noiseBytes(64, seededRandom(7))).toEqual(noiseBytes(64, seededRandom(7)));
    const noise = noiseBytes(10_000, seededRandom(1));
    expect(noise.includes(0x0d) || noise.includes(0x0a)).toBe(false);
  });

  it('truncate inside the GTIN, so that the cut is always detectable', () => {
    const frame = Buffer.from(`]d201${makeGtin('4012345', 678)}17281231`);
    const random = seededRandom(3);
    for (let i = 0; i < 100; i++) {
      const cut = truncateFrame(frame, random);
      expect(cut.length).toBeLessThan(19);
      expect(parseScan(cut.toString('latin1')).ok).toBe(false);
    }
  });

  it('count frames exactly as a host that splits at CR and LF does', () => {
    const random = seededRandom(11);
    const counter = new FrameCounter();
    const splitter = new FrameSplitter({ maxFrameLength: 16 });
    let counted = 0;
    let split = 0;
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.from(Array.from({ length: Math.floor(random() * 40) }, () => [0x0d, 0x0a, 0x41, 0x42][Math.floor(random() * 4)]!));
      counted += counter.count(chunk);
      split += splitter.push(chunk).length;
    }
    expect(counted).toBe(split);
  });
});
