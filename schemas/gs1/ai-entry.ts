// Shapes of the GS1 Barcode Syntax Dictionary entries (standards/gs1/gs1-syntax-dictionary.txt) and of one AI/value pair.

/** Character set of an AI component: N numeric, X CSET 82, Y CSET 39, Z CSET 64 (GS1 GenSpecs §7.11, Figure 7.11-1). */
export type AiCset = 'N' | 'X' | 'Y' | 'Z';

/** One component of an AI's data field, e.g. `N6,yymmd0` or `[X..17]`. */
export interface AiComponent {
  readonly cset: AiCset;
  readonly min: number;
  readonly max: number;
  /** `[...]` in the dictionary: may be absent once the data is exhausted. */
  readonly optional: boolean;
  /** Syntax Dictionary linter names applied after the character-set check, in order. */
  readonly linters: readonly string[];
}

/** One AI of the Syntax Dictionary, ranges (3100-3105) already expanded. */
export interface AiEntry {
  readonly ai: string;
  /** Flag `*`: predefined length, no FNC1 separator needed after it (GS1 GenSpecs §7.8.5). */
  readonly fixedLength: boolean;
  /** Flag `?`: permitted as a GS1 Digital Link data attribute (query parameter). */
  readonly dlDataAttribute: boolean;
  readonly components: readonly AiComponent[];
  /**
   * `req=` attributes. Each group must be satisfied; a group is a list of alternatives, an alternative a
   * list of AIs or patterns (`35nn`) that must all be present (`01+21`).
   */
  readonly req: readonly (readonly (readonly string[])[])[];
  /** `ex=` attributes: AIs or patterns (`394n`) that must not appear with this AI. */
  readonly ex: readonly string[];
  /** `dlpkey`: null if not a Digital Link primary key; else the alternative ordered qualifier sequences. */
  readonly dlpkey: readonly (readonly string[])[] | null;
  readonly title: string;
}

/** One AI and its value as carried in a barcode, bracketed string or Digital Link. */
export interface Gs1Ai {
  readonly ai: string;
  readonly value: string;
}
