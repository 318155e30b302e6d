// What one read means at a scanner of a given mode: an EPCIS custody event, a change of the scanner's session
// (open/close a container, set the counterparty or business transaction), or a verification. Pure: no I/O.
//
// Events come from the schemas/epcis builders (CBV 2.0 bizSteps, EPCIS 2.0 JSON Schema, hash ID as eventID).
// Packing records one AggregationEvent ADD per child read (EPCIS 2.0 §7.4.3: ADD adds children to an existing
// parent), so every read is one durable entry and a power cut mid-case loses nothing that was acknowledged.
import { buildPackingEvent } from '../schemas/epcis/build-aggregation-events.js';
import type { BizTransactionInput, BuildResult, EventWhenWhere, PartyAt, UnitRef } from '../schemas/epcis/build-common.js';
import {
  buildCommissioningEvent,
  buildDestroyingEvent,
  buildDispensingEvent,
  buildReceivingEvent,
  buildReturningEvent,
  buildShippingEvent,
} from '../schemas/epcis/build-object-events.js';
import type { PedigreeEvent } from '../schemas/epcis/event-types.js';
import { formatDigitalLink } from '../schemas/gs1/index.js';
import { err, ok, type Result } from '../schemas/result.js';
import type { BizTransactionConfig, PartyAtConfig, ScannerConfig, ScannerMode, SglnConfig } from './config.js';
import type { Read, UnitRead } from './decode-read.js';
import type { RefusalCode } from './refusal-codes.js';

/** State a scanner carries from one read to the next; persisted before the read that changed it is acknowledged. */
export interface ScannerSession {
  /** Packing: the SSCC being filled. */
  readonly container?: string;
  /** A counterparty scanned at the station (a (417) party label, then optionally a (414) location label). */
  readonly counterparty?: { readonly party?: string; readonly location?: SglnConfig };
  /** A scanned (400) purchase order or (253) despatch document. */
  readonly bizTransaction?: BizTransactionConfig;
}

export interface CustodyContext {
  readonly mode: ScannerMode;
  readonly site: { readonly party: string; readonly location: SglnConfig; readonly timeZoneOffset: string };
  readonly scanner: Pick<ScannerConfig, 'counterparty' | 'bizTransaction' | 'lot' | 'expiry'>;
  readonly session: ScannerSession;
  readonly eventTime: Date;
}

export type CustodyPlan =
  | { readonly kind: 'event'; readonly event: PedigreeEvent }
  | { readonly kind: 'session'; readonly session: ScannerSession; readonly note: string }
  | { readonly kind: 'verify'; readonly unit: UnitRead };

export type PlanResult = Result<CustodyPlan, RefusalCode>;

function unitRef(read: UnitRead): UnitRef {
  return { gtin: read.gtin, serial: read.serial };
}

function when(ctx: CustodyContext, withBizLocation: boolean, bizTransactions?: readonly BizTransactionInput[]): EventWhenWhere {
  return {
    eventTime: ctx.eventTime,
    eventTimeZoneOffset: ctx.site.timeZoneOffset,
    readPoint: ctx.site.location,
    ...(withBizLocation ? { bizLocation: ctx.site.location } : {}),
    ...(bizTransactions && bizTransactions.length > 0 ? { bizTransactions } : {}),
  };
}

function sealed(built: BuildResult<PedigreeEvent>): PlanResult {
  return built.ok ? ok({ kind: 'event', event: built.value }) : built;
}

/** The counterparty in force: what was scanned at the station, else the scanner's configuration. */
function counterparty(ctx: CustodyContext): PartyAtConfig | undefined {
  const scanned = ctx.session.counterparty;
  if (scanned?.party !== undefined) return { party: scanned.party, ...(scanned.location ? { location: scanned.location } : {}) };
  return ctx.scanner.counterparty;
}

function bizTransactions(ctx: CustodyContext): BizTransactionInput[] {
  const t = ctx.session.bizTransaction ?? ctx.scanner.bizTransaction;
  return t ? [t.type !== undefined ? { type: t.type, id: t.id } : { id: t.id }] : [];
}

function self(ctx: CustodyContext): PartyAt {
  return { party: ctx.site.party, location: ctx.site.location };
}

