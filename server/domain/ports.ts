// What the ledger's domain needs from the outside world (STYLE.md habit 6): stores, clock, signer, notifier.
import type { Receipt } from '../../schemas/topics.js';
import type { TreeNodeReader } from '../log/tree-nodes.js';

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

/** The operations of one append transaction; the store holds the single-writer lock for its duration. */
export interface AppendTransaction extends TreeNodeReader {
  treeSize(): Promise<number>;
  findBySeq(pairs: readonly { device: string; seq: number }[]): Promise<ExistingEntryRef[]>;
  findByEventId(eventIds: readonly string[]): Promise<ExistingEntryRef[]>;
  unitHeads(identifiers: readonly string[]): Promise<Map<string, number>>;
  insertEntries(rows: readonly (CandidateEntry & { index: number; leafHash: Uint8Array })[]): Promise<void>;
  insertUnitLinks(links: readonly { identifier: string; index: number; prevIndex: number | null }[]): Promise<void>;
  insertTreeNodes(nodes: readonly NewTreeNode[]): Promise<void>;
  insertCheckpoint(checkpoint: StoredCheckpoint): Promise<void>;
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
  signMessage(kind: 'receipt' | 'alert' | 'recall' | 'checkpoint', body: unknown, topic: string): unknown;
}

/** Where the ledger's messages go (MQTT in production, a list in tests). */
export interface Notifier {
  sendReceipts(receipts: readonly { device: string; receipt: Receipt }[]): Promise<void>;
  publishCheckpoint(note: string): Promise<void>;
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
