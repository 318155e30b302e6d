// A simulated UHF RFID reader on a serial line: one EPC hex line per tag read (SGTIN-96/198, SSCC-96), repeated
// while the tag stays in the field, as fixed readers at a dock door report it.
import { SerialPort } from 'serialport';
import { encodePureEpc, type EpcBinaryScheme } from '../schemas/gs1/epc-binary.js';

export interface SimRfidReaderOptions {
  readonly path: string;
  readonly baudRate?: number;
  /** Line format: bare hex (default) or `EPC:<hex>,ANT1,-61` as some readers add antenna and RSSI. */
  readonly format?: 'hex' | 'epc-fields';
  readonly suffix?: '\r\n' | '\r' | '\n';
}

/** EPC hex of a pure identity URI, e.g. `urn:epc:id:sgtin:0614141.812345.6789` as SGTIN-96. */
export function epcHex(pureUri: string, scheme: EpcBinaryScheme, filter = 1): string {
  const hex = encodePureEpc(pureUri, { scheme, filter });
  if (!hex.ok) throw new Error(`${pureUri} as ${scheme}: ${hex.message}`);
  return hex.value;
}

export class SimRfidReader {
  readonly #port: SerialPort;
  readonly #o: SimRfidReaderOptions;
  lines = 0;

  private constructor(port: SerialPort, options: SimRfidReaderOptions) {
    this.#port = port;
    this.#o = options;
    port.on('error', () => {});
  }

  static open(options: SimRfidReaderOptions): Promise<SimRfidReader> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 115200, autoOpen: false });
      port.open((e) => (e ? reject(e) : resolve(new SimRfidReader(port, options))));
    });
  }

  /** One read report for this tag. */
  report(hex: string): void {
    const line = this.#o.format === 'epc-fields' ? `EPC:${hex},ANT1,-${55 + (this.lines % 20)}` : hex;
    this.#port.write(`${line}${this.#o.suffix ?? '\r\n'}`);
    this.lines += 1;
  }

  /** The tag stays in the field for dwellMs, reported every intervalMs (at least once). */
  async inField(hex: string, dwellMs: number, intervalMs = 50): Promise<void> {
    const end = Date.now() + dwellMs;
    do {
      this.report(hex);
      await new Promise((r) => setTimeout(r, intervalMs));
    } while (Date.now() < end);
  }

  drain(): Promise<void> {
    return new Promise((resolve) => this.#port.drain(() => resolve()));
  }

  async close(): Promise<void> {
    if (this.#port.isOpen) await new Promise<void>((resolve) => this.#port.close(() => resolve()));
  }
}
