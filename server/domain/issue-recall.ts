// Issues a recall (DESIGN.md §8): checks the issuer (the manufacturer owning the GTIN, or a regulator), records the
// scope (so units commissioned later into it are recalled on arrival), publishes the notice retained on
// pedigree/v1/recalls/{id} and alerts every site holding affected units, then appends the recall entry signed by the
// ledger (an EPCIS ObjectEvent with disposition `recalled` naming every unit commissioned now: the custody rules mark
// them). Set-based throughout: the sites and the units in scope come from one query each, whatever the lot's size.
import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { computeEventHashId } from '../../schemas/epcis/event-hash.js';
import { PEDIGREE_CONTEXT } from '../../schemas/epcis/json-ld-context.js';
import { draftRecallEntry } from '../../schemas/signing/recall-entry.js';
import { appendEntries, type AppendOutcome } from './append-entries.js';
import type { UnitState } from './custody-model.js';
import { PedigreeError } from './pedigree-error.js';
import type { AccessStore, CandidateEntry, Clock, LedgerSigner, LedgerStore, RecallRecord, RecallStore, TokenRecord } from './ports.js';
import type { RecallScope } from './recall-scope.js';
import { gtinUnderPrefixes } from './visibility-policy.js';

export interface RecallServiceOptions {
  readonly recalls: RecallStore;
  readonly store: LedgerStore;
  readonly signer: LedgerSigner;
  readonly access: Pick<AccessStore, 'companyPrefixes'>;
  readonly clock: Clock;
  /** Hands the appended entry to the custody rules and resolves once they applied it. */
  readonly project?: (appended: readonly AppendOutcome[]) => Promise<void>;
  readonly publishCheckpoint?: (note: string) => Promise<void>;
  /** Publishes the signed notice, retained, on pedigree/v1/recalls/{id}. */
  readonly publishRecall?: (id: string, notice: Record<string, unknown>) => Promise<void>;
  /** Publishes a signed alert on pedigree/v1/sites/{site}/alerts. */
  readonly publishSiteAlert?: (site: string, alert: Record<string, unknown>) => Promise<void>;
  readonly onError?: (error: unknown, context: string) => void;
}

const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const text = (max: number) => z.string().trim().min(1).max(max);

/** The request body of POST /v1/recalls (attacker-controlled). */
export const recallRequestSchema = z
  .object({
    scope: z
      .object({
        gtin: z.string().regex(/^[0-9]{14}$/, 'scope.gtin must be a GTIN-14'),
        lots: z.array(text(20)).min(1).max(1000).optional(),
        serials: z.array(text(20)).min(1).max(100_000).optional(),
        expiry: z.object({ from: z.string().regex(DATE).optional(), to: z.string().regex(DATE).optional() }).strict().optional(),
      })
      .strict()
      .refine((s) => !(s.lots && s.serials), 'a scope names lots or serials, not both'),
    class: z.enum(['I', 'II', 'III']),
    reason: text(2000),
    instructions: text(4000).optional(),
  })
  .strict();
export type RecallRequest = z.infer<typeof recallRequestSchema>;

export interface IssuedRecall {
  readonly recall: RecallRecord;
  /** Units commissioned at issuance that the recall entry marks. */
  readonly units: number;
  readonly notifiedSites: readonly string[];
}

/** Whether the caller may act as the recall's issuer for this GTIN: regulator, admin, or the GTIN's manufacturer. */
export async function mayRecall(access: Pick<AccessStore, 'companyPrefixes'>, caller: TokenRecord, gtin: string): Promise<boolean> {
  if (caller.role === 'admin' || caller.role === 'regulator') return true;
  if (caller.role !== 'manufacturer' || caller.party === null) return false;
  return gtinUnderPrefixes(gtin, await access.companyPrefixes(caller.party));
}

/** Sites holding a unit now: its custodian while in stock, and both ends while in transit. */
export function holdingSites(units: readonly UnitState[]): Map<string, UnitState[]> {
  const out = new Map<string, UnitState[]>();
  const add = (site: string | null, u: UnitState) => {
    if (site === null) return;
    let list = out.get(site);
    if (!list) out.set(site, (list = []));
    list.push(u);
  };
  for (const u of units) {
    if (u.state === 'active') add(u.custodian, u);
    else if (u.state === 'in_transit') {
      add(u.custodian, u);
      if (u.destinationParty !== u.custodian) add(u.destinationParty, u);
    }
  }
  return out;
}

