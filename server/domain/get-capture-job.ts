// Reads a capture job (REST binding GET /capture/{captureID}) for the party that captured it, or an all-seeing role.
import type { CaptureJobRecord, CaptureJobStore, TokenRecord } from './ports.js';
import { canSeeCaptureJob } from './visibility-policy.js';

export async function getCaptureJob(
  jobs: CaptureJobStore,
  caller: TokenRecord,
  captureID: string,
): Promise<{ ok: true; job: CaptureJobRecord } | { ok: false; reason: 'NOT_FOUND' | 'FORBIDDEN' }> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(captureID)) return { ok: false, reason: 'NOT_FOUND' };
  const job = await jobs.findJob(captureID);
  if (!job) return { ok: false, reason: 'NOT_FOUND' };
  return canSeeCaptureJob(caller, job) ? { ok: true, job } : { ok: false, reason: 'FORBIDDEN' };
}
