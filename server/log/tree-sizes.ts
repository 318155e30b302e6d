// Checks of caller-supplied leaf indices and tree sizes (attacker-controlled: they arrive in query strings).

/** A tree size or leaf count: a safe integer >= 0. NaN, fractions, negatives and 2^53 and above are not. */
export function isTreeSize(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/** A leaf index of a tree of `size` leaves: a safe integer in [0, size). */
export function isLeafIndex(value: number, size: number): boolean {
  return Number.isSafeInteger(value) && value >= 0 && value < size;
}
