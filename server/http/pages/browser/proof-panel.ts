// The Verify page's "checked in your browser" panel (and the ledger page's checkpoint line): fetches the ledger's
// public key, remembers it on first use, checks the proof the page carries with check-proof.ts, and says "Verified
// in your browser" only when every check passed with the remembered key. A changed key is a loud warning.
import { checkCheckpoint, checkProof, groupFingerprint, readKey, type CheckResult } from './check-proof.js';
import { recallKey, trustKey, type KeyMemory, type KeyStorage } from './key-memory.js';

function storage(): KeyStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

async function fetchVerifierKey(): Promise<string> {
  const res = await fetch('/v1/verifier-key', { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`the ledger key could not be fetched (HTTP ${res.status})`);
  return (await res.text()).trim();
}

function setStatus(el: HTMLElement, tone: 'ok' | 'fail' | 'warn', text: string): void {
  el.textContent = text;
  el.className = `proof-status proof-status--${tone}`;
  // A failure interrupts; a success is announced politely.
  el.setAttribute('role', tone === 'ok' ? 'status' : 'alert');
}

function dateWords(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? d.toLocaleDateString(undefined, { dateStyle: 'medium' }) : 'an earlier visit';
}

function showKeyChange(vkey: string, memory: Extract<KeyMemory, { status: 'changed' }>): void {
  const box = document.getElementById('key-warning');
  if (!box) return;
  const before = readKey(memory.previous.vkey);
  const now = readKey(vkey);
  box.replaceChildren();
  const h = document.createElement('h3');
  h.textContent = 'WARNING: the ledger’s key has changed';
  const p1 = document.createElement('p');
  p1.textContent =
    `This browser remembered the ledger key ${before.ok ? groupFingerprint(before.value.fingerprint) : '(unreadable)'} since ${dateWords(memory.previous.since)}, ` +
    `but the ledger now presents ${now.ok ? groupFingerprint(now.value.fingerprint) : 'an unreadable key'}. ` +
    'Someone may be impersonating the ledger, or it may have rotated its key. Do not rely on this verification until the ledger’s operator confirms the new fingerprint.';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.textContent = 'I confirmed the new fingerprint with the ledger operator: trust it';
  button.addEventListener('click', () => {
    const s = storage();
    if (s) trustKey(s, vkey, new Date());
    window.location.reload();
  });
  box.append(h, p1, button);
  box.hidden = false;
}

function memoryWords(memory: KeyMemory): string {
  switch (memory.status) {
    case 'first-use':
      return 'First use: this browser now remembers this key. Compare it with the fingerprint your ledger operator published.';
    case 'same':
      return `The key this browser has trusted since ${dateWords(memory.since)}.`;
    case 'changed':
      return 'NOT the key this browser remembered.';
    case 'unavailable':
      return 'This browser cannot remember keys (storage is off): compare the fingerprint yourself.';
  }
}

/** Key, memory and the check's result; shared by both panels. */
async function checkWithKey<T>(
  status: HTMLElement,
  check: (vkey: string) => CheckResult<T>,
): Promise<{ vkey: string; memory: KeyMemory; result: CheckResult<T> } | undefined> {
  let vkey: string;
  try {
    vkey = await fetchVerifierKey();
  } catch (e) {
    setStatus(status, 'fail', `✖ Not verified: ${(e as Error).message}.`);
    return undefined;
  }
  const key = readKey(vkey);
  if (!key.ok) {
    setStatus(status, 'fail', `✖ Not verified: ${key.message}.`);
    return undefined;
  }
  const memory = recallKey(storage(), vkey, new Date());
  const fp = document.getElementById('key-fingerprint');
  if (fp) fp.textContent = groupFingerprint(key.value.fingerprint);
  const mem = document.getElementById('key-memory');
  if (mem) mem.textContent = memoryWords(memory);
  if (memory.status === 'changed') showKeyChange(vkey, memory);
  return { vkey, memory, result: check(vkey) };
}

export async function startProofPanel(): Promise<void> {
  const panel = document.getElementById('proof');
  const status = document.getElementById('proof-status');
  if (!panel || !status || !panel.dataset.proof) return;
  let input: unknown;
  try {
    input = JSON.parse(panel.dataset.proof);
  } catch {
    setStatus(status, 'fail', '✖ Verification in your browser FAILED: the proof on this page is unreadable.');
    return;
  }
  const expected = panel.dataset.expectedIndex ? Number(panel.dataset.expectedIndex) : undefined;
  const done = await checkWithKey(status, (vkey) => checkProof(input, vkey, expected));
  if (!done) return;
  const { memory, result } = done;
  const cosig = document.getElementById('cosignatures');
  if (memory.status === 'changed') {
    setStatus(status, 'fail', '✖ Not verified: the ledger presents a key this browser does not recognise (see the warning).');
    if (cosig) cosig.textContent = '—';
    return;
  }
  if (!result.ok) {
    setStatus(status, 'fail', `✖ Verification in your browser FAILED: ${result.message}. Do not rely on this answer; report it to the ledger operator.`);
    if (cosig) cosig.textContent = '—';
    return;
  }
  if (cosig) cosig.textContent = result.value.otherSignatures === 0 ? 'none (no witness has cosigned this checkpoint)' : `${result.value.otherSignatures} (witness cosignatures; this page does not know their keys)`;
  setStatus(
    status,
    'ok',
    `✔ Verified in your browser: ledger entry #${result.value.index} is in the log of ${result.value.size} entries, whose checkpoint is signed by the ledger key.`,
  );
}

export async function startCheckpointCheck(): Promise<void> {
  const el = document.getElementById('checkpoint-check');
  const note = el?.dataset.checkpoint;
  if (!el || !note) return;
  const done = await checkWithKey(el, (vkey) => checkCheckpoint(note, vkey));
  if (!done) return;
  if (done.memory.status === 'changed') {
    setStatus(el, 'fail', '✖ Not verified: the ledger presents a key this browser does not recognise (see the warning).');
    return;
  }
  if (!done.result.ok) {
    setStatus(el, 'fail', `✖ Checkpoint check in your browser FAILED: ${done.result.message}.`);
    return;
  }
  setStatus(el, 'ok', `✔ Verified in your browser: this checkpoint (${done.result.value.size} entries) is signed by the ledger key ${groupFingerprint(done.result.value.fingerprint)}.`);
}