/** (417)/(414)/(400)/(253) labels scanned at a shipping, receiving or returning station. */
function planControl(read: Read, ctx: CustodyContext): PlanResult | undefined {
  const session = ctx.session;
  switch (read.kind) {
    case 'party':
      return ok({ kind: 'session', session: { ...session, counterparty: { party: read.gln } }, note: `counterparty ${read.gln}` });
    case 'location': {
      const location: SglnConfig = read.extension !== undefined ? { gln: read.gln, extension: read.extension } : { gln: read.gln };
      return ok({
        kind: 'session',
        session: { ...session, counterparty: { ...session.counterparty, location } },
        note: `counterparty location ${read.gln}${read.extension !== undefined ? `/${read.extension}` : ''}`,
      });
    }
    case 'document': {
      let bizTransaction: BizTransactionConfig;
      if (read.ai === '253') {
        const dl = formatDigitalLink([{ ai: '253', value: read.value }]);
        if (!dl.ok) return dl;
        bizTransaction = { type: 'desadv', id: dl.value };
      } else {
        // CBV 2.0 §8.5: urn:epcglobal:cbv:bt:{GLN of the issuer}:{id}; a PO is issued by the buyer.
        const buyer = ctx.mode === 'shipping' ? (counterparty(ctx)?.party ?? ctx.site.party) : ctx.site.party;
        bizTransaction = { type: 'po', id: `urn:epcglobal:cbv:bt:${buyer}:${encodeURIComponent(read.value)}` };
      }
      return ok({ kind: 'session', session: { ...session, bizTransaction }, note: `business transaction ${bizTransaction.id}` });
    }
    default:
      return undefined;
  }
}

function wrongKind(read: Read, mode: ScannerMode): PlanResult {
  return err('WRONG_KIND', `a ${read.kind} read means nothing to a ${mode} scanner`);
}

export function planCustody(read: Read, ctx: CustodyContext): PlanResult {
  switch (ctx.mode) {
    case 'commissioning': {
      if (read.kind !== 'unit') return wrongKind(read, ctx.mode);
      const lot = read.lot ?? ctx.scanner.lot;
      const expiry = read.expiry ?? ctx.scanner.expiry;
      if (lot === undefined || expiry === undefined) {
        return err('ILMD_MISSING', 'commissioning needs a lot (10) and an expiry (17), on the label or in the scanner configuration');
      }
      return sealed(buildCommissioningEvent({ ...when(ctx, true), units: [unitRef(read)], lot, expiry }));
    }
    case 'packing': {
      const open = ctx.session.container;
      if (read.kind === 'container') {
        if (open === undefined) {
          return ok({ kind: 'session', session: { ...ctx.session, container: read.sscc }, note: `container ${read.sscc} opened` });
        }
        if (open === read.sscc) {
          const { container: _closed, ...rest } = ctx.session;
          return ok({ kind: 'session', session: rest, note: `container ${read.sscc} closed` });
        }
        // Another SSCC while one is open: a case going onto the open pallet.
        return sealed(buildPackingEvent({ ...when(ctx, true), sscc: open, ssccs: [read.sscc] }));
      }
      if (read.kind !== 'unit') return wrongKind(read, ctx.mode);
      if (open === undefined) return err('NO_OPEN_CONTAINER', 'scan the case or pallet SSCC before the units packed into it');
      return sealed(buildPackingEvent({ ...when(ctx, true), sscc: open, units: [unitRef(read)] }));
    }
    case 'shipping':
    case 'receiving':
    case 'returning': {
      const control = planControl(read, ctx);
      if (control) return control;
      if (read.kind !== 'unit' && read.kind !== 'container') return wrongKind(read, ctx.mode);
      const other = counterparty(ctx);
      if (other === undefined) {
        return err('NO_COUNTERPARTY', ctx.mode === 'shipping' ? 'no destination: scan its party label or configure counterparty' : 'no source: scan its party label or configure counterparty');
      }
      const objects = read.kind === 'unit' ? { units: [unitRef(read)] } : { ssccs: [read.sscc] };
      const theirs: PartyAt = other.location ? { party: other.party, location: other.location } : { party: other.party };
      if (ctx.mode === 'shipping') {
        return sealed(buildShippingEvent({ ...when(ctx, false, bizTransactions(ctx)), ...objects, source: self(ctx), destination: theirs }));
      }
      const input = { ...when(ctx, true, bizTransactions(ctx)), ...objects, source: theirs, destination: self(ctx) };
      return sealed(ctx.mode === 'receiving' ? buildReceivingEvent(input) : buildReturningEvent(input));
    }
    case 'dispensing':
      if (read.kind !== 'unit') return wrongKind(read, ctx.mode);
      return sealed(buildDispensingEvent({ ...when(ctx, true), units: [unitRef(read)] }));
    case 'destroying':
      if (read.kind !== 'unit') return wrongKind(read, ctx.mode);
      return sealed(buildDestroyingEvent({ ...when(ctx, true), units: [unitRef(read)] }));
    case 'verify':
      if (read.kind !== 'unit') return wrongKind(read, ctx.mode);
      return ok({ kind: 'verify', unit: read });
  }
}
