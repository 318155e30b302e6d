// Pharmacist verification (DESIGN.md §7): the DSCSA verification answer for a pack, with its pedigree, its open
// alerts, and an inclusion proof of its latest entry against a signed checkpoint the client can check itself.
import type { VerificationAdditionalInfo, VerificationFailureReason } from '../../schemas/codes.js';
import { getInclusionProof, type InclusionProof } from '../log/proofs.js';
import { nodeKey, type TreeNodeReader } from '../log/tree-nodes.js';
import type { CheckpointCache } from './checkpoint-cache.js';
import { alertJson } from './apply-custody-rules.js';
import { TERMINAL_STATES, type AlertRecord, type UnitState } from './custody-model.js';
import type { Clock, CustodyStore, LedgerStore, Notifier, PedigreeStepRecord } from './ports.js';
import type { UnitQuery } from './unit-key.js';

export interface VerifyUnitOptions {
  readonly custody: CustodyStore;
  readonly store: LedgerStore;
  readonly checkpoints: CheckpointCache;
  readonly clock: Clock;
  readonly notifier?: Pick<Notifier, 'publishAlert'>;
}

export interface Verifier {
  /** GLN of the caller's party, for the site told of an unknown serial. */
  readonly party: string | null;
}

export interface PedigreeStep {
  readonly index: number;
  readonly eventTime: string;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly party: string | null;
  readonly partyName: string | null;
  readonly location: string | null;
  readonly destinationParty: string | null;
  /** The container the step reached the unit through. */
  readonly via: string | null;
  /** Set when an errorDeclaration (that entry) retracted this step. */
  readonly retractedBy: number | null;
  /** Set on an errorDeclaration: the entry it declares erroneous. */
  readonly corrects: number | null;
  /** Codes of the alerts this entry raised for the unit: a suspect entry. */
  readonly alerts: readonly string[];
}

export interface Verification {
  readonly verificationTimestamp: string;
  readonly responderGLN: string | null;
  readonly corrUUID: string;
  readonly data: {
    readonly verified: boolean;
    readonly verificationFailureReason?: VerificationFailureReason;
    readonly additionalInfo?: VerificationAdditionalInfo;
  };
  readonly unit: UnitState | null;
  readonly pedigree: readonly PedigreeStep[];
  readonly alerts: readonly AlertRecord[];
  readonly proof: { readonly entry: Uint8Array; readonly inclusionProof: InclusionProof; readonly checkpoint: string } | null;
}

export function pedigreeOf(steps: readonly PedigreeStepRecord[], names: ReadonlyMap<string, string>, alerts: readonly AlertRecord[]): PedigreeStep[] {
  return steps.map(({ step, facts }) => ({
    index: step.index,
    eventTime: step.eventTime,
    bizStep: facts.bizStep,
    disposition: facts.disposition,
    party: facts.party,
    partyName: facts.party !== null ? (names.get(facts.party) ?? null) : null,
    location: facts.location,
    destinationParty: facts.destinationParty,
    via: step.via,
    retractedBy: facts.retractedBy,
    corrects: facts.corrects,
    alerts: alerts.filter((a) => a.triggerIndex === step.index).map((a) => a.code),
  }));
}

