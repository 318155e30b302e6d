// A scanner station on @serialport/binding-mock: answers in frame order, survives garbage and an unplugged cable.
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGatewayConfig, type ScannerConfig } from '../../gateway/config.js';
import type { Frame } from '../../gateway/frame-splitter.js';
import { ACK, NAK, ScannerStation, type SerialPortLike } from '../../gateway/scanner-station.js';
import { quietLogger, waitFor } from './gateway-fixtures.js';

const PATH = '/dev/ttyMOCK0';
// serialport's own (CommonJS) instance of @serialport/binding-mock: importing the package here would load its ESM
// build, a second registry of mock ports that SerialPortMock never sees.
const MockBinding = SerialPortMock.binding;

function scanner(extra: Partial<ScannerConfig> = {}): ScannerConfig {
  const parsed = parseGatewayConfig(
    { device: 'gw', site: { party: '4012345000009', location: { gln: '4012345000009' } }, ledger: { mqttUrl: 'mqtt://x' }, scanners: [{ name: 's', path: PATH, mode: 'commissioning', maxFrameLength: 256, ...extra }] },
    '/tmp',
  );
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.config.scanners[0]!;
}

describe('a scanner station', () => {
  let station: ScannerStation | undefined;
  afterEach(async () => {
    await station?.stop();
    station = undefined;
    MockBinding.reset();
  });

  function open(process: (frame: Frame) => Promise<boolean>, config = scanner()) {
    MockBinding.createPort(PATH, { echo: false, record: true });
    const ports: SerialPortMock[] = [];
    station = new ScannerStation({
      scanner: config,
      process,
      logger: quietLogger(),
      reopenMs: 20,
      createPort: (s) => {
        const p = new SerialPortMock({ path: s.path, baudRate: s.baudRate, autoOpen: false });
        ports.push(p);
        return p as unknown as SerialPortLike;
      },
    });
    station.start();
    return ports;
  }

  it('answers each frame in order, ACK when stored and NAK when refused, even when later reads finish first', async () => {
    const delays: Record<string, number> = { A: 30, B: 0, C: 10 };
    const ports = open(async (f) => {
      const text = f.kind === 'data' ? f.bytes.toString() : '';
      await new Promise((r) => setTimeout(r, delays[text] ?? 0));
      return text !== 'B';
    });
    await waitFor(() => station!.connected || undefined);
    ports[0]!.port!.emitData(Buffer.from('A\rB\rC\r'));
    await waitFor(() => (ports[0]!.port!.recording.length === 3 ? true : undefined));
    expect([...ports[0]!.port!.recording]).toEqual([ACK, NAK, ACK]);
  });

  it('survives 1 MB without a terminator: one NAK, then carries on', async () => {
    const frames: Frame[] = [];
    const ports = open(async (f) => {
      frames.push(f);
      return f.kind === 'data';
    });
    await waitFor(() => station!.connected || undefined);
    const mb = Buffer.alloc(1024 * 1024, 0x33);
    for (let i = 0; i < 16; i++) ports[0]!.port!.emitData(mb.subarray(i * 65536, (i + 1) * 65536));
    ports[0]!.port!.emitData(Buffer.from('\rOK\r'));
    await waitFor(() => (ports[0]!.port!.recording.length === 2 ? true : undefined));
    expect(frames.map((f) => f.kind)).toEqual(['overflow', 'data']);
    expect([...ports[0]!.port!.recording]).toEqual([NAK, ACK]);
  });

  it('reopens the port after the scanner is unplugged and plugged back in', async () => {
    const seen: string[] = [];
    const ports = open(async (f) => {
      if (f.kind === 'data') seen.push(f.bytes.toString());
      return true;
    });
    await waitFor(() => station!.connected || undefined);
    ports[0]!.port!.emitData(Buffer.from('BEFORE\rHALF-A-FR'));
    await waitFor(() => (seen.length === 1 ? true : undefined));
    await new Promise<void>((r) => ports[0]!.close(() => r())); // the cable comes out mid-frame
    await waitFor(() => (!station!.connected ? true : undefined));
    await waitFor(() => (ports.length >= 2 && station!.connected ? true : undefined));
    ports.at(-1)!.port!.emitData(Buffer.from('AME\rAFTER\r'));
    await waitFor(() => (seen.length === 3 ? true : undefined));
    // The half frame was dropped with the old connection: its tail arrives as a frame of its own.
    expect(seen).toEqual(['BEFORE', 'AME', 'AFTER']);
  });

  it('keeps trying while the scanner is not there, without crashing', async () => {
    station = new ScannerStation({ scanner: scanner({ path: '/dev/does-not-exist' }), process: async () => true, logger: quietLogger(), reopenMs: 10 });
    station.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(station.connected).toBe(false);
  });

  it('sends no answers to an RFID reader (no handshake)', async () => {
    const ports = open(async () => true, scanner({ kind: 'rfid' }));
    await waitFor(() => station!.connected || undefined);
    ports[0]!.port!.emitData(Buffer.from('3034257BF7194E4000001A85\r\n'));
    await station!.drain();
    await new Promise((r) => setTimeout(r, 20));
    expect(ports[0]!.port!.recording.length).toBe(0);
  });
});
