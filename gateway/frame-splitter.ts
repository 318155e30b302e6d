// Splits the bytes of a serial line into frames at CR or LF, holding at most maxFrameLength bytes of any one frame.
//
// Serial input is attacker-controlled (anyone can print a barcode, a broken scanner can stream garbage): a frame
// longer than the limit is dropped as it arrives, so 1 MB without a terminator costs maxFrameLength bytes of memory,
// and is reported once, as an `overflow` frame, when its terminator finally comes.

export type Frame =
  | { readonly kind: 'data'; readonly bytes: Buffer }
  /** A frame longer than maxFrameLength; `length` is how many bytes it had (all discarded). */
  | { readonly kind: 'overflow'; readonly length: number };

export interface FrameSplitterOptions {
  /** Default 4096 (parseScan's own input cap). */
  readonly maxFrameLength?: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class FrameSplitter {
  readonly #max: number;
  readonly #buffer: Buffer;
  #length = 0;
  /** Bytes of the current frame beyond what fits: > 0 means the frame is being discarded. */
  #overflow = 0;

  constructor(options: FrameSplitterOptions = {}) {
    this.#max = options.maxFrameLength ?? 4096;
    this.#buffer = Buffer.allocUnsafe(this.#max);
  }

  /** Bytes held for an unfinished frame (never more than maxFrameLength). */
  get buffered(): number {
    return this.#length;
  }

  /** Feeds a chunk; returns the frames it completed. An empty frame (the LF of CR LF) is not a frame. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let start = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (b !== CR && b !== LF) continue;
      this.#take(chunk, start, i);
      start = i + 1;
      const frame = this.#finish();
      if (frame) frames.push(frame);
    }
    this.#take(chunk, start, n);
    return frames;
  }

  /** Drops any unfinished frame (the port closed mid-frame). */
  reset(): void {
    this.#length = 0;
    this.#overflow = 0;
  }

  #take(chunk: Uint8Array, from: number, to: number): void {
    const count = to - from;
    if (count <= 0) return;
    if (this.#overflow > 0 || this.#length + count > this.#max) {
      this.#overflow += this.#length + count;
      this.#length = 0;
      return;
    }
    this.#buffer.set(chunk.subarray(from, to), this.#length);
    this.#length += count;
  }

  #finish(): Frame | undefined {
    if (this.#overflow > 0) {
      const length = this.#overflow;
      this.#overflow = 0;
      this.#length = 0;
      return { kind: 'overflow', length };
    }
    if (this.#length === 0) return undefined;
    const bytes = Buffer.from(this.#buffer.subarray(0, this.#length));
    this.#length = 0;
    return { kind: 'data', bytes };
  }
}
