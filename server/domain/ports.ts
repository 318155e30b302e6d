// What the ledger's domain needs from the outside world (STYLE.md habit 6): stores, clock, signer, notifier.
import type { Receipt } from '../../schemas/topics.js';
import type { SignedCaptureEntry, UnsignedCaptureEntry } from '../../schemas/signing/capture-entry.js';
import type { SignedRecallEntry, UnsignedRecallEntry } from '../../schemas/signing/recall-entry.js';
import type { NodeMap, TreeNodeReader } from '../log/tree-nodes.js';
import type { AlertRecord, AlertStatus, AppliedEntry, CustodyFacts, NamedIdentifier, PedigreeFacts, RaisedAlert, UnitState, UnitStep } from './custody-model.js';
import type { ActiveRecallScope, RecallScope } from './recall-scope.js';

export type PartyRole = 'admin' | 'manufacturer' | 'distributor' | 'pharmacy' | 'regulator';
export const PARTY_ROLES: readonly PartyRole[] = ['manufacturer', 'distributor', 'pharmacy', 'regulator'];

export interface DeviceKey {
  readonly keyNo: number;
  readonly publicKey: Uint8Array;
  /** The key verifies envelopes with seq >= fromSeq, until the next key's fromSeq. */
  readonly fromSeq: number;
}

export interface DeviceRecord {
  readonly device: string;
  /** SGLN Digital Link of the device's location. */
  readonly location: string;
  /** GLN of the party owning the location. */
  readonly party: string;
  readonly status: 'active' | 'revoked';
  readonly keys: readonly DeviceKey[];
}

export interface DeviceDirectory {
  findDevice(device: string): Promise<DeviceRecord | undefined>;
}

/** An envelope that passed every check that needs no log state, ready to be appended. */
export interface CandidateEntry {
  readonly kind: 'device' | 'ledger' | 'capture';
  readonly bytes: Uint8Array;
  readonly device: string | null;
  readonly seq: number | null;
  readonly eventId: string;
  readonly eventTime: string | null;
  /** Parsed event, stored as the jsonb query copy. */
  readonly event: unknown;
  /** Canonical Digital Links of every unit and container the entry touches (its pedigree chains). */
  readonly identifiers: readonly string[];
  /** What the custody rules read of those identifiers (custody-facts.ts namedIdentifiers), when already read. */
  readonly named?: readonly NamedIdentifier[];
  /** GLN of the party that recorded the entry: its device's party, or the capturing party's token (issue 6). */
  readonly party?: string | null;
}

export interface StoredEntryRow {
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly bytes: Uint8Array;
  readonly kind: CandidateEntry['kind'];
  readonly device: string | null;
  readonly seq: number | null;
  readonly eventId: string | null;
  readonly eventTime: string | null;
  readonly event: unknown;
}

export interface ExistingEntryRef {
  readonly index: number;
  readonly eventId: string | null;
  readonly device: string | null;
  readonly seq: number | null;
}

export interface NewTreeNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export interface StoredCheckpoint {
  readonly size: number;
  readonly root: Uint8Array;
  readonly note: string;
}

/** What an append reads under the lock before it decides (AppendTransaction.lookup). */
export interface AppendLookup {
  readonly treeSize: number;
  /** Entries already holding one of the (device, seq) pairs asked for. */
  readonly bySeq: readonly ExistingEntryRef[];
  /** Entries already holding one of the eventIDs asked for. */
  readonly byEventId: readonly ExistingEntryRef[];
  /** The latest entry of each identifier asked for that has one (its chain's head). */
  readonly heads: Map<string, number>;
}

export interface UnitLink {
  readonly identifier: string;
  readonly index: number;
  readonly prevIndex: number | null;
}

/** Everything one append writes (AppendTransaction.insert). */
export interface AppendWrite {
  readonly entries: readonly (CandidateEntry & { index: number; leafHash: Uint8Array })[];
  readonly nodes: readonly NewTreeNode[];
  /** Each identifier's head becomes the highest index linking it. */
  readonly links: readonly UnitLink[];
  readonly checkpoint: StoredCheckpoint;
}

/**
 * The operations of one append transaction; the store holds the single-writer lock for its duration. One read and
 * one write, so that the store can spare round trips: under load each one waits for a core at both ends.
 */
