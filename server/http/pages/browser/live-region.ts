// Regions that keep themselves current: an element with data-live-src is refreshed from that URL (an HTML fragment
// the server renders with the same components) every data-live-every milliseconds, without reloading the page. The
// fragment's data-live-key says when its content changed (only then is the region replaced, so focus and reading
// position are not disturbed for nothing) and data-newest the newest item (a polite status line announces new ones).
// A session that ended stops the polling.
import { localiseTimes } from './local-times.js';

const MIN_EVERY_MS = 1000;

function announce(text: string): void {
  const status = document.getElementById('live-status');
  if (status) status.textContent = text;
}

const keyOf = (root: ParentNode) => root.querySelector('[data-live-key]')?.getAttribute('data-live-key') ?? null;

function newestOf(root: ParentNode): number {
  const n = Number(root.querySelector('[data-newest]')?.getAttribute('data-newest'));
  return Number.isFinite(n) ? n : 0;
}

export function startLiveRegions(): void {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-live-src]'))) {
    const src = el.dataset.liveSrc!;
    const every = Math.max(Number(el.dataset.liveEvery) || 5000, MIN_EVERY_MS);
    const noun = el.dataset.liveAnnounce;
    let key = keyOf(el);
    let newest = newestOf(el);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const res = await fetch(src, { headers: { 'X-Pedigree-Live': '1', Accept: 'text/html' }, cache: 'no-store', credentials: 'same-origin' });
        if (res.headers.get('X-Pedigree-Session') === 'ended') {
          announce('Your session ended: sign in again to see updates.');
          return;
        }
        if (res.ok) {
          const template = document.createElement('template');
          template.innerHTML = await res.text();
          const next = keyOf(template.content);
          if (next !== key) {
            const focusedId = document.activeElement && el.contains(document.activeElement) ? document.activeElement.id : '';
            el.replaceChildren(template.content);
            key = next;
            localiseTimes(el);
            if (focusedId) document.getElementById(focusedId)?.focus();
            const now = newestOf(el);
            announce(noun && now > newest ? `New ${noun} at ${new Date().toLocaleTimeString()}.` : `Updated at ${new Date().toLocaleTimeString()}.`);
            newest = Math.max(newest, now);
          }
        }
      } catch {
        announce('Updates paused: the ledger cannot be reached. Retrying…');
      }
      timer = setTimeout(tick, every);
    };
    timer = setTimeout(tick, every);
    window.addEventListener('pagehide', () => clearTimeout(timer));
  }
}
