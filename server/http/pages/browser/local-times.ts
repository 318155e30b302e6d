// Times are rendered in UTC on the server; the browser shows them in the reader's time zone, keeping UTC in the title.
export function localiseTimes(root: ParentNode): void {
  for (const el of Array.from(root.querySelectorAll<HTMLTimeElement>('time.t[datetime]'))) {
    const d = new Date(el.dateTime);
    if (!Number.isFinite(d.getTime())) continue;
    if (!el.title) el.title = el.textContent ?? '';
    el.textContent = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }
}
