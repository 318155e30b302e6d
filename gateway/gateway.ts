// A running gateway: scanners → frames → reads → custody events → signed envelopes → durable outbox → ledger link.
// main.ts wires it from site.json; tests, benchmarks and the simulated supply chain start it directly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { validateEpcisEvent } from '../schemas/epcis/validate.js';
import { encodeBase64url } from '../schemas/signing/encoding.js';
import type { GatewayConfig, ScannerConfig } from './config.js';
import { decodeBarcodeFrame, decodeRfidFrame, type Read, type UnitRead } from './decode-read.js';
import { createEnvelopeSigner } from './envelope-signer.js';
import type { Frame } from './frame-splitter.js';
import { LedgerLink, type LastReceipt, type LinkCounters, type LinkState } from './ledger-link.js';
import type { LedgerInbound, LedgerTrust } from './ledger-messages.js';
import { Outbox } from './outbox.js';
import { planCustody, type ScannerSession } from './plan-custody.js';
import { RecallAcks } from './recall-acks.js';
import { RecallRegister } from './recall-register.js';
import { ReadDedup } from './read-dedup.js';
import type { RefusalCode } from './refusal-codes.js';
import { RejectedList } from './rejected-list.js';
import { resumeSeq } from './resume-seq.js';
import { ScannerStation, type SerialPortLike } from './scanner-station.js';
import { SeqReservation } from './seq-reservation.js';
import { SessionStore } from './session-store.js';
import { SuspectStore } from './suspect-store.js';
import { verifyUnit, type VerifyUnitOptions } from './verify-client.js';

export type ReadOutcome =
  /** Signed, durable in the outbox: the scanner gets ACK. */
  | { readonly ok: true; readonly kind: 'event'; readonly seq: number; readonly eventID: string; readonly bizStep: string }
  /** A repeat within the de-dup window of a read that was stored. */
  | { readonly ok: true; readonly kind: 'duplicate'; readonly of: ReadOutcome }
  /** A control label (container opened/closed, counterparty, business transaction). */
  | { readonly ok: true; readonly kind: 'session'; readonly note: string }
  /** Verify mode: the ledger says the pack is fine. */
  | { readonly ok: true; readonly kind: 'verified'; readonly summary: string }
  | { readonly ok: false; readonly code: RefusalCode; readonly message: string };

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly secretKey: Uint8Array;
  readonly credentials: { readonly username: string; readonly password: string };
  readonly trust: LedgerTrust;
  readonly logger: Logger;
  /** Do not open serial ports (reads come through submitFrame only). */
  readonly noSerial?: boolean;
  /** Do not connect to the broker (the outbox fills; for offline tests and benchmarks). */
  readonly offline?: boolean;
  readonly createPort?: (scanner: ScannerConfig) => SerialPortLike;
  readonly clock?: () => Date;
  readonly fetch?: typeof fetch;
  readonly signerEngine?: 'node' | 'noble';
  readonly reopenMs?: number;
  readonly reconnectMinMs?: number;
  readonly reconnectMaxMs?: number;
}

export interface GatewayStatus {
  readonly device: string;
  readonly link: LinkState;
  readonly scanners: readonly { name: string; mode: string; connected: boolean; pendingReads: number }[];
  readonly reads: { frames: number; recorded: number; duplicates: number; controls: number; verified: number; refused: number };
  readonly refusedByCode: Readonly<Record<string, number>>;
  readonly outbox: { pending: number; queued: number; inFlight: number; nextSeq: number; ackedThrough: number; segments: number; rejected: number };
  readonly receipts: LinkCounters | undefined;
  readonly lastReceipt: LastReceipt | undefined;
  readonly recalls: number;
  readonly suspects: number;
  readonly checkpointSize: number | undefined;
  /** heapTotal: the V8 heap reserved; external: Buffers and other memory outside it (bench/gateway reads these). */
  readonly memory: { readonly rssMb: number; readonly heapUsedMb: number; readonly heapTotalMb: number; readonly externalMb: number };
}

