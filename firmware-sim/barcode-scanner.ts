// A simulated GS1 DataMatrix scanner in serial mode: `]d2` + element string (GS between variable-length AIs) +
// suffix, with the quirks of real devices, and the ACK/NAK host handshake (0x06 good read, 0x15 bad read).
//
// It keeps count of what the host acknowledged: answers come one per frame, in frame order, so the n-th answer
// belongs to the n-th frame the host could see (FrameCounter splits the written bytes exactly as a host does).
//
// The device end is opened twice, one handle writing frames and one reading answers: with a single serialport
// handle, a large write that meets a full pty buffer (EAGAIN) while answers are arriving was seen to stall for good
// under CPU load (bindings-cpp polls reads and writes of one fd through one uv_poll handle).
import { SerialPort } from 'serialport';
import { formatScanData, type Gs1Ai } from '../schemas/gs1/index.js';
import { FrameCounter, noiseBytes, oversizeGarbage, seededRandom, truncateFrame } from './frame-quirks.js';

export type ScanAnswer = 'ack' | 'nak' | 'none';

export interface ScanQuirks {
  /** The scanner sends the frame twice in quick succession (well within 200 ms). */
  readonly doubleRead?: boolean;
  /** Only the first bytes arrive (cut inside the GTIN). */
  readonly truncated?: boolean;
  /** Line noise before the frame (joins it: the frame is garbage). */
  readonly noise?: number;
}

export interface SimBarcodeScannerOptions {
  /** The device end of a pty pair (or a real serial port looped to a gateway). */
  readonly path: string;
  readonly baudRate?: number;
  /** Transmit the AIM symbology identifier (default true); many scanners can be configured not to. */
  readonly symbologyPrefix?: boolean;
  /** Default CR, the usual serial-mode suffix. */
  readonly suffix?: '\r' | '\n' | '\r\n';
  /** Expect the host's ACK/NAK (default true). */
  readonly handshake?: boolean;
  /** How long to wait for an answer before counting a frame unanswered (default 15 s). */
  readonly answerTimeoutMs?: number;
  readonly seed?: number;
}

interface Waiting {
  resolve: (answer: ScanAnswer) => void;
  settled: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class SimBarcodeScanner {
  readonly #port: SerialPort;
  readonly #reader: SerialPort;
  readonly #o: SimBarcodeScannerOptions;
  readonly #counter = new FrameCounter();
  readonly #waiting: Waiting[] = [];
  readonly random: () => number;
  readonly counts = { frames: 0, ack: 0, nak: 0, unanswered: 0 };

  private constructor(port: SerialPort, reader: SerialPort, options: SimBarcodeScannerOptions) {
    this.#port = port;
    this.#reader = reader;
    this.#o = options;
    this.random = seededRandom(options.seed ?? 1);
    // The writer handle is never read (no 'data' listener, so it stays paused): a reader on it would take answers.
    reader.on('error', () => {});
    reader.on('data', (chunk: Buffer) => {
      for (const b of chunk) {
        if (b !== 0x06 && b !== 0x15) continue;
        const w = this.#waiting.shift();
        if (!w) continue;
        if (w.timer) clearTimeout(w.timer);
        if (b === 0x06) this.counts.ack += 1;
        else this.counts.nak += 1;
        if (!w.settled) {
          w.settled = true;
          w.resolve(b === 0x06 ? 'ack' : 'nak');
        }
      }
    });
    port.on('error', () => {});
  }

  static async open(options: SimBarcodeScannerOptions): Promise<SimBarcodeScanner> {
    const open = () =>
      new Promise<SerialPort>((resolve, reject) => {
        // Both handles on one device: no exclusive lock (the gateway's end keeps serialport's default lock).
        const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 9600, autoOpen: false, lock: false });
        port.open((e) => (e ? reject(e) : resolve(port)));
      });
    const writer = await open();
    const reader = await open();
    return new SimBarcodeScanner(writer, reader, options);
  }

  /** What the scanner transmits for these AIs, without the suffix. */
  frameFor(ais: readonly Gs1Ai[]): Buffer {
    const data = formatScanData(ais);
    if (!data.ok) throw new Error(`cannot encode label: ${data.message}`);
    const text = this.#o.symbologyPrefix === false ? data.value.slice(3) : data.value;
    return Buffer.from(text, 'latin1');
  }

  /** Scans a label; resolves with the host's answer to each frame sent (two for a double read). */
  scan(ais: readonly Gs1Ai[], quirks: ScanQuirks = {}): Promise<ScanAnswer[]> {
    let frame = this.frameFor(ais);
    if (quirks.truncated) frame = truncateFrame(frame, this.random);
    if (quirks.noise) frame = Buffer.concat([noiseBytes(quirks.noise, this.random), frame]);
    const suffix = Buffer.from(this.#o.suffix ?? '\r', 'latin1');
    const one = Buffer.concat([frame, suffix]);
    return this.sendRaw(quirks.doubleRead ? Buffer.concat([one, one]) : one);
  }

  /** Writes bytes as they are; resolves with one answer per frame the host can see in them. */
  sendRaw(bytes: Buffer | string): Promise<ScanAnswer[]> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    const frames = this.#counter.count(buf);
    this.counts.frames += frames;
    const answers: Promise<ScanAnswer>[] = [];
    for (let i = 0; i < frames; i++) answers.push(this.#expectAnswer());
    this.#port.write(buf);
    return Promise.all(answers);
  }

  /** 1 MB (or `size` bytes) without a terminator, then optionally the terminator that ends it as one frame. */
  sendOversize(size = 1024 * 1024, terminate = true): Promise<ScanAnswer[]> {
    return this.sendRaw(Buffer.concat([oversizeGarbage(size), Buffer.from(terminate ? '\r' : '', 'latin1')]));
  }

  #expectAnswer(): Promise<ScanAnswer> {
    if (this.#o.handshake === false) return Promise.resolve('none');
    return new Promise((resolve) => {
      const w: Waiting = { resolve, settled: false, timer: undefined };
      // The slot stays queued after a timeout, so a late answer still pairs with its own frame.
      w.timer = setTimeout(() => {
        if (w.settled) return;
        w.settled = true;
        this.counts.unanswered += 1;
        resolve('none');
      }, this.#o.answerTimeoutMs ?? 15_000);
      w.timer.unref();
      this.#waiting.push(w);
    });
  }

  /** Waits until everything written has left the scanner. */
  drain(): Promise<void> {
    return new Promise((resolve) => this.#port.drain(() => resolve()));
  }

  async close(): Promise<void> {
    for (const w of this.#waiting.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      if (!w.settled) {
        w.settled = true;
        w.resolve('none');
      }
    }
    for (const port of [this.#port, this.#reader]) {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    }
  }
}