export async function verifyUnit(o: VerifyUnitOptions, query: UnitQuery & { corrUUID?: string }, verifier: Verifier): Promise<Verification> {
  const now = o.clock.now();
  const base = { verificationTimestamp: now.toISOString(), corrUUID: query.corrUUID ?? crypto.randomUUID() };
  const cached = await o.checkpoints.get();
  const view = await o.custody.unitView(query.epc, cached?.size ?? 0);
  const commissioned = view !== undefined && view.state.commissionedIndex !== null;
  if (!commissioned) {
    // NMVS_NC_PC_02: a verification naming a serial never commissioned is itself an alert.
    const raised = await o.custody.raiseUntriggered({
      code: 'UNKNOWN_SERIAL',
      epc: query.epc,
      triggerIndex: null,
      evidence: view ? [...new Set(view.steps.map((s) => s.step.index))] : [],
      sites: verifier.party ? [verifier.party] : [],
      detail: 'a verification names a serial that was never commissioned',
      eventTime: now.toISOString(),
    });
    if (raised) await publish(o, [raised]);
    const gtinKnown = await o.custody.gtinKnown(query.gtin);
    const alerts = [...(view?.alerts ?? []), ...(raised ? [raised] : [])].filter((a) => a.status !== 'resolved');
    return {
      ...base,
      responderGLN: null,
      data: { verified: false, verificationFailureReason: gtinKnown ? 'No_match_GTIN_Serial' : 'No_match_GTIN' },
      unit: view?.state ?? null,
      pedigree: view ? pedigreeOf(view.steps, view.partyNames, view.alerts) : [],
      alerts,
      proof: null,
    };
  }
  const s = view.state;
  const lotDiffers = query.lot !== undefined && s.lot !== null && query.lot !== s.lot;
  const expiryDiffers = query.expiry !== undefined && s.expiry !== null && query.expiry !== s.expiry;
  const reason: VerificationFailureReason | undefined =
    lotDiffers && expiryDiffers
      ? 'No_match_GTIN_Serial_Lot_Expiry'
      : lotDiffers
        ? 'No_match_GTIN_Serial_Lot'
        : expiryDiffers
          ? 'No_match_GTIN_Serial_Expiry'
          : undefined;
  // A scan whose lot or expiry differs from commissioning is evidence too (NMVS_FE_LOT_13, NMVS_FE_LOT_12).
  const mismatches: AlertRecord[] = [];
  for (const [differs, code, scanned, known] of [
    [lotDiffers, 'LOT_MISMATCH', query.lot, s.lot],
    [expiryDiffers, 'EXPIRY_MISMATCH', query.expiry, s.expiry],
  ] as const) {
    if (!differs) continue;
    const raised = await o.custody.raiseUntriggered({
      code,
      epc: query.epc,
      triggerIndex: null,
      evidence: s.commissionedIndex !== null ? [s.commissionedIndex] : [],
      sites: [...new Set([verifier.party, s.owner].filter((g): g is string => g !== null))],
      detail: `a verification scanned ${code === 'LOT_MISMATCH' ? 'lot' : 'expiry'} ${scanned}, commissioned as ${known}`,
      eventTime: now.toISOString(),
    });
    if (raised) mismatches.push(raised);
  }
  if (mismatches.length > 0) await publish(o, mismatches);
  const open = [...view.alerts, ...mismatches].filter((a) => a.status !== 'resolved');
  const today = now.toISOString().slice(0, 10);
  // One additionalInfo, the most serious first. A pack that already left the supply chain (dispensed, destroyed, …)
  // is Suspect when it is scanned again: that is what a clone looks like at the counter (NMVS_NC_PCK_22).
  const info: VerificationAdditionalInfo | undefined = s.recalled
    ? 'Recalled'
    : open.length > 0 || TERMINAL_STATES.has(s.state) || s.quarantined
      ? 'Suspect'
      : s.expiry !== null && s.expiry < today
        ? 'Expired'
        : undefined;
  const pedigree = pedigreeOf(view.steps, view.partyNames, view.alerts);
  let proof: Verification['proof'] = null;
  const latest = view.steps.at(-1)?.step.index;
  if (latest !== undefined && view.latestEntryBytes) {
    const checkpoint = cached && cached.size > latest ? cached : await o.checkpoints.get(latest + 1);
    if (checkpoint && checkpoint.size > latest) {
      // The proof's lowest nodes came with the view unless the ledger's node cache holds every level (stored nodes
      // never change, so they fit any size that has them); the rest are read now, mostly from that cache.
      const prefetched: TreeNodeReader = {
        getNodes: async (keys) => {
          if (view.proofNodes.size === 0) return o.store.getNodes(keys);
          const rest = keys.filter((k) => !view.proofNodes.has(nodeKey(k)));
          if (rest.length === 0) return view.proofNodes;
          const all = new Map(await o.store.getNodes(rest));
          for (const [k, hash] of view.proofNodes) all.set(k, hash);
          return all;
        },
      };
      const p = await getInclusionProof(prefetched, latest, checkpoint.size, checkpoint.size);
      if (p.ok) proof = { entry: view.latestEntryBytes, inclusionProof: p.value, checkpoint: checkpoint.note };
    }
  }
  return {
    ...base,
    responderGLN: s.owner,
    data: { verified: reason === undefined, ...(reason ? { verificationFailureReason: reason } : {}), ...(info ? { additionalInfo: info } : {}) },
    unit: s,
    pedigree,
    alerts: open,
    proof,
  };
}

async function publish(o: VerifyUnitOptions, alerts: readonly AlertRecord[]): Promise<void> {
  const send = o.notifier?.publishAlert?.bind(o.notifier);
  if (!send) return;
  await Promise.all(alerts.flatMap((a) => a.sites.map((site) => send(site, alertJson(a)))));
}