export interface RunningGateway {
  readonly config: GatewayConfig;
  readonly outbox: Outbox;
  readonly recalls: RecallRegister;
  /** Feeds one frame as if the named scanner had sent it (tests, benchmarks, a keyboard-wedge front end). */
  submitFrame(scanner: string, frame: Frame | Uint8Array | string): Promise<ReadOutcome>;
  status(): GatewayStatus;
  /** Resolves when every read so far is durable and has its receipt (never, while offline). */
  whenDrained(): Promise<void>;
  /** Starts the ledger link if the gateway was started offline. */
  goOnline(): void;
  stop(): Promise<void>;
}

interface ScannerRuntime {
  readonly config: ScannerConfig;
  readonly dedup: ReadDedup<Promise<ReadOutcome>>;
  session: ScannerSession;
  station: ScannerStation | undefined;
}

function asFrame(input: Frame | Uint8Array | string): Frame {
  if (typeof input === 'string') return { kind: 'data', bytes: Buffer.from(input, 'latin1') };
  if (input instanceof Uint8Array) return { kind: 'data', bytes: Buffer.from(input.buffer, input.byteOffset, input.byteLength) };
  return input;
}

/** The local calendar date at the site (for expiry), `YYYY-MM-DD`. */
function localDate(now: Date, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  return new Date(now.getTime() + minutes * 60_000).toISOString().slice(0, 10);
}

