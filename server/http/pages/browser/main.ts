// The pages' one script (bundled for the browser by assets.ts): local times, live regions, and the in-browser checks
// of the ledger's proofs. Pages work without it, except for those checks, which say so.
import { startLiveRegions } from './live-region.js';
import { localiseTimes } from './local-times.js';
import { startCheckpointCheck, startProofPanel } from './proof-panel.js';

localiseTimes(document);
// Autofocus does not run again when a page comes back from the back/forward cache: the scan field must have focus
// for a keyboard-wedge scanner to type into it.
const focusScanField = () => {
  if (document.activeElement === document.body || document.activeElement === null) document.querySelector<HTMLElement>('[autofocus]')?.focus();
};
focusScanField();
window.addEventListener('pageshow', focusScanField);
startLiveRegions();
void startProofPanel();
void startCheckpointCheck();
