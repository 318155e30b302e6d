// Typed results for untrusted input: parsers and verifiers return these instead of throwing (STYLE.md habit 8).

export interface Ok<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Err<C extends string = string> {
  readonly ok: false;
  /** Stable machine-readable code from codes.ts; tests assert this, never the message. */
  readonly code: C;
  /** Human-readable reason, saying what to do next where possible. */
  readonly message: string;
  /** 0-based offset of the first offending character in the input, where one exists. */
  readonly position?: number;
  /** JSON path (e.g. `/epcisBody/eventList/0/action`) or AI (e.g. `(17)`) the error concerns. */
  readonly path?: string;
}

export type Result<T, C extends string = string> = Ok<T> | Err<C>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function err<C extends string>(
  code: C,
  message: string,
  extra: { position?: number; path?: string } = {},
): Err<C> {
  return { ok: false, code, message, ...extra };
}
