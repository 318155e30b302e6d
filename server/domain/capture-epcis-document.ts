// EPCIS 2.0 capture (REST binding POST /capture): checks a document from a party's (or the admin's) token, opens a
// capture job, and appends its events through the same append path as device envelopes (appendEntries: idempotent by
// event hash ID, one transaction, a signed checkpoint), each as a capture entry signed by the ledger on the party's behalf
// (schemas/signing/capture-entry.ts). `rollback` (the default) appends all events or none; `proceed` appends the
// valid ones and reports the others. Jobs run one at a time after the 202; GET /epcis/capture/{id} reports them.
import { randomBytes } from 'node:crypto';
import { documentEvents } from '../../schemas/epcis/document-hash.js';
import { draftCaptureEntry } from '../../schemas/signing/capture-entry.js';
import { appendEntries, type AppendOutcome } from './append-entries.js';
import { canonicalIdentifier } from './event-identifiers.js';
import { checkCaptureDocument, type CaptureLimits, type CheckedEvent } from './check-capture-document.js';
import type {
  CandidateEntry,
  CaptureErrorBehaviour,
  CaptureOutcome,
  CaptureProblem,
  CaptureJobStore,
  LedgerSigner,
  LedgerStore,
  RegistryStore,
  TokenRecord,
} from './ports.js';
import { CAPTURING_ROLES } from './visibility-policy.js';

export interface CaptureServiceOptions {
  readonly store: LedgerStore;
  readonly signer: LedgerSigner;
  readonly jobs: CaptureJobStore;
  readonly registry: Pick<RegistryStore, 'findLocation'>;
  readonly limits: CaptureLimits;
  /** After each committed capture (custody rules hook in here, as for ingest batches). */
  readonly onAppended?: (appended: readonly AppendOutcome[]) => Promise<void> | void;
  readonly publishCheckpoint?: (note: string) => Promise<void>;
  readonly onError?: (error: unknown, context: string) => void;
}

export type CaptureRefusal = {
  readonly ok: false;
  readonly status: 400 | 403 | 413;
  readonly exception: 'ValidationException' | 'CaptureLimitExceededException' | 'SecurityException';
  readonly code: string;
  readonly detail: string;
  readonly problems: readonly CaptureProblem[];
};

export type CaptureAccepted = { readonly ok: true; readonly captureID: string };

const INTERRUPTED: CaptureProblem = {
  type: 'epcisException:ImplementationException',
  title: 'Capture interrupted',
  status: 500,
  detail:
    'the ledger stopped while this job was running: query its events by eventID to see which were appended, or capture the document again (events already in the log are duplicates, never appended twice)',
};

function newCaptureId(): string {
  return randomBytes(12).toString('base64url');
}

/** The admin token's stand-in for a capturing party (it has none): signed into its capture entries. */
export const ADMIN_CAPTURER = 'admin';

/** The registered owner of each event's location (bizLocation, else readPoint); null where it is not registered. */
async function locationOwners(registry: Pick<RegistryStore, 'findLocation'>, events: readonly CheckedEvent[]): Promise<Map<number, string | null>> {
  const owners = new Map<string, string | null>();
  const out = new Map<number, string | null>();
  for (const e of events) {
    let owner: string | null = null;
    for (const field of ['bizLocation', 'readPoint'] as const) {
      const where = e.event[field];
      const id = where !== null && typeof where === 'object' ? (where as { id?: unknown }).id : undefined;
      const sgln = typeof id === 'string' ? canonicalIdentifier(id) : undefined;
      if (sgln === undefined || !sgln.startsWith('https://id.gs1.org/414/')) continue;
      if (!owners.has(sgln)) owners.set(sgln, (await registry.findLocation(sgln))?.party ?? null);
      owner = owners.get(sgln) ?? null;
      if (owner !== null) break;
    }
    out.set(e.position, owner);
  }
  return out;
}

