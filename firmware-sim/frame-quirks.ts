// What real scanners and cables do to frames: double reads, truncation, line noise, oversized garbage. Pure.

/** A small seeded PRNG (mulberry32), so a scenario's faults are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CR = 0x0d;
const LF = 0x0a;

/** Random bytes that are not a line terminator (line noise on a serial cable, a glitching scanner). */
export function noiseBytes(count: number, random: () => number): Buffer {
  const out = Buffer.allocUnsafe(count);
  for (let i = 0; i < count; i++) {
    let b = Math.floor(random() * 256);
    if (b === CR || b === LF) b = 0x7f;
    out[i] = b;
  }
  return out;
}

/**
 * The first bytes of a frame only, cut inside the GTIN (the first 16 characters after the symbology identifier),
 * where a cut is always detectable. A cut in the last variable-length AI (the serial, usually) would still parse:
 * no host can tell that from a genuinely shorter serial.
 */
export function truncateFrame(frame: Buffer, random: () => number): Buffer {
  const max = Math.min(frame.length - 1, 18);
  const min = Math.min(4, max);
  return frame.subarray(0, min + Math.floor(random() * (max - min + 1)));
}

/** `size` bytes of printable garbage without any terminator (a stuck scanner, a misconfigured device). */
export function oversizeGarbage(size: number): Buffer {
  return Buffer.alloc(size, 0x41);
}

/** Counts the frames a host that splits at CR/LF sees in `bytes`, carrying an unterminated tail between calls. */
export class FrameCounter {
  #partial = 0;

  count(bytes: Uint8Array): number {
    let frames = 0;
    for (const b of bytes) {
      if (b === CR || b === LF) {
        if (this.#partial > 0) frames += 1;
        this.#partial = 0;
      } else this.#partial += 1;
    }
    return frames;
  }

  reset(): void {
    this.#partial = 0;
  }
}