export interface AppendTransaction extends TreeNodeReader {
  lookup(query: {
    readonly pairs: readonly { device: string; seq: number }[];
    readonly eventIds: readonly string[];
    readonly identifiers: readonly string[];
  }): Promise<AppendLookup>;
  insert(write: AppendWrite): Promise<void>;
}

export interface LedgerStore extends TreeNodeReader {
  /** Runs fn under the log's single-writer lock in one transaction. */
  append<R>(fn: (tx: AppendTransaction) => Promise<R>): Promise<R>;
  treeSize(): Promise<number>;
  entry(index: number): Promise<StoredEntryRow | undefined>;
  entriesByEventId(eventId: string): Promise<StoredEntryRow[]>;
  entriesRange(from: number, count: number): Promise<StoredEntryRow[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  checkpoints(): Promise<StoredCheckpoint[]>;
  recordRejection(rejection: Rejection): Promise<void>;
  listRejections(filter: { device?: string; code?: string; limit: number; beforeId?: number }): Promise<(Rejection & { id: number; receivedAt: string })[]>;
  /** Told of each checkpoint an append committed through this store, right after the commit (caches listen). */
  checkpointCommitted?(checkpoint: StoredCheckpoint): void;
  /**
   * True when an append failed because of the data itself (the same rows would fail again, whatever the retries),
   * as opposed to the store being unreachable or busy: ingest then looks for the entry at fault.
   */
  refusesData?(error: unknown): boolean;
}

export interface Rejection {
  readonly device: string | null;
  readonly seq: number | null;
  readonly code: string;
  readonly detail: string;
  readonly topic: string;
  /** At most the first 4 KiB of the raw payload. */
  readonly raw: Uint8Array;
  readonly rawLength: number;
}

/** The ledger's own key: signs checkpoints and everything the ledger publishes. */
export interface LedgerSigner {
  readonly origin: string;
  readonly publicKey: Uint8Array;
  /** The C2SP vkey line verifiers use. */
  readonly verifierKey: string;
  signCheckpoint(size: number, root: Uint8Array): string;
  /** A signed message bound to the topic it is published on (schemas/signing/ledger-message.ts). */
  signMessage(kind: 'receipt' | 'receipts' | 'alert' | 'recall' | 'checkpoint', body: unknown, topic: string): unknown;
  /** Signs an EPCIS event captured over HTTP on the capturing party's behalf (schemas/signing/capture-entry.ts). */
  signCaptureEntry(draft: UnsignedCaptureEntry): SignedCaptureEntry;
  /** Signs a recall's log entry on its issuer's behalf (schemas/signing/recall-entry.ts). */
  signRecallEntry(draft: UnsignedRecallEntry): SignedRecallEntry;
}

/** Where the ledger's messages go (MQTT in production, a list in tests). */
export interface Notifier {
  sendReceipts(receipts: readonly { device: string; receipt: Receipt }[]): Promise<void>;
  publishCheckpoint(note: string): Promise<void>;
  /** Publishes an alert (raised or resolved) to `pedigree/v1/sites/{site}/alerts`, signed by the ledger. */
  publishAlert?(site: string, alert: Record<string, unknown>): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface PartyRecord {
  readonly gln: string;
  readonly name: string;
  readonly role: PartyRole;
}

export interface LocationRecord {
  readonly sgln: string;
  readonly party: string;
  readonly name: string;
}

export interface DeviceCredentialRecord {
  readonly device: string;
  readonly status: 'active' | 'revoked';
  readonly mqttPasswordHash: string;
  /** GLN of the party at the device's location: its site alerts topic. */
  readonly siteGln: string;
}

export interface TokenRecord {
  readonly id: number;
  readonly party: string | null;
  readonly role: PartyRole;
  readonly revoked: boolean;
}

/** Parties, locations, devices and tokens (DESIGN.md §9). */
export interface RegistryStore extends DeviceDirectory {
  insertParty(p: PartyRecord): Promise<boolean>;
  findParty(gln: string): Promise<PartyRecord | undefined>;
  listParties(): Promise<PartyRecord[]>;
  insertLocation(l: LocationRecord): Promise<boolean>;
  findLocation(sgln: string): Promise<LocationRecord | undefined>;
  listLocations(): Promise<LocationRecord[]>;
  insertDevice(d: { device: string; location: string; publicKey: Uint8Array; mqttPasswordHash: string }): Promise<boolean>;
  listDevices(): Promise<DeviceRecord[]>;
  setDeviceStatus(device: string, status: 'active' | 'revoked'): Promise<boolean>;
  addDeviceKey(device: string, publicKey: Uint8Array, fromSeq: number): Promise<DeviceKey>;
  /** Highest seq appended for the device, or -1. */
  highestSeq(device: string): Promise<number>;
  findDeviceCredential(device: string): Promise<DeviceCredentialRecord | undefined>;
  listDeviceCredentials(): Promise<DeviceCredentialRecord[]>;
  insertToken(t: { tokenHash: string; party: string | null; role: PartyRole }): Promise<number>;
  findToken(tokenHash: string): Promise<TokenRecord | undefined>;
  revokeToken(id: number): Promise<boolean>;
  countTokens(role: PartyRole): Promise<number>;
}

// ---- Custody rules (DESIGN.md §6): the projection of the log into unit state, steps and alerts. ----

/** A step with the facts of its entry, as stored. */
export interface StoredStep {
  readonly step: UnitStep;
  readonly facts: CustodyFacts;
}

/** A step with the facts of its entry that a pedigree shows (StoredStep is one). */
export interface PedigreeStepRecord {
  readonly step: UnitStep;
  readonly facts: PedigreeFacts;
}

/** Everything one application of the rules writes, in one transaction with the new watermark. */
export interface CustodyWrite {
  readonly events: readonly CustodyFacts[];
  /** Earlier entries now declared erroneous. */
  readonly retractions: readonly { index: number; by: number }[];
  /** New steps, each with its entry's facts as they stand after this write (retractions applied). */
  readonly steps: readonly PedigreeStepRecord[];
  readonly deletedSteps: readonly { epc: string; index: number }[];
  readonly states: readonly UnitState[];
  readonly raise: readonly RaisedAlert[];
  readonly resolve: readonly { key: { epc: string; code: string; triggerIndex: number | null }; by: readonly number[]; note: string }[];
  readonly appliedThrough: number;
}

/** The operations of one rules transaction; the store holds the rules' single-writer lock for its duration. */
export interface CustodyTransaction {
  /** Every entry with index <= this has been applied; -1 when none. */
  appliedThrough(): Promise<number>;
  /** Log entries [from, from + count), read in this transaction (PGlite has one connection). */
  entries(from: number, count: number): Promise<AppliedEntry[]>;
  /** GLN of the party owning each device's location (fixed at enrolment). */
  partiesOfDevices(devices: readonly string[]): Promise<Map<string, string>>;
  /** States of `epcs`, plus every identifier inside the containers `expand`, however deep. */
  loadStates(epcs: readonly string[], expand: readonly string[]): Promise<UnitState[]>;
  /** Every stored step of `epcs`, with its entry's facts. */
  loadSteps(epcs: readonly string[]): Promise<StoredStep[]>;
  /** The stored steps of `container` after `eventTime` (late packing: what its new contents missed). */
  containerStepsAfter(container: string, eventTime: string): Promise<StoredStep[]>;
  /** Identifiers with a step at one of these entries. */
  epcsOfEntries(indexes: readonly number[]): Promise<string[]>;
  /** Entry indexes by eventID (an errorDeclaration names the event it corrects by its ID). */
  entryIndexesByEventId(eventIds: readonly string[]): Promise<Map<string, number>>;
  /** Alerts the rules raised for `epcs` (those with a trigger entry). */
  ruleAlertsOf(epcs: readonly string[]): Promise<AlertRecord[]>;
  /**
   * Writes everything; returns the alerts newly raised (or reopened, when auto-resolved before) and those resolved.
   * Raises are applied before resolutions, so an alert can be both in one write.
   */
  write(w: CustodyWrite): Promise<{ raised: AlertRecord[]; resolved: AlertRecord[]; inserted: number }>;
}

export interface UnitView {
  readonly state: UnitState;
  /** Steps in pedigree order (eventTime, then index), with their facts. */
  readonly steps: readonly PedigreeStepRecord[];
  /** Names by GLN of the steps' parties that are registered (it may hold other parties' names too). */
  readonly partyNames: ReadonlyMap<string, string>;
  /** Every alert about the unit, open or not. */
  readonly alerts: readonly AlertRecord[];
  /** The exact bytes of the unit's latest entry (the last step), for its inclusion proof. */
  readonly latestEntryBytes: Uint8Array | null;
  /** Stored tree nodes (by `nodeKey`) of that entry's inclusion proof at the size asked for, read with the view. */
  readonly proofNodes: NodeMap;
}

export interface ContainerNode {
  readonly state: UnitState;
  readonly contents: readonly ContainerNode[];
}

export interface AlertFilter {
  readonly code?: string;
  readonly gtin?: string;
  readonly site?: string;
  readonly epc?: string;
  readonly since?: string;
  readonly status?: AlertStatus | 'unresolved';
  readonly beforeId?: number;
  readonly limit: number;
}

export interface CustodyStore {
  /** Runs fn under the rules' single-writer lock in one transaction. */
  apply<R>(fn: (tx: CustodyTransaction) => Promise<R>): Promise<R>;
  /** Empties the projection (unit state, steps, facts) and sets the watermark to -1; alerts and their notes stay. */
  reset(): Promise<void>;
  /** The unit's state, pedigree, alerts and latest entry; `proofSize`: also that entry's proof nodes at this size. */
  unitView(epc: string, proofSize?: number): Promise<UnitView | undefined>;
  /** Whether any unit of this GTIN was ever commissioned. */
  gtinKnown(gtin: string): Promise<boolean>;
  /** A container and everything inside it, however deep (depth-limited). */
  containerTree(epc: string, maxDepth: number): Promise<ContainerNode | undefined>;
  listAlerts(filter: AlertFilter): Promise<AlertRecord[]>;
  findAlert(id: number): Promise<AlertRecord | undefined>;
  /** Records an acknowledgement or resolution with its note and sets the status; undefined if the alert is gone. */
  recordAlertAction(
    id: number,
    action: { action: 'acknowledge' | 'resolve'; note: string; actorParty: string | null; actorRole: string; tokenId: number | null },
    status: AlertStatus,
  ): Promise<AlertRecord | undefined>;
  /** Raises an alert with no trigger entry (a verification); returns undefined when the same one is already open. */
  raiseUntriggered(alert: RaisedAlert): Promise<AlertRecord | undefined>;
  /** Resolves open alerts of `ids` no longer raised (rebuild-state): rule alerts of the projection not in `keep`. */
  resolveRuleAlertsNotIn(keep: ReadonlySet<string>, note: string): Promise<number>;
}

// ---- Access control, EPCIS 2.0 capture and query (DESIGN.md §9; issue 6). ----

/** What a caller may see (visibility-policy.ts): everything, or what one party was part of, has held or owns. */
export type AccessScope =
  | { readonly kind: 'everything' }
  | {
      readonly kind: 'party';
      readonly party: string;
      readonly role: PartyRole;
      /** The party's registered locations (SGLN Digital Links). */
      readonly locations: readonly string[];
      /** GS1 Company Prefixes registered to a manufacturer: its GTINs (and SSCCs) are those under them. */
      readonly companyPrefixes: readonly string[];
    };

export interface TokenListing extends TokenRecord {
  readonly createdAt: string;
}

/** One request made with a regulator token (DESIGN.md §9: every regulator query is itself logged). */
export interface RegulatorQuery {
  readonly tokenId: number;
  readonly party: string | null;
  readonly method: string;
  /** Path and query string as requested. */
  readonly target: string;
  readonly status: number;
}

export interface RegulatorQueryRecord extends RegulatorQuery {
  readonly id: number;
  readonly at: string;
}

/** Parties' company prefixes, tokens, what a party has held, and the regulator query record. */
export interface AccessStore {
  companyPrefixes(party: string): Promise<string[]>;
  /** False when the prefix is already registered to that party. */
  addCompanyPrefix(party: string, prefix: string): Promise<boolean>;
  /** The party that registered a prefix overlapping `prefix` (one is a prefix of the other), if any. */
  overlappingPrefix(prefix: string): Promise<{ party: string; prefix: string } | undefined>;
  /** SGLN Digital Links of the party's locations. */
  locationsOf(party: string): Promise<string[]>;
  /** Whether `party` recorded an entry that touched `epc`, directly or through a container: it has held it. */
  hasHeld(party: string, epc: string): Promise<boolean>;
  listTokens(): Promise<TokenListing[]>;
  findTokenById(id: number): Promise<TokenRecord | undefined>;
  recordRegulatorQuery(q: RegulatorQuery): Promise<void>;
  listRegulatorQueries(filter: { party?: string; since?: string; beforeId?: number; limit: number }): Promise<RegulatorQueryRecord[]>;
}

/** An EPCIS identifier condition: any of the spellings in `values`, or any identifier starting with one of `prefixes`. */
export interface IdentifierMatch {
  readonly values: readonly string[];
  readonly prefixes: readonly string[];
  /** Canonical chain keys (entry_units) of the GS1 identifiers among the values: an indexed way in. */
  readonly keys: readonly string[];
}

/** A parsed EPCIS 2.0 SimpleEventQuery (epcis-event-query.ts); conditions are ANDed, the values of one ORed. */
export interface EpcisEventQuery {
  readonly eventTypes?: readonly string[];
  readonly eventTime: { readonly ge?: string; readonly lt?: string };
  readonly recordTime: { readonly ge?: string; readonly lt?: string };
  readonly actions?: readonly string[];
  readonly bizSteps?: readonly string[];
  readonly dispositions?: readonly string[];
  readonly readPoint?: IdentifierMatch;
  readonly bizLocation?: IdentifierMatch;
  /** epcList and childEPCs. */
  readonly epc?: IdentifierMatch;
  readonly parentID?: IdentifierMatch;
  /** Every EPC field: parentID, epcList, childEPCs, inputEPCList, outputEPCList. */
  readonly anyEPC?: IdentifierMatch;
  /** quantityList and childQuantityList epcClass. */
  readonly epcClass?: IdentifierMatch;
  readonly eventIDs?: readonly string[];
  readonly orderBy?: 'eventTime' | 'recordTime';
  readonly orderDirection: 'ASC' | 'DESC';
}

/** Where a page ended: the order key (ISO time, or null when ordered by log index) and the index. */
export interface EpcisPageCursor {
  readonly key: string | null;
  readonly index: number;
}

export interface EpcisEventRow {
  readonly index: number;
  readonly kind: CandidateEntry['kind'];
  /** The exact entry bytes: the event is read from them, as recorded. */
  readonly bytes: Uint8Array;
  /** The ledger's key for the event: its CBV 2.0 event hash ID (with a suffix for an errorDeclaration). */
  readonly eventId: string | null;
  /** EPCIS recordTime: when the ledger appended the entry (ISO 8601). */
  readonly recordTime: string;
  /** The order key of this row, for the next page's cursor. */
  readonly cursorKey: string | null;
}

/** EPCIS queries over the log's jsonb query copy, in SQL (never the whole log in memory). */
export interface EpcisEventStore {
  queryEvents(query: EpcisEventQuery, scope: AccessScope, page: { readonly after?: EpcisPageCursor; readonly limit: number }): Promise<EpcisEventRow[]>;
  /** min(cap, number of matching events). */
  countEvents(query: EpcisEventQuery, scope: AccessScope, cap: number): Promise<number>;
}

export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/** An RFC 7807 problem in a capture job (EPCIS 2.0 REST binding, CaptureJob.errors). */
export interface CaptureProblem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** JSON pointer into the captured document. */
  readonly pointer?: string;
}

export interface CaptureOutcome {
  /** Position in the document's eventList. */
  readonly position: number;
  readonly eventID: string;
  readonly status: 'accepted' | 'duplicate';
  readonly index: number;
}

export interface CaptureJobRecord {
  readonly captureID: string;
  readonly party: string;
  readonly tokenId: number;
  readonly behaviour: CaptureErrorBehaviour;
  readonly eventCount: number;
  readonly running: boolean;
  readonly success: boolean;
  readonly errors: readonly CaptureProblem[];
  readonly outcomes: readonly CaptureOutcome[];
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface CaptureJobStore {
  insertJob(job: Pick<CaptureJobRecord, 'captureID' | 'party' | 'tokenId' | 'behaviour' | 'eventCount' | 'errors'>): Promise<void>;
  finishJob(captureID: string, result: Pick<CaptureJobRecord, 'success' | 'errors' | 'outcomes'>): Promise<void>;
  findJob(captureID: string): Promise<CaptureJobRecord | undefined>;
  /** Jobs still marked running when a ledger starts were cut off by a stop: they are marked failed with `problem`. */
  failRunningJobs(problem: CaptureProblem): Promise<number>;
}

// ---- Recalls (DESIGN.md §8; issue 6). ----

export type RecallClass = 'I' | 'II' | 'III';

export interface RecallRecord {
  readonly id: string;
  readonly scope: RecallScope;
  readonly class: RecallClass;
  readonly reason: string;
  readonly instructions: string | null;
  /** GLN of the issuing party (null for an admin). */
  readonly issuer: string | null;
  readonly issuerRole: PartyRole;
  readonly issuedAt: string;
  readonly entryIndex: number | null;
  /** The notice as published on pedigree/v1/recalls/{id}. */
  readonly notice: Record<string, unknown>;
  readonly status: 'open' | 'closed';
  readonly closedAt: string | null;
  readonly closedBy: string | null;
  readonly closeReason: string | null;
  readonly closeOverride: boolean;
}

export interface RecallSiteRecord {
  readonly site: string;
  readonly notifiedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly note: string | null;
  /** The gateway whose signed MQTT message acknowledged, when it was not a party token over HTTP. */
  readonly acknowledgedByDevice: string | null;
}

/** A unit in a recall's scope, as the report reads it (UnitState's fields the report and recallStatusOf use). */
export type RecallUnitRow = Pick<
  UnitState,
  'epc' | 'gtin' | 'serial' | 'lot' | 'expiry' | 'state' | 'owner' | 'custodian' | 'custodyIndex' | 'commissionedIndex' | 'destinationParty' | 'recalled'
>;

export interface RecallStore {
  insertRecall(r: RecallRecord & { readonly tokenId: number | null }): Promise<void>;
  setEntryIndex(id: string, index: number): Promise<void>;
  /** Removes a recall whose entry could not be appended (its scope must not outlive it). */
  deleteRecall(id: string): Promise<void>;
  findRecall(id: string): Promise<RecallRecord | undefined>;
  /** Newest first. */
  listRecalls(filter: { readonly gtin?: string; readonly status?: 'open' | 'closed'; readonly limit: number }): Promise<RecallRecord[]>;
  /** Every recall scope (open or closed: a recall is irreversible), for the custody rules. */
  activeScopes(): Promise<ActiveRecallScope[]>;
  /** The unit state of every unit of the scope's GTIN the scope covers (commissioned or only seen). */
  unitsInScope(scope: RecallScope): Promise<UnitState[]>;
  /** What the recall report needs of every unit the scope covers, in no particular order (one lean query). */
  reportUnitsInScope(scope: RecallScope): Promise<RecallUnitRow[]>;
  /** Canonical Digital Links of the commissioned units the scope covers, in order: what the recall entry names. */
  commissionedInScope(scope: RecallScope): Promise<string[]>;
  /**
   * The sites holding units in scope now, by GLN, each with the serials it holds: the custodian of a unit in stock,
   * both ends of one in transit (DESIGN.md §8, the sites a recall notifies). One aggregate query.
   */
  holdingSitesInScope(scope: RecallScope): Promise<{ readonly site: string; readonly serials: readonly string[] }[]>;
  recordNotified(id: string, sites: readonly string[], at: string): Promise<void>;
  /** Records (or repeats) a site's acknowledgement. */
  acknowledge(
    id: string,
    site: string,
    a: { readonly tokenId: number | null; readonly device: string | null; readonly note: string | null; readonly at: string },
  ): Promise<RecallSiteRecord>;
  sitesOf(id: string): Promise<RecallSiteRecord[]>;
  closeRecall(id: string, c: { readonly at: string; readonly by: string; readonly reason: string | null; readonly override: boolean }): Promise<RecallRecord | undefined>;
}
