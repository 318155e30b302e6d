// Verify mode: asks the ledger about one pack (DESIGN.md §7, issue 4's `GET /v1/verify/01/{gtin}/21/{serial}`)
// and reduces the DSCSA-shaped answer to what the counter needs: dispensable or not, and why.
import { z } from 'zod';
import type { UnitRead } from './decode-read.js';
import { httpGet, type HttpAnswer } from './http-get.js';

const verifyAnswerSchema = z
  .object({
    verificationTimestamp: z.string().optional(),
    responderGLN: z.string().optional(),
    corrUUID: z.string().optional(),
    data: z
      .object({
        verified: z.boolean(),
        verificationFailureReason: z.string().optional(),
        additionalInfo: z.union([z.string(), z.array(z.string())]).optional(),
      })
      .passthrough(),
  })
  .passthrough();

export type VerifyAnswer = z.infer<typeof verifyAnswerSchema>;

export type VerifyResult =
  | { readonly ok: true; readonly answer: VerifyAnswer; readonly dispensable: boolean; readonly summary: string }
  | { readonly ok: false; readonly summary: string };

export interface VerifyUnitOptions {
  readonly httpUrl: string;
  readonly token?: string | undefined;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}

export async function verifyUnit(unit: UnitRead, options: VerifyUnitOptions): Promise<VerifyResult> {
  const url = new URL(`/v1/verify/01/${unit.gtin}/21/${encodeURIComponent(unit.serial)}`, options.httpUrl);
  if (unit.lot !== undefined) url.searchParams.set('lot', unit.lot);
  // DSCSA verification carries the expiry as printed (YYMMDD).
  if (unit.expiryYymmdd !== undefined) url.searchParams.set('exp', unit.expiryYymmdd);
  let res: HttpAnswer;
  try {
    res = await httpGet(url, {
      headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
      timeoutMs: options.timeoutMs,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  } catch (e) {
    return { ok: false, summary: `ledger not reachable: ${(e as Error).message}` };
  }
  const text = res.text;
  if (res.status !== 200) return { ok: false, summary: `ledger answered HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, summary: 'ledger answer is not JSON' };
  }
  const parsed = verifyAnswerSchema.safeParse(json);
  if (!parsed.success) return { ok: false, summary: 'ledger answer is not a verification response' };
  const { verified, verificationFailureReason, additionalInfo } = parsed.data.data;
  const info = additionalInfo === undefined ? [] : Array.isArray(additionalInfo) ? additionalInfo : [additionalInfo];
  const dispensable = verified && info.length === 0;
  const summary = verified
    ? `verified${info.length > 0 ? ` (${info.join(', ')})` : ''}`
    : `not verified: ${verificationFailureReason ?? 'no reason given'}`;
  return { ok: true, answer: parsed.data, dispensable, summary };
}
