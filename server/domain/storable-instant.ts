// An instant as the stores keep it: ISO 8601 in UTC, years 0001–9999. timestamptz has no ISO year 0000, and
// Date.toISOString writes year 0000 and extended years (±YYYYYY) that PostgreSQL refuses; a query or an event
// naming one must be refused with its own error, not fail a statement.

/** `ms` since the epoch as ISO 8601 UTC, or undefined when it is not finite or outside the years 0001–9999. */
export function storableInstant(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return /^(?!0000)\d{4}-/.test(iso) ? iso : undefined;
}

/** An ISO 8601 date or date-time given by a client (`?since=`) as a storable instant, or undefined. */
export function storableInstantOf(text: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? storableInstant(Date.parse(text)) : undefined;
}
