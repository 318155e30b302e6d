// Applies the custody rules to a run of consecutive entries (DESIGN.md §6), in one rules transaction: unit state,
// the steps of every unit (through containers too), and the alerts raised or explained away. Entries in eventTime
// order apply step by step; a step earlier than what a unit already saw (a late event, a late packing or unpacking,
// an errorDeclaration) refolds that unit from all its steps, and alerts the refold no longer raises are resolved,
// citing the entries that explained them.
import { ALERT_SEVERITY } from '../../schemas/codes.js';
import { readCustodyFacts, type NamedIdentifier } from './custody-facts.js';
import { foldStep, foldSteps, type FoldStep } from './custody-fold.js';
import { alertKey, emptyState, type AlertRecord, type AppliedEntry, type CustodyFacts, type RaisedAlert, type UnitState, type UnitStep } from './custody-model.js';
import type { CustodyTransaction, CustodyWrite, StoredStep } from './ports.js';
import type { ActiveRecallScope } from './recall-scope.js';

export type { AppliedEntry } from './custody-model.js';

export interface ApplyCustodyRulesOptions {
  /** device → party GLN, kept across calls: a device's location, hence its party, never changes. */
  readonly parties?: Map<string, string | null>;
  /** Recall scopes in force: units commissioned into them are recalled on arrival (DESIGN.md §8). */
  readonly recalls?: readonly ActiveRecallScope[];
}

export interface AppliedRules {
  readonly appliedThrough: number;
  readonly raised: readonly AlertRecord[];
  readonly resolved: readonly AlertRecord[];
  /** Keys of every alert the rules raised for these entries (inserted or already there). */
  readonly raisedKeys: readonly string[];
  /** Alerts that were not in the store before. */
  readonly inserted: number;
}

type MutableFacts = { -readonly [K in keyof CustodyFacts]: CustodyFacts[K] };

const isContainer = (epc: string) => epc.startsWith('https://id.gs1.org/00/');