/** Events at a location registered to another party: a party records only at its own sites (or unregistered ones). */
async function foreignLocations(
  registry: Pick<RegistryStore, 'findLocation'>,
  party: string,
  events: readonly CheckedEvent[],
  base: string,
): Promise<Map<number, CaptureProblem>> {
  const owners = new Map<string, string | null>();
  const out = new Map<number, CaptureProblem>();
  for (const e of events) {
    for (const field of ['readPoint', 'bizLocation'] as const) {
      const where = e.event[field];
      const id = where !== null && typeof where === 'object' ? (where as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') continue;
      const sgln = canonicalIdentifier(id);
      if (sgln === undefined || !sgln.startsWith('https://id.gs1.org/414/')) continue;
      if (!owners.has(sgln)) owners.set(sgln, (await registry.findLocation(sgln))?.party ?? null);
      const owner = owners.get(sgln);
      if (owner !== null && owner !== undefined && owner !== party && !out.has(e.position)) {
        out.set(e.position, {
          type: 'epcisException:SecurityException',
          title: 'Location of another party',
          status: 403,
          detail: `${base}/${e.position}/${field}: ${id} is a location of party ${owner}; a party captures events at its own or unregistered locations`,
          pointer: `${base}/${e.position}/${field}`,
        });
      }
    }
  }
  return out;
}

export class CaptureService {
  readonly #o: CaptureServiceOptions;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopped = false;

  constructor(options: CaptureServiceOptions) {
    this.#o = options;
  }

  /** Marks jobs a previous run left running as failed (their append either committed whole or not at all). */
  async recover(): Promise<number> {
    return this.#o.jobs.failRunningJobs(INTERRUPTED);
  }

  /** Checks the document and opens its job; the events are appended after this returns (202 + Location). */
  async captureEpcisDocument(caller: TokenRecord, document: unknown, behaviour: CaptureErrorBehaviour): Promise<CaptureAccepted | CaptureRefusal> {
    // The admin may call every route (DESIGN.md §9): its entries are signed as captured by `admin`, and each event is
    // attributed, for the custody rules, to the party owning the registered location it names (as if that party had
    // captured it), or to none at an unregistered location.
    const admin = caller.role === 'admin';
    if (!admin && (caller.party === null || !CAPTURING_ROLES.includes(caller.role))) {
      return {
        ok: false,
        status: 403,
        exception: 'SecurityException',
        code: caller.party === null ? 'PARTY_TOKEN_REQUIRED' : 'FORBIDDEN',
        detail: `captured events are recorded on behalf of a party that handles goods: use a ${CAPTURING_ROLES.join(', ')} token`,
        problems: [],
      };
    }
    const party = caller.party ?? ADMIN_CAPTURER;
    const checked = checkCaptureDocument(document, behaviour, this.#o.limits);
    if (!checked.ok) {
      return checked.exception === 'CaptureLimitExceededException'
        ? { ok: false, status: 413, exception: checked.exception, code: 'CAPTURE_LIMIT_EXCEEDED', detail: checked.detail, problems: [] }
        : { ok: false, status: 400, exception: checked.exception, code: 'VALIDATION_FAILED', detail: checked.detail, problems: checked.problems };
    }
    const base = (document as { type?: unknown }).type === 'EPCISQueryDocument' ? '/epcisBody/queryResults/resultsBody/eventList' : '/epcisBody/eventList';
    const foreign = admin ? new Map<number, CaptureProblem>() : await foreignLocations(this.#o.registry, party, checked.events, base);
    if (foreign.size > 0 && (behaviour === 'rollback' || foreign.size === checked.events.length)) {
      const problems = [...foreign.values()];
      return { ok: false, status: 403, exception: 'SecurityException', code: 'FORBIDDEN', detail: problems[0]!.detail, problems };
    }
    const events = checked.events.filter((e) => !foreign.has(e.position));
    const problems = [...checked.problems, ...foreign.values()];
    const captureID = newCaptureId();
    const eventCount = documentEvents(document)?.length ?? 0;
    const actors = admin ? await locationOwners(this.#o.registry, events) : undefined;
    await this.#o.jobs.insertJob({ captureID, party, tokenId: caller.id, behaviour, eventCount, errors: problems });
    this.#enqueue(() => this.#run(captureID, party, checked.context, events, problems, actors));
    return { ok: true, captureID };
  }

  #enqueue(job: () => Promise<void>): void {
    this.#pending++;
    this.#queue = this.#queue.then(job).finally(() => {
      this.#pending--;
    });
  }

  async #run(
    captureID: string,
    party: string,
    context: unknown,
    events: readonly CheckedEvent[],
    problems: readonly CaptureProblem[],
    /** Per event position, the party the custody rules attribute it to (admin captures); else the capturing party. */
    actors?: ReadonlyMap<number, string | null>,
  ): Promise<void> {
    let outcomes: CaptureOutcome[] = [];
    const errors = [...problems];
    let appended: readonly AppendOutcome[] = [];
    let checkpoint: string | undefined;
    try {
      if (this.#stopped) throw new Error('the ledger is stopping');
      const candidates = events.map((e): CandidateEntry => {
        const signed = this.#o.signer.signCaptureEntry(draftCaptureEntry({ party, captureID, context, event: e.event }));
        return {
          kind: 'capture',
          bytes: new TextEncoder().encode(JSON.stringify(signed)),
          device: null,
          seq: null,
          eventId: e.eventId,
          eventTime: e.eventTime,
          event: e.event,
          identifiers: e.identifiers,
          party: actors ? (actors.get(e.position) ?? null) : party,
        };
      });
      const result = candidates.length > 0 ? await appendEntries(this.#o.store, this.#o.signer, candidates) : undefined;
      appended = result?.outcomes ?? [];
      checkpoint = result?.checkpoint;
      outcomes = appended.map((o, i): CaptureOutcome => {
        const position = events[i]!.position;
        if (o.status === 'rejected') throw new Error(`capture entry refused by the append: ${o.code}`); // no seq: cannot happen
        return { position, eventID: o.eventId, status: o.status, index: o.index };
      });
    } catch (e) {
      this.#o.onError?.(e, 'capture');
      outcomes = [];
      errors.push({
        type: 'epcisException:ImplementationException',
        title: 'Capture failed',
        status: 500,
        detail: 'the events could not be appended; none was (capture the document again)',
      });
    }
    try {
      await this.#o.jobs.finishJob(captureID, { success: errors.length === 0, errors, outcomes });
    } catch (e) {
      this.#o.onError?.(e, 'capture job');
    }
    try {
      if (checkpoint !== undefined) await this.#o.publishCheckpoint?.(checkpoint);
      const accepted = appended.filter((o) => o.status === 'accepted');
      if (accepted.length > 0) await this.#o.onAppended?.(accepted);
    } catch (e) {
      this.#o.onError?.(e, 'after capture');
    }
  }

  /** Resolves once every job accepted so far has finished (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.#pending > 0) await this.#queue;
  }

  async stop(): Promise<void> {
    await this.drain();
    this.#stopped = true;
  }
}