export async function issueRecall(o: RecallServiceOptions, caller: TokenRecord, body: unknown): Promise<IssuedRecall> {
  const parsed = recallRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PedigreeError('VALIDATION_FAILED', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid recall'}`);
  }
  const req = parsed.data;
  if (!(await mayRecall(o.access, caller, req.scope.gtin))) {
    throw new PedigreeError('FORBIDDEN', 'a recall is issued by the manufacturer owning the GTIN (its company prefix) or by a regulator');
  }
  const id = `rcl-${randomBytes(8).toString('hex')}`;
  const issuedAt = o.clock.now().toISOString();
  const scope: RecallScope = {
    gtin: req.scope.gtin,
    ...(req.scope.lots ? { lots: [...new Set(req.scope.lots)] } : {}),
    ...(req.scope.serials ? { serials: [...new Set(req.scope.serials)] } : {}),
    ...(req.scope.expiry?.from ? { expiryFrom: req.scope.expiry.from } : {}),
    ...(req.scope.expiry?.to ? { expiryTo: req.scope.expiry.to } : {}),
  };
  // The notice gateways parse (gateway/ledger-messages.ts recallNoticeSchema): {id, scope: {gtin, lots?, serials?}, …}.
  const notice: Record<string, unknown> = {
    id,
    scope: {
      gtin: scope.gtin,
      ...(scope.lots ? { lots: scope.lots } : {}),
      ...(scope.serials ? { serials: scope.serials } : {}),
      ...(req.scope.expiry ? { expiry: req.scope.expiry } : {}),
    },
    class: req.class,
    reason: req.reason,
    ...(req.instructions !== undefined ? { instructions: req.instructions } : {}),
    issuedAt,
    issuer: caller.party ?? caller.role,
  };
  const record: RecallRecord = {
    id,
    scope,
    class: req.class,
    reason: req.reason,
    instructions: req.instructions ?? null,
    issuer: caller.party,
    issuerRole: caller.role,
    issuedAt,
    entryIndex: null,
    notice,
    status: 'open',
    closedAt: null,
    closedBy: null,
    closeReason: null,
    closeOverride: false,
  };
  // 1. The scope first: a unit commissioned from now on is recalled on arrival.
  await o.recalls.insertRecall({ ...record, tokenId: caller.id });

  // 2. The notice and the site alerts go out at once: dispensing stops at every gateway within a second, however
  // many units the recall entry below names (100,000 take seconds to append and project). Should that append
  // fail, the recall is withdrawn by a signed notice (gateways drop it) and its alerts resolved.
  await o.publishRecall?.(id, notice).catch((e: unknown) => o.onError?.(e, 'recall notice publication'));
  const holders = await o.recalls.holdingSitesInScope(scope);
  const sites = holders.map((h) => h.site);
  await o.recalls.recordNotified(id, sites, o.clock.now().toISOString());
  const severity = req.class === 'I' ? 'critical' : req.class === 'II' ? 'high' : 'medium';
  const siteAlert = (site: string, units: readonly string[], status: 'open' | 'resolved') => ({
    id: `recall:${id}`,
    code: 'RECALL_ISSUED',
    severity,
    recall: id,
    class: req.class,
    reason: req.reason,
    ...(req.instructions !== undefined ? { instructions: req.instructions } : {}),
    site,
    status,
    units: units.map((serial) => ({ gtin: scope.gtin, serial })),
  });
  const alertSites = async (status: 'open' | 'resolved') =>
    Promise.all(
      holders.map((h) =>
        o.publishSiteAlert?.(h.site, siteAlert(h.site, status === 'open' ? h.serials : [], status)).catch((e: unknown) => o.onError?.(e, 'recall alert publication')),
      ),
    );
  await alertSites('open');
  const withdraw = async (cause: unknown) => {
    await o.recalls.deleteRecall(id).catch((d: unknown) => o.onError?.(d, 'recall rollback'));
    await o.publishRecall?.(id, { ...notice, status: 'withdrawn', withdrawnAt: o.clock.now().toISOString() }).catch((e: unknown) => o.onError?.(e, 'recall withdrawal'));
    await alertSites('resolved');
    throw new PedigreeError('UNAVAILABLE', 'the recall entry could not be appended; the notice was withdrawn; issue it again', { cause });
  };

  // 3. The recall entry, naming every unit commissioned now (the custody rules mark them recalled), signed by the ledger.
  const epcList = await o.recalls.commissionedInScope(scope);
  const bare = { type: 'ObjectEvent', eventTime: issuedAt, eventTimeZoneOffset: '+00:00', epcList, action: 'OBSERVE', disposition: 'recalled' };
  const hashed = computeEventHashId(bare, { context: PEDIGREE_CONTEXT });
  const event = { ...bare, eventID: hashed.ok ? hashed.value : `urn:uuid:${randomUUID()}` };
  const signed = o.signer.signRecallEntry(draftRecallEntry({ recall: notice, event }));
  const candidate: CandidateEntry = {
    kind: 'ledger',
    bytes: new TextEncoder().encode(JSON.stringify(signed)),
    device: null,
    seq: null,
    eventId: event.eventID,
    eventTime: issuedAt,
    event,
    identifiers: epcList,
    party: caller.party,
  };
  let appended: Awaited<ReturnType<typeof appendEntries>>;
  try {
    appended = await appendEntries(o.store, o.signer, [candidate]);
  } catch (e) {
    return withdraw(e);
  }
  const outcome = appended.outcomes[0];
  if (outcome?.status !== 'accepted') return withdraw(new Error(`append answered ${outcome?.status ?? 'nothing'}`));
  await o.recalls.setEntryIndex(id, outcome.index);
  const issued: RecallRecord = { ...record, entryIndex: outcome.index };
  if (appended.checkpoint !== undefined) await o.publishCheckpoint?.(appended.checkpoint).catch((e: unknown) => o.onError?.(e, 'checkpoint publication'));
  await o.project?.(appended.outcomes);
  return { recall: issued, units: epcList.length, notifiedSites: sites };
}
