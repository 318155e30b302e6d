// A worker thread of the data set loader (load-dataset.ts): for a block of units, fills the event templates, signs each
// envelope with its device's Ed25519 key, hashes leaf and CBV 2.0 event hash ID, folds each unit's custody state with
// the server's own rules, and returns the COPY text of every table but tree_nodes (the main thread builds the tree).
//
// Written for speed (5 million entries): templates are pre-split at their placeholders and written straight into
// byte buffers, the signed text is built once in a scratch buffer and becomes the envelope in place, and the output
// buffers are transferred, not copied; the garbage collector was taking a fifth of the time when this built strings.
import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { hashIdFromDigestHex } from '../../schemas/epcis/event-hash.js';
import { foldSteps, type FoldStep } from '../../server/domain/custody-fold.js';
import { emptyState, type CustodyFacts, type UnitState } from '../../server/domain/custody-model.js';
import {
  BASE_MS,
  EVENT_SIGNING_PREFIX,
  SEQ_PLACEHOLDER,
  SERIAL_PLACEHOLDER,
  TIME_PLACEHOLDER,
  STAGES,
  copyText,
  planEntry,
  serialOf,
  type BlockJob,
  type BlockResult,
  type WorkerInit,
} from './load-dataset-plan.js';

const init = workerData as WorkerInit;
const keys: KeyObject[] = init.sites.map((s) => createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: s.jwk.d, x: s.jwk.x }, format: 'jwk' }));

/** A template cut at its placeholders: literal bytes, and slots for the serial, the time and the seq. */
type Part = Buffer | 'serial' | 'time' | 'seq';

function split(text: string, seq: boolean): Part[] {
  if (/[\\\t\n\r]/.test(text)) throw new Error('a template needs COPY escaping; the fast path does not escape');
  const out: Part[] = [];
  const marks = [SERIAL_PLACEHOLDER, TIME_PLACEHOLDER, ...(seq ? [`"seq":${SEQ_PLACEHOLDER}`] : [])];
  let rest = text;
  for (;;) {
    let at = -1;
    let which = -1;
    marks.forEach((m, i) => {
      const k = rest.indexOf(m);
      if (k >= 0 && (at < 0 || k < at)) [at, which] = [k, i];
    });
    if (at < 0) break;
    if (at > 0) out.push(Buffer.from(rest.slice(0, at), 'utf8'));
    if (which === 2) {
      out.push(Buffer.from('"seq":', 'utf8'), 'seq');
    } else out.push(which === 0 ? 'serial' : 'time');
    rest = rest.slice(at + marks[which]!.length);
  }
  if (rest.length > 0) out.push(Buffer.from(rest, 'utf8'));
  return out;
}

const templates = init.templates.map((t) => ({
  signing: split(t.signing, true),
  json: split(t.json, false),
  preHash: split(t.preHash, false),
  facts: t.facts,
  factsTail: Buffer.from(t.factsTail, 'utf8'),
  stepsTail: Buffer.from(t.stepsTail, 'utf8'),
}));
const devices = init.sites.map((s) => Buffer.from(s.device, 'utf8'));
const glns = init.sites.map((s) => Buffer.from(s.gln, 'utf8'));

/** Appends bytes to a list of large buffers (allocated outside Node's pool, so they can be transferred). */
class Out {
  readonly chunks: Uint8Array[] = [];
  #buf: Buffer;
  #pos = 0;
  constructor(readonly chunkSize: number) {
    this.#buf = Buffer.allocUnsafeSlow(chunkSize);
  }
  #room(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.chunks.push(this.#buf.subarray(0, this.#pos));
    this.#buf = Buffer.allocUnsafeSlow(Math.max(this.chunkSize, n));
    this.#pos = 0;
  }
  /** ASCII text (every value here is: digits, GLNs, URLs, hex, ISO times). */
  text(s: string): void {
    this.#room(s.length);
    this.#pos += this.#buf.write(s, this.#pos, 'latin1');
  }
  bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }
  /** Lower-case hex of `b` (native: a JS loop over the bytes was 3 times slower). */
  hex(b: Buffer): void {
    this.text(b.toString('hex'));
  }
  parts(parts: readonly Part[], serial: string, time: string, seq: string): void {
    for (const p of parts) {
      if (typeof p !== 'string') this.bytes(p);
      else this.text(p === 'serial' ? serial : p === 'time' ? time : seq);
    }
  }
  finish(): Uint8Array[] {
    if (this.#pos > 0) this.chunks.push(this.#buf.subarray(0, this.#pos));
    this.#pos = 0;
    return this.chunks;
  }
}

/** Scratch for the signed text (the context line, then JCS of the envelope without sig) and the pre-hash. */
const SCRATCH = Buffer.allocUnsafeSlow(1 << 16);
const PRE_HASH = Buffer.allocUnsafeSlow(1 << 16);
const PREFIX = SCRATCH.write(EVENT_SIGNING_PREFIX, 0, 'latin1');
const V_TAIL = '"v":1}'.length;

function writeParts(buf: Buffer, pos: number, parts: readonly Part[], serial: string, time: string, seq: string): number {
  for (const p of parts) {
    if (typeof p !== 'string') {
      buf.set(p, pos);
      pos += p.length;
    } else pos += buf.write(p === 'serial' ? serial : p === 'time' ? time : seq, pos, 'latin1');
  }
  return pos;
}

