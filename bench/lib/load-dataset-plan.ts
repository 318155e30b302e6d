// The shape of a loaded data set, shared by the loader's main thread and its workers: which site records which entry
// of which unit, with which event template. Pure: the same plan gives the same entries, seqs and indexes everywhere.
import type { CustodyFacts } from '../../server/domain/custody-model.js';

/** Entries per unit: commission, ship to a distributor, receive there, ship to a pharmacy, receive there. */
export const STAGES = 5;
/** Event times: entry i happens i seconds after this instant. */
export const BASE_MS = Date.UTC(2026, 0, 1);
export const SERIAL_PLACEHOLDER = 'QQSERIALQQ';
export const TIME_PLACEHOLDER = '2000-01-01T00:00:00.000Z';
export const SEQ_PLACEHOLDER = 987654321987;
/** DESIGN.md §3 (schemas/signing/envelope.ts EVENT_SIGNING_CONTEXT), repeated so the worker imports no schemas code. */
export const EVENT_SIGNING_PREFIX = 'pedigree/event/v1\n';

export interface DatasetLayout {
  readonly units: number;
  readonly distributors: number;
  readonly pharmacies: number;
  /** Units per lot: unit u is in lot `LOT{⌊u / lotSize⌋ + 1}`. */
  readonly lotSize: number;
}

export const serialOf = (unit: number): string => `S${String(unit).padStart(8, '0')}`;
export const lotCount = (l: DatasetLayout): number => Math.ceil(l.units / l.lotSize);
export const lotOf = (l: DatasetLayout, unit: number): string => `LOT${Math.floor(unit / l.lotSize) + 1}`;
/** Unit u ends at pharmacy u mod P, which buys from distributor p mod D. */
export const pharmacyOf = (l: DatasetLayout, unit: number): number => unit % l.pharmacies;
export const distributorOf = (l: DatasetLayout, unit: number): number => pharmacyOf(l, unit) % l.distributors;

/** Site numbers: 0 the manufacturer, then the distributors, then the pharmacies. */
export const siteCount = (l: DatasetLayout): number => 1 + l.distributors + l.pharmacies;
export const distributorSite = (d: number): number => 1 + d;
export const pharmacySite = (l: DatasetLayout, p: number): number => 1 + l.distributors + p;

/** Template numbers: commissioning per lot, then per distributor ship-to and receive, then per pharmacy ship-to and receive. */
export const templateNumbers = (l: DatasetLayout) => {
  const lots = lotCount(l);
  return {
    commission: (lot: number) => lot,
    shipToDistributor: (d: number) => lots + d,
    receiveAtDistributor: (d: number) => lots + l.distributors + d,
    shipToPharmacy: (p: number) => lots + 2 * l.distributors + p,
    receiveAtPharmacy: (p: number) => lots + 2 * l.distributors + l.pharmacies + p,
    count: lots + 2 * l.distributors + 2 * l.pharmacies,
  };
};

export function planEntry(l: DatasetLayout, unit: number, stage: number): { template: number; site: number } {
  const t = templateNumbers(l);
  const p = pharmacyOf(l, unit);
  const d = p % l.distributors;
  switch (stage) {
    case 0:
      return { template: t.commission(Math.floor(unit / l.lotSize)), site: 0 };
    case 1:
      return { template: t.shipToDistributor(d), site: 0 };
    case 2:
      return { template: t.receiveAtDistributor(d), site: distributorSite(d) };
    case 3:
      return { template: t.shipToPharmacy(p), site: distributorSite(d) };
    default:
      return { template: t.receiveAtPharmacy(p), site: pharmacySite(l, p) };
  }
}

/** An event template: filled per entry with the unit's serial, the entry's time and the device's seq. */
export interface EventTemplate {
  /** JCS of `{v, device, seq, event}` (what the device signs, after the context line). */
  readonly signing: string;
  /** JSON of the event (the entries.event query copy). */
  readonly json: string;
  /** CBV 2.0 pre-hash string of the event. */
  readonly preHash: string;
  /** The custody facts the server's rules read from the event, but for index and time. */
  readonly facts: Omit<CustodyFacts, 'index' | 'eventTime' | 'eventDate'>;
  /** Those facts as the custody_events COPY columns after idx, event_time and event_date. */
  readonly factsTail: string;
  /** The pedigree facts as the unit_steps COPY columns after epc, entry_idx, event_time, role, via, lot and expiry. */
  readonly stepsTail: string;
}

export interface WorkerSite {
  readonly device: string;
  readonly gln: string;
  readonly jwk: { readonly d: string; readonly x: string };
}

export interface WorkerInit {
  readonly gtin: string;
  readonly layout: DatasetLayout;
  readonly sites: readonly WorkerSite[];
  readonly templates: readonly EventTemplate[];
}

export interface BlockJob {
  readonly id: number;
  readonly firstUnit: number;
  readonly units: number;
  /** Index of the block's first entry: the block holds `units × STAGES` entries, stage by stage. */
  readonly firstIdx: number;
  /** Next seq of every site at the start of the block. */
  readonly seqStart: readonly number[];
}

export interface BlockResult {
  readonly id: number;
  /** 32 bytes a leaf, in index order. */
  readonly leaves: Uint8Array;
  /** COPY text per table, in pieces. */
  readonly copy: {
    readonly entries: readonly Uint8Array[];
    readonly facts: readonly Uint8Array[];
    readonly steps: readonly Uint8Array[];
    readonly links: readonly Uint8Array[];
    readonly heads: readonly Uint8Array[];
    readonly states: readonly Uint8Array[];
  };
}

/** A value in COPY text format (PostgreSQL docs, COPY "Text Format"). */
export function copyText(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : v;
}