/** `entries` must be consecutive and start right after the transaction's watermark. */
export async function applyCustodyRules(
  tx: CustodyTransaction,
  entries: readonly AppliedEntry[],
  options: ApplyCustodyRulesOptions,
): Promise<AppliedRules> {
  const last = entries.at(-1);
  if (!last) return { appliedThrough: await tx.appliedThrough(), raised: [], resolved: [], raisedKeys: [], inserted: 0 };

  // 1. Facts of each entry; the party is the one owning the recording device's location.
  const parties = options.parties ?? new Map<string, string | null>();
  const unknownDevices = [...new Set(entries.map((e) => e.device).filter((d): d is string => d !== null && !parties.has(d)))];
  if (unknownDevices.length > 0) {
    const found = await tx.partiesOfDevices(unknownDevices);
    for (const d of unknownDevices) parties.set(d, found.get(d) ?? null);
  }
  const parsed = entries.map((e) => readCustodyFacts({ ...e, party: e.party ?? (e.device === null ? null : (parties.get(e.device) ?? null)) }));
  const facts = new Map<number, MutableFacts>();
  for (const p of parsed) facts.set(p.facts.index, { ...p.facts });

  // 2. Current states of everything named, of everything inside the containers named, and of what a retraction touches.
  const declared = parsed.filter((p) => p.correctsEventId !== null);
  const inBatch = new Map(entries.filter((e) => e.eventId !== null).map((e) => [e.eventId!, e.index]));
  const foundIds = declared.length > 0 ? await tx.entryIndexesByEventId(declared.map((p) => p.correctsEventId!).filter((id) => !inBatch.has(id))) : new Map<string, number>();
  const outsideTargets = declared.map((p) => foundIds.get(p.correctsEventId!)).filter((i): i is number => i !== undefined);
  const retractedEpcs = outsideTargets.length > 0 ? await tx.epcsOfEntries(outsideTargets) : [];
  const named = new Set<string>();
  for (const p of parsed) for (const n of p.named) named.add(n.epc);
  const loaded = await tx.loadStates([...named, ...retractedEpcs], [...named].filter(isContainer));
  const states = new Map<string, UnitState>(loaded.map((s) => [s.epc, s]));
  const members = new Map<string, Set<string>>();
  const setContainer = (epc: string, from: string | null, to: string | null) => {
    if (from === to) return;
    if (from !== null) members.get(from)?.delete(epc);
    if (to !== null) {
      let set = members.get(to);
      if (!set) members.set(to, (set = new Set()));
      set.add(epc);
    }
  };
  for (const s of loaded) setContainer(s.epc, null, s.container);
  const contentsOf = (container: string): string[] => {
    const out: string[] = [];
    const seen = new Set<string>([container]);
    const walk = (c: string) => {
      for (const m of members.get(c) ?? []) {
        if (seen.has(m)) continue; // a packing cycle (attacker-made) must not loop
        seen.add(m);
        out.push(m);
        walk(m);
      }
    };
    walk(container);
    return out;
  };

  // 3. Steps, folded entry by entry in index order. A unit stays equal to the fold of all its steps so far, whatever
  //    the batch boundaries: a step earlier than what the unit already saw refolds it at once from all its steps.
  const steps = new Map<string, UnitStep>(); // `${epc}\0${index}`
  const batchStepsByEpc = new Map<string, UnitStep[]>();
  const changed = new Set<string>();
  const extraFacts = new Map<number, CustodyFacts>();
  const retractedBy = new Map<number, number>();
  const removedVia: { epc: string; via: string; after: string }[] = [];
  const deletedSteps: { epc: string; index: number }[] = [];
  // Stored steps and rule alerts of each unit refolded so far (loaded once per batch).
  const stored = new Map<string, UnitStep[]>();
  const alertsNow = new Map<string, Map<string, RaisedAlert | AlertRecord>>();
  const toRaise = new Map<string, RaisedAlert>();
  const toResolve = new Map<string, { alert: RaisedAlert | AlertRecord; by: number[]; note: string }>();
  const raisedKeys = new Set<string>();

  const raise = (a: RaisedAlert) => {
    const key = alertKey(a);
    raisedKeys.add(key);
    toResolve.delete(key);
    toRaise.set(key, a);
    alertsNow.get(a.epc)?.set(key, a);
  };
  const addStep = (step: UnitStep): boolean => {
    const key = `${step.epc}\u0000${step.index}`;
    if (steps.has(key)) return false;
    steps.set(key, step);
    let list = batchStepsByEpc.get(step.epc);
    if (!list) batchStepsByEpc.set(step.epc, (list = []));
    list.push(step);
    changed.add(step.epc);
    return true;
  };
  const factsOf = (index: number, storedFacts?: CustodyFacts): CustodyFacts | undefined => {
    const f = facts.get(index) ?? extraFacts.get(index) ?? storedFacts;
    if (!f) return undefined;
    const by = retractedBy.get(index);
    return by !== undefined && f.retractedBy !== by ? { ...f, retractedBy: by } : f;
  };
  const isRemoved = (step: UnitStep) => removedVia.some((r) => r.epc === step.epc && r.via === step.via && step.eventTime > r.after);

  /** Refolds these units from all their steps, now; their rule alerts follow (raised, or resolved by `cause`). */
  const refold = async (epcs: readonly string[], cause: number) => {
    const missing = epcs.filter((e) => !stored.has(e));
    if (missing.length > 0) {
      for (const e of missing) {
        stored.set(e, []);
        alertsNow.set(e, new Map());
      }
      for (const s of await tx.loadSteps(missing)) {
        extraFacts.set(s.facts.index, s.facts);
        if (!steps.has(`${s.step.epc}\u0000${s.step.index}`)) stored.get(s.step.epc)!.push(s.step);
      }
      for (const a of await tx.ruleAlertsOf(missing)) {
        const key = alertKey(a);
        if (a.status !== 'resolved' && !toResolve.has(key)) alertsNow.get(a.epc)!.set(key, toRaise.get(key) ?? a);
      }
      for (const [key, a] of toRaise) if (missing.includes(a.epc)) alertsNow.get(a.epc)!.set(key, a);
    }
    for (const epc of epcs) {
      const list: FoldStep[] = [];
      const keep: UnitStep[] = [];
      for (const step of stored.get(epc)!) {
        if (isRemoved(step)) {
          deletedSteps.push({ epc, index: step.index });
          continue;
        }
        keep.push(step);
        const f = factsOf(step.index);
        if (f) list.push({ step, facts: f });
      }
      stored.set(epc, keep);
      for (const step of batchStepsByEpc.get(epc) ?? []) {
        if (isRemoved(step)) {
          steps.delete(`${step.epc}\u0000${step.index}`);
          continue;
        }
        const f = factsOf(step.index);
        if (f) list.push({ step, facts: f });
      }
      batchStepsByEpc.set(epc, (batchStepsByEpc.get(epc) ?? []).filter((s) => steps.has(`${s.epc}\u0000${s.index}`)));
      const before = states.get(epc);
      const result = foldSteps(emptyState(epc), list, options.recalls);
      setContainer(epc, before?.container ?? null, result.state.container);
      states.set(epc, result.state);
      changed.add(epc);
      const now = alertsNow.get(epc)!;
      const keys = new Set(result.raised.map(alertKey));
      for (const [key, a] of [...now]) {
        if (keys.has(key)) continue;
        now.delete(key);
        const by = [...new Set([...a.evidence, cause])].sort((x, y) => x - y);
        toResolve.set(key, { alert: a, by, note: `explained by entry ${cause}, ingested after entry ${a.triggerIndex}` });
      }
      for (const a of result.raised) if (!now.has(alertKey(a))) raise(a);
      for (const a of result.raised) raisedKeys.add(alertKey(a));
    }
  };

  for (const p of parsed) {
    const f = facts.get(p.facts.index)!;
    const late = new Set<string>();
    // An errorDeclaration retracts the entry it names: its units are refolded without it (CBV 2.0 §8.9).
    if (p.correctsEventId !== null) {
      const target = inBatch.get(p.correctsEventId) ?? foundIds.get(p.correctsEventId);
      if (target !== undefined && target < f.index) {
        f.corrects = target;
        retractedBy.set(target, f.index);
        const local = facts.get(target);
        if (local) local.retractedBy = f.index;
        for (const step of steps.values()) if (step.index === target) late.add(step.epc);
        if (!local) for (const epc of retractedEpcs) late.add(epc);
      }
    }
    const targets: (NamedIdentifier & { via: string | null })[] = p.named.map((n) => ({ ...n, via: null }));
    const parentState = f.parent !== null ? states.get(f.parent) : undefined;
    const lateAggregation = f.type === 'AggregationEvent' && f.parent !== null && parentState !== undefined && parentState.lastEventTime > f.eventTime;
    if (f.type === 'AggregationEvent' && f.action === 'DELETE' && f.parent !== null && !p.named.some((n) => n.role === 'child')) {
      // EPCIS 2.0 §7.4.3: DELETE without childEPCs empties the container.
      for (const m of members.get(f.parent) ?? []) targets.push({ epc: m, role: 'child', lot: null, expiry: null, via: null });
    }
    if (f.type === 'ObjectEvent') {
      const direct = new Set(targets.map((t) => t.epc));
      for (const t of [...targets]) {
        if (!isContainer(t.epc)) continue;
        for (const m of contentsOf(t.epc)) {
          if (direct.has(m)) continue;
          direct.add(m);
          targets.push({ epc: m, role: 'object', lot: null, expiry: null, via: t.epc });
        }
      }
    }
    for (const t of targets) {
      const step: UnitStep = { epc: t.epc, index: f.index, eventTime: f.eventTime, role: t.via !== null ? 'via' : t.role, via: t.via, lot: t.lot, expiry: t.expiry };
      if (!addStep(step)) continue;
      const state = states.get(step.epc) ?? emptyState(step.epc);
      if (late.has(step.epc) || step.eventTime < state.lastEventTime) {
        late.add(step.epc);
        continue;
      }
      const next = foldStep(state, { step, facts: f }, raise, options.recalls);
      setContainer(step.epc, state.container, next.container);
      states.set(step.epc, next);
    }
    if (lateAggregation && f.corrects === null) {
      const children = targets.filter((t) => t.role === 'child').map((t) => t.epc);
      if (f.action === 'ADD') {
        // Late packing: the new contents missed the container's later steps; give them those.
        const later = [...(await tx.containerStepsAfter(f.parent!, f.eventTime)).map((s) => {
          extraFacts.set(s.facts.index, s.facts);
          return s.step;
        }), ...(batchStepsByEpc.get(f.parent!) ?? []).filter((s) => s.eventTime > f.eventTime && s.index !== f.index)];
        for (const child of children) {
          for (const m of [child, ...contentsOf(child)]) {
            for (const s of later) {
              if (s.role === 'parent' || s.role === 'child') continue; // the container's own packing steps
              addStep({ epc: m, index: s.index, eventTime: s.eventTime, role: 'via', via: s.via ?? f.parent, lot: null, expiry: null });
            }
            late.add(m);
          }
        }
      } else if (f.action === 'DELETE') {
        // Late unpacking: what came out was not inside for the container's later steps.
        for (const child of children) {
          for (const m of [child, ...contentsOf(child)]) {
            removedVia.push({ epc: m, via: f.parent!, after: f.eventTime });
            late.add(m);
          }
        }
      }
    }
    if (late.size > 0) await refold([...late], f.index);
  }

  const write: CustodyWrite = {
    events: parsed.map((p) => facts.get(p.facts.index)!),
    retractions: [...retractedBy].filter(([index]) => !facts.has(index)).map(([index, by]) => ({ index, by })),
    steps: [...steps.values()].map((step) => {
      const f = factsOf(step.index);
      if (!f) throw new Error(`custody rules: no facts for entry ${step.index} of a step of ${step.epc}`);
      return { step, facts: f };
    }),
    deletedSteps,
    states: [...changed].map((epc) => states.get(epc) ?? emptyState(epc)),
    raise: [...toRaise.values()],
    resolve: [...toResolve.values()].map((r) => ({ key: { epc: r.alert.epc, code: r.alert.code, triggerIndex: r.alert.triggerIndex }, by: r.by, note: r.note })),
    appliedThrough: last.index,
  };
  const written = await tx.write(write);
  return { appliedThrough: last.index, raised: written.raised, resolved: written.resolved, raisedKeys: [...raisedKeys], inserted: written.inserted };
}

/** The body published on `pedigree/v1/sites/{gln}/alerts` and served over HTTP. */
export function alertJson(a: AlertRecord): Record<string, unknown> {
  return {
    id: a.id,
    code: a.code,
    severity: a.severity ?? ALERT_SEVERITY[a.code],
    status: a.status,
    epc: a.epc,
    ...(a.gtin !== null ? { gtin: a.gtin } : {}),
    ...(a.serial !== null ? { serial: a.serial } : {}),
    ...(a.sscc !== null ? { sscc: a.sscc } : {}),
    triggerIndex: a.triggerIndex,
    evidence: a.evidence,
    sites: a.sites,
    detail: a.detail,
    eventTime: a.eventTime,
    raisedAt: a.raisedAt,
    updatedAt: a.updatedAt,
    ...(a.resolvedBy ? { resolvedBy: a.resolvedBy } : {}),
    ...(a.actions ? { actions: a.actions } : {}),
  };
}