const n = (v: number | null) => (v === null ? '\\N' : String(v));

function stateLine(s: UnitState): string {
  return [
    copyText(s.epc), s.kind, copyText(s.gtin), copyText(s.serial), copyText(s.sscc), s.state, n(s.commissionedIndex), copyText(s.lot),
    copyText(s.expiry), copyText(s.owner), copyText(s.custodian), copyText(s.location), n(s.custodyIndex), copyText(s.destinationParty),
    copyText(s.destinationLocation), n(s.shipIndex), n(s.terminalIndex), copyText(s.container), n(s.containerIndex), String(s.recalled),
    n(s.recallIndex), String(s.quarantined), String(s.unknownAlerted), String(s.lastIndex), s.lastEventTime,
  ].join('\t');
}

function runBlock(job: BlockJob): BlockResult {
  const seqs = Int32Array.from(job.seqStart);
  const total = job.units * STAGES;
  const leaves = Buffer.allocUnsafeSlow(total * 32);
  const entries = new Out(total * 3200);
  const facts = new Out(total * 400);
  const steps = new Out(total * 160);
  const links = new Out(total * 100);
  const heads = new Out(job.units * 80);
  const states = new Out(job.units * 500);
  const perUnit: FoldStep[][] = Array.from({ length: job.units }, () => []);
  const lastIdx = new Array<number>(job.units).fill(-1);
  const epcPrefix = `https://id.gs1.org/01/${init.gtin}/21/`;
  for (let k = 0; k < total; k++) {
    const idx = job.firstIdx + k;
    const u = k % job.units;
    const unit = job.firstUnit + u;
    const plan = planEntry(init.layout, unit, Math.floor(k / job.units));
    const tpl = templates[plan.template]!;
    const seq = String(seqs[plan.site]!++);
    const time = new Date(BASE_MS + idx * 1000).toISOString();
    const serial = serialOf(unit);

    // Signed text in place after the context line; the envelope is the same JCS with `sig` spliced in before `v`
    // (keys sort device, event, seq, sig, v), so it is built over the signed text's tail.
    const end = writeParts(SCRATCH, PREFIX, tpl.signing, serial, time, seq);
    const sig = sign(null, SCRATCH.subarray(0, end), keys[plan.site]!).toString('base64url');
    let e = end - V_TAIL;
    e += SCRATCH.write(`"sig":"${sig}","v":1}`, e, 'latin1');
    SCRATCH[PREFIX - 1] = 0; // RFC 6962 leaf prefix, over the context line's last byte
    const leaf = createHash('sha256').update(SCRATCH.subarray(PREFIX - 1, e)).digest();
    leaf.copy(leaves, k * 32);
    entries.text(`${idx}\t\\\\x`);
    entries.hex(leaf);
    entries.text('\t\\\\x');
    entries.hex(SCRATCH.subarray(PREFIX, e));
    SCRATCH[PREFIX - 1] = 0x0a;
    const preEnd = writeParts(PRE_HASH, 0, tpl.preHash, serial, time, seq);
    const eventId = hashIdFromDigestHex(createHash('sha256').update(PRE_HASH.subarray(0, preEnd)).digest('hex'));
    entries.text('\tdevice\t');
    entries.bytes(devices[plan.site]!);
    entries.text(`\t${seq}\t${eventId}\t${time}\t`);
    entries.parts(tpl.json, serial, time, seq);
    entries.text('\t');
    entries.bytes(glns[plan.site]!);
    entries.text('\n');

    const epc = epcPrefix + serial;
    const date = time.slice(0, 10);
    facts.text(`${idx}\t${time}\t${date}\t`);
    facts.bytes(tpl.factsTail);
    facts.text('\n');
    steps.text(`${epc}\t${idx}\t${time}\tobject\t\\N\t\\N\t\\N\t`);
    steps.bytes(tpl.stepsTail);
    steps.text('\n');
    links.text(`${epc}\t${idx}\t${lastIdx[u]! < 0 ? '\\N' : lastIdx[u]}\n`);
    lastIdx[u] = idx;
    const f: CustodyFacts = { ...tpl.facts, index: idx, eventTime: time, eventDate: date };
    perUnit[u]!.push({ step: { epc, index: idx, eventTime: time, role: 'object', via: null, lot: null, expiry: null }, facts: f });
  }
  for (let u = 0; u < job.units; u++) {
    const list = perUnit[u]!;
    const epc = list[0]!.step.epc;
    const folded = foldSteps(emptyState(epc), list);
    if (folded.raised.length > 0) throw new Error(`unit ${epc}: the custody rules raised ${folded.raised[0]!.code}: the plan is not a clean supply chain`);
    states.text(`${stateLine(folded.state)}\n`);
    heads.text(`${epc}\t${lastIdx[u]}\n`);
  }
  return {
    id: job.id,
    leaves,
    copy: { entries: entries.finish(), facts: facts.finish(), steps: steps.finish(), links: links.finish(), heads: heads.finish(), states: states.finish() },
  };
}

parentPort!.on('message', (job: BlockJob) => {
  try {
    const r = runBlock(job);
    const transfer = new Set<ArrayBuffer>([r.leaves.buffer as ArrayBuffer]);
    for (const list of Object.values(r.copy)) for (const b of list) transfer.add(b.buffer as ArrayBuffer);
    parentPort!.postMessage(r, [...transfer]);
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: (e as Error).stack ?? String(e) });
  }
});
