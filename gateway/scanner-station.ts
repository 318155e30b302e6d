// One scanner on a serial line: opens the port (and keeps reopening it while unplugged), splits frames, hands each
// to the read pipeline, and answers the scanner in frame order: ACK (0x06) once the read is durable, NAK (0x15)
// when it was refused (the ACK/NAK host handshake many scanners offer for a good-read / bad-read beep).
import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import type { ScannerConfig } from './config.js';
import { FrameSplitter, type Frame } from './frame-splitter.js';

export const ACK = 0x06;
export const NAK = 0x15;

/** The part of a serialport stream the station uses (SerialPort, or SerialPortMock in unit tests). */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (err: Error | null) => void): void;
  close(callback?: (err: Error | null) => void): void;
  write(data: Buffer): boolean;
  pause(): unknown;
  resume(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', listener: (err?: Error | null) => void): unknown;
  removeAllListeners(): unknown;
}

export interface ScannerStationOptions {
  readonly scanner: ScannerConfig;
  /** The read pipeline: resolves to true when the read is stored (or otherwise accepted), false when refused. */
  readonly process: (frame: Frame) => Promise<boolean>;
  readonly logger: Logger;
  readonly createPort?: (scanner: ScannerConfig) => SerialPortLike;
  /** Retry interval while the port cannot be opened (unplugged scanner). Default 1000 ms. */
  readonly reopenMs?: number;
  /** Above this many reads awaiting their answer, stop reading the port (the scanner's own buffer fills). */
  readonly maxPendingReads?: number;
  readonly onConnectionChange?: (connected: boolean) => void;
}

/** Detaches the station from a port it is done with; a late error on it must not crash the process. */
function release(port: SerialPortLike): void {
  port.removeAllListeners();
  port.on('error', () => {});
}

function defaultPort(scanner: ScannerConfig): SerialPortLike {
  return new SerialPort({
    path: scanner.path,
    baudRate: scanner.baudRate,
    dataBits: scanner.dataBits,
    parity: scanner.parity,
    stopBits: scanner.stopBits,
    autoOpen: false,
  });
}

export class ScannerStation {
  readonly #o: ScannerStationOptions;
  readonly #splitter: FrameSplitter;
  readonly #handshake: boolean;
  readonly #maxPending: number;
  #port: SerialPortLike | undefined;
  #stopped = true;
  #retry: NodeJS.Timeout | undefined;
  /** Answers are written in frame order: each waits for the previous one. */
  #answerChain: Promise<void> = Promise.resolve();
  #pending = 0;
  #paused = false;
  #connected = false;
  #loggedOpenError: string | undefined;

  constructor(options: ScannerStationOptions) {
    this.#o = options;
    this.#splitter = new FrameSplitter({ maxFrameLength: options.scanner.maxFrameLength });
    this.#handshake = (options.scanner.handshake ?? (options.scanner.kind === 'rfid' ? 'none' : 'ack-nak')) === 'ack-nak';
    // A scanner with the ACK/NAK handshake has one read outstanding; 64 is a reader streaming without one. Each pending
    // read holds its event until the group commit, so the cap also bounds the gateway's memory in a flood of reads.
    this.#maxPending = options.maxPendingReads ?? 64;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Reads waiting for their answer. */
  get pendingReads(): number {
    return this.#pending;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#open();
  }

  #open(): void {
    if (this.#stopped) return;
    const port = (this.#o.createPort ?? defaultPort)(this.#o.scanner);
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.#onData(chunk));
    port.on('error', (e?: Error | null) => {
      if (e) this.#o.logger.warn({ scanner: this.#o.scanner.name, err: e.message }, 'serial port error');
    });
    port.on('close', () => this.#onClose(port));
    port.open((e) => {
      if (this.#port !== port) return;
      if (e) {
        // Unplugged or not there yet: try again, logging once per distinct reason.
        if (this.#loggedOpenError !== e.message) {
          this.#o.logger.warn({ scanner: this.#o.scanner.name, path: this.#o.scanner.path, err: e.message }, 'cannot open the scanner; retrying');
          this.#loggedOpenError = e.message;
        }
        release(port);
        this.#port = undefined;
        this.#scheduleReopen();
        return;
      }
      this.#loggedOpenError = undefined;
      this.#splitter.reset();
      this.#setConnected(true);
      this.#o.logger.info({ scanner: this.#o.scanner.name, path: this.#o.scanner.path, mode: this.#o.scanner.mode }, 'scanner connected');
      if (this.#paused) port.pause();
    });
  }

  #onClose(port: SerialPortLike): void {
    if (this.#port !== port) return;
    release(port);
    this.#port = undefined;
    this.#splitter.reset(); // a frame cut by the unplug is dropped, never half-parsed
    if (this.#connected) this.#o.logger.warn({ scanner: this.#o.scanner.name }, 'scanner disconnected');
    this.#setConnected(false);
    this.#scheduleReopen();
  }

  #setConnected(connected: boolean): void {
    if (this.#connected === connected) return;
    this.#connected = connected;
    this.#o.onConnectionChange?.(connected);
  }

  #scheduleReopen(): void {
    if (this.#stopped || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#open();
    }, this.#o.reopenMs ?? 1000);
  }

  #onData(chunk: Buffer): void {
    for (const frame of this.#splitter.push(chunk)) this.#handle(frame);
  }

  #handle(frame: Frame): void {
    this.#pending += 1;
    if (this.#pending >= this.#maxPending && !this.#paused) {
      this.#paused = true;
      this.#port?.pause();
    }
    const outcome = this.#o.process(frame).catch((e: unknown) => {
      this.#o.logger.error({ scanner: this.#o.scanner.name, err: (e as Error)?.message }, 'read pipeline failed');
      return false;
    });
    const port = this.#port;
    this.#answerChain = this.#answerChain
      .then(() => outcome)
      .then((stored) => {
        this.#pending -= 1;
        if (this.#paused && this.#pending < this.#maxPending / 2) {
          this.#paused = false;
          this.#port?.resume();
        }
        // Answer on the port the frame came from; after an unplug there is no one to beep to.
        if (this.#handshake && port && port === this.#port && port.isOpen) port.write(Buffer.of(stored ? ACK : NAK));
      });
  }

  /** Waits until every frame read so far has been answered. */
  async drain(): Promise<void> {
    await this.#answerChain;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#answerChain;
    const port = this.#port;
    this.#port = undefined;
    if (port) {
      release(port);
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    }
    this.#setConnected(false);
  }
}