const WARM_UP_EVENT = {
  type: 'ObjectEvent',
  eventTime: '2025-01-01T00:00:00.000Z',
  eventTimeZoneOffset: '+00:00',
  epcList: ['https://id.gs1.org/01/09506000134352/21/1'],
  action: 'OBSERVE',
};

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config, logger } = options;
  const clock = options.clock ?? (() => new Date());
  mkdirSync(config.dataDir, { recursive: true });
  const fsync = config.outbox.fsync;
  // Have the EPCIS validator ready now, not on the first scan (compiling the schema takes a second or so on a small
  // box). A valid event: in the bundle it is answered by the precompiled validator and nothing is compiled at all.
  validateEpcisEvent(WARM_UP_EVENT);
  const signer = createEnvelopeSigner({ device: config.device, secretKey: options.secretKey, engine: options.signerEngine ?? 'node' });
  // seq outlives the outbox: a reservation beside it, else the ledger's last seq, else a time-based seq (resume-seq.ts).
  const seqReservation = SeqReservation.open({ path: join(config.dataDir, 'seq.json'), device: config.device, fsync });
  const outbox = await Outbox.open({
    dir: join(config.dataDir, 'outbox'),
    segmentBytes: config.outbox.segmentBytes,
    fsync,
    onWarning: (message, detail) => logger.warn({ detail }, message),
    reserveSeqs: (lastSeq) => seqReservation.reserve(lastSeq),
  });
  try {
    const resumed = await resumeSeq({
      device: config.device,
      publicKey: encodeBase64url(signer.publicKey),
      reservedThrough: seqReservation.reservedThrough,
      outboxNextSeq: outbox.nextSeq,
      httpUrl: config.ledger.httpUrl,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      now: clock(),
    });
    if (resumed.source !== 'local') logger.warn({ seq: resumed.seq, outboxNextSeq: outbox.nextSeq }, resumed.reason);
    else if (resumed.seq > outbox.nextSeq) {
      logger.info({ seq: resumed.seq, outboxNextSeq: outbox.nextSeq }, 'continuing above the seqs reserved before an unclean stop');
    }
    outbox.skipTo(resumed.seq);
    if (seqReservation.reservedThrough !== outbox.nextSeq - 1) seqReservation.setFloor(outbox.nextSeq - 1);
  } catch (e) {
    await outbox.close();
    throw e;
  }
  const rejectedList = new RejectedList(config.dataDir, { fsync });
  const sessions = new SessionStore(config.dataDir, { fsync });
  // Suspect units from alerts survive a reboot (suspect-store.ts); recall notices come back retained from the broker.
  const suspectStore = new SuspectStore({ dataDir: config.dataDir, fsync, onWarning: (message, detail) => logger.warn({ detail }, message) });
  const recalls: RecallRegister = new RecallRegister({ onSuspectsChanged: () => suspectStore.save(() => recalls.listSuspects()) });
  recalls.restoreSuspects(suspectStore.load());
  // Each verified open recall notice is acknowledged to the ledger once (recall-acks.ts), over the link below.
  const recallAcks = new RecallAcks({
    dataDir: config.dataDir,
    device: config.device,
    secretKey: options.secretKey,
    publish: (topic, payload) => (link ? link.publishMessage(topic, payload) : Promise.reject(new Error('offline'))),
    logger,
    clock,
    fsync,
  });
  const reads = { frames: 0, recorded: 0, duplicates: 0, controls: 0, verified: 0, refused: 0 };
  const refusedByCode: Record<string, number> = {};
  let checkpointSize: number | undefined;
  const site = { party: config.site.party, location: config.site.location, timeZoneOffset: config.site.timeZoneOffset };

  const scanners = new Map<string, ScannerRuntime>();
  for (const s of config.scanners) {
    const sliding = s.dedupSliding ?? s.kind === 'rfid';
    const windowMs = s.dedupWindowMs ?? (s.kind === 'rfid' ? 3000 : 500);
    scanners.set(s.name, { config: s, dedup: new ReadDedup({ windowMs, sliding }), session: sessions.load(s.name), station: undefined });
  }

  const onInbound = (message: LedgerInbound): void => {
    switch (message.kind) {
      case 'recall': {
        const change = recalls.applyRecall(message.recallId, message.notice);
        logger.warn({ recall: message.recallId, scope: message.notice.scope, class: message.notice.class, change }, `recall ${change}`);
        if (change === 'added' || change === 'updated') void recallAcks.acknowledge(message.recallId);
        break;
      }
      case 'recall-cleared':
        logger.warn({ recall: message.recallId }, 'unsigned empty recall notice ignored; the recall stays in force here');
        break;
      case 'alert': {
        const units = recalls.applyAlert(message.alert);
        logger.warn({ alert: message.alert.id, code: message.alert.code, severity: message.alert.severity, units }, 'site alert');
        break;
      }
      case 'checkpoint':
        checkpointSize = message.size;
        break;
      case 'receipts':
        break;
    }
  };

  let link: LedgerLink | undefined;
  const makeLink = () =>
    new LedgerLink({
      url: config.ledger.mqttUrl,
      device: config.device,
      username: options.credentials.username,
      password: options.credentials.password,
      siteGln: config.site.party,
      outbox,
      trust: options.trust,
      maxInFlight: config.outbox.maxInFlight,
      receiptTimeoutMs: config.outbox.receiptTimeoutMs,
      logger,
      ...(options.reconnectMinMs !== undefined ? { reconnectMinMs: options.reconnectMinMs } : {}),
      ...(options.reconnectMaxMs !== undefined ? { reconnectMaxMs: options.reconnectMaxMs } : {}),
      onRejected: (r) => {
        rejectedList.add({ at: new Date().toISOString(), seq: r.seq, code: r.code, ...(r.eventID ? { eventID: r.eventID } : {}), ...(r.envelope ? { envelope: r.envelope } : {}) });
        logger.error({ seq: r.seq, code: r.code, eventID: r.eventID }, 'the ledger rejected an envelope; moved to the rejected list');
      },
      onInbound,
      onStateChange: (state) => logger.info({ state }, 'ledger link'),
    });

  const refuse = (scanner: ScannerRuntime, code: RefusalCode, message: string): ReadOutcome => {
    reads.refused += 1;
    refusedByCode[code] = (refusedByCode[code] ?? 0) + 1;
    logger.warn({ scanner: scanner.config.name, code, reason: message }, 'read refused');
    return { ok: false, code, message };
  };

  const verifyOptions = (scanner: ScannerRuntime): VerifyUnitOptions => ({
    httpUrl: config.ledger.httpUrl ?? '',
    token: config.ledger.token,
    timeoutMs: scanner.config.verifyTimeoutMs,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const handleRead = async (scanner: ScannerRuntime, read: Read, now: Date): Promise<ReadOutcome> => {
    const mode = scanner.config.mode;
    if (read.kind === 'unit' && (mode === 'dispensing' || mode === 'verify')) {
      const refusal = recalls.check(read);
      if (refusal) {
        if (mode === 'verify') void showLedgerAnswer(scanner, read);
        return refuse(scanner, refusal.code, refusal.message);
      }
      if (mode === 'dispensing' && read.expiry !== undefined && read.expiry < localDate(now, site.timeZoneOffset)) {
        return refuse(scanner, 'EXPIRED', `expired on ${read.expiry}`);
      }
    } else if (read.kind === 'unit' && recalls.check(read)?.code === 'RECALLED') {
      logger.warn({ scanner: scanner.config.name, unit: read.key, mode }, 'a recalled unit is moving (recorded; the ledger alerts)');
    }
    const plan = planCustody(read, { mode, site, scanner: scanner.config, session: scanner.session, eventTime: now });
    if (!plan.ok) return refuse(scanner, plan.code, plan.message);
    const p = plan.value;
    if (p.kind === 'session') {
      try {
        sessions.save(scanner.config.name, p.session);
      } catch (e) {
        return refuse(scanner, 'OUTBOX_FAILED', `cannot save the scanner session: ${(e as Error).message}`);
      }
      scanner.session = p.session;
      reads.controls += 1;
      logger.info({ scanner: scanner.config.name }, p.note);
      return { ok: true, kind: 'session', note: p.note };
    }
    if (p.kind === 'verify') {
      const answer = await verifyUnit(p.unit, verifyOptions(scanner));
      if (!answer.ok) return refuse(scanner, 'VERIFY_UNAVAILABLE', answer.summary);
      logger.info({ scanner: scanner.config.name, unit: read.key, answer: answer.answer.data }, `ledger: ${answer.summary}`);
      if (!answer.dispensable) return refuse(scanner, 'NOT_VERIFIED', answer.summary);
      reads.verified += 1;
      return { ok: true, kind: 'verified', summary: answer.summary };
    }
    const event = p.event;
    let appended;
    try {
      appended = outbox.append((seq) => Buffer.from(signer.signText(seq, event), 'utf8'));
    } catch (e) {
      return refuse(scanner, 'OUTBOX_FAILED', (e as Error).message);
    }
    try {
      await appended.durable;
    } catch (e) {
      return refuse(scanner, 'OUTBOX_FAILED', (e as Error).message);
    }
    reads.recorded += 1;
    const bizStep = String(event.bizStep ?? '');
    logger.debug({ scanner: scanner.config.name, seq: appended.seq, bizStep, unit: read.key }, 'read recorded');
    return { ok: true, kind: 'event', seq: appended.seq, eventID: String(event.eventID), bizStep };
  };

  const showLedgerAnswer = async (scanner: ScannerRuntime, unit: UnitRead): Promise<void> => {
    if (!config.ledger.httpUrl) return;
    const answer = await verifyUnit(unit, verifyOptions(scanner));
    logger.info({ scanner: scanner.config.name, unit: `01/${unit.gtin}/21/${unit.serial}` }, `ledger: ${answer.summary}`);
  };

  const processFrame = (scanner: ScannerRuntime, frame: Frame): Promise<ReadOutcome> => {
    reads.frames += 1;
    if (frame.kind === 'overflow') {
      return Promise.resolve(refuse(scanner, 'FRAME_TOO_LONG', `a frame of ${frame.length} bytes (limit ${scanner.config.maxFrameLength}) was dropped`));
    }
    const decoded =
      scanner.config.kind === 'rfid'
        ? decodeRfidFrame(frame.bytes)
        : decodeBarcodeFrame(frame.bytes, scanner.config.symbologyIfMissing ? { symbologyIfMissing: scanner.config.symbologyIfMissing } : {});
    if (!decoded.ok) return Promise.resolve(refuse(scanner, decoded.code, decoded.message));
    const read = decoded.value;
    const now = clock();
    const prior = scanner.dedup.repeatOf(read.key, now.getTime());
    if (prior) {
      reads.duplicates += 1;
      return prior.then((o) => (o.ok ? { ok: true, kind: 'duplicate', of: o } : o));
    }
    const outcome = handleRead(scanner, read, now);
    // The window runs from when this read was taken in (its synchronous work done), so that a repeat queued behind a
    // slow first read (a cold start, a busy box) is still recognised as the same read.
    scanner.dedup.remember(read.key, Math.max(now.getTime(), clock().getTime()), outcome);
    return outcome;
  };

  for (const scanner of scanners.values()) {
    if (options.noSerial) continue;
    scanner.station = new ScannerStation({
      scanner: scanner.config,
      logger,
      process: async (frame) => (await processFrame(scanner, frame)).ok,
      ...(options.createPort ? { createPort: options.createPort } : {}),
      ...(options.reopenMs !== undefined ? { reopenMs: options.reopenMs } : {}),
    });
  }

  const goOnline = () => {
    if (link) return;
    link = makeLink();
    link.start();
  };
  if (!options.offline) goOnline();
  for (const scanner of scanners.values()) scanner.station?.start();
  logger.info(
    { device: config.device, location: config.site.location, scanners: config.scanners.map((s) => `${s.name}:${s.mode}@${s.path}`), nextSeq: outbox.nextSeq, pending: outbox.pending },
    'gateway started',
  );

  return {
    config,
    outbox,
    recalls,
    submitFrame(name, input) {
      const scanner = scanners.get(name);
      if (!scanner) return Promise.reject(new Error(`no scanner named ${name}`));
      return processFrame(scanner, asFrame(input));
    },
    status() {
      return {
        device: config.device,
        link: link?.state ?? 'offline',
        scanners: [...scanners.values()].map((s) => ({
          name: s.config.name,
          mode: s.config.mode,
          connected: s.station?.connected ?? false,
          pendingReads: s.station?.pendingReads ?? 0,
        })),
        reads: { ...reads },
        refusedByCode: { ...refusedByCode },
        outbox: {
          pending: outbox.pending,
          queued: outbox.queued,
          inFlight: link?.inFlight ?? 0,
          nextSeq: outbox.nextSeq,
          ackedThrough: outbox.ackedThrough,
          segments: outbox.segmentCount,
          rejected: rejectedList.count,
        },
        receipts: link ? { ...link.counters } : undefined,
        lastReceipt: link?.lastReceipt,
        recalls: recalls.recallCount,
        suspects: recalls.suspectCount,
        checkpointSize,
        memory: (() => {
          const m = process.memoryUsage();
          const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
          return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
        })(),
      };
    },
    whenDrained() {
      return link ? link.whenDrained() : new Promise(() => {});
    },
    goOnline,
    async stop() {
      // Stop reading, answer what was read, stop publishing, make the outbox state durable.
      await Promise.all([...scanners.values()].map((s) => s.station?.stop()));
      await link?.stop();
      await outbox.close();
      await seqReservation.release(outbox.nextSeq);
      await suspectStore.flush();
      logger.info({ pending: outbox.pending }, 'gateway stopped');
    },
  };
}
