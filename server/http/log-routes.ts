// The log's public read API (DESIGN.md §5): checkpoint, verifier key, entries, inclusion and consistency proofs.
import { Hono } from 'hono';
import { base64 } from './base64.js';
import type { LedgerSigner, LedgerStore, StoredEntryRow } from '../domain/ports.js';
import { getEntry, findEntriesByEventId } from '../domain/get-entry.js';
import { proveInclusion } from '../domain/prove-inclusion.js';
import { proveConsistency } from '../domain/prove-consistency.js';
import { PedigreeError } from '../domain/pedigree-error.js';
import type { CheckpointCache } from '../domain/checkpoint-cache.js';
import { parseIndexParam, parseOptionalIndexParam } from './query-params.js';

export interface LogRoutesOptions {
  readonly store: LedgerStore;
  readonly signer: LedgerSigner;
  /** The latest checkpoint without a read per request (checkpoint-cache.ts); default: read the store each time. */
  readonly checkpoints?: CheckpointCache;
}

function entryJson(e: StoredEntryRow) {
  let entry: unknown;
  try {
    entry = JSON.parse(new TextDecoder().decode(e.bytes));
  } catch {
    entry = null;
  }
  return { index: e.index, leafHash: base64(e.leafHash), bytes: base64(e.bytes), entry };
}

export function logRoutes({ store, signer, checkpoints }: LogRoutesOptions): Hono {
  const app = new Hono();
  app.get('/v1/checkpoint', async (c) => {
    const cp = checkpoints ? await checkpoints.get() : await store.latestCheckpoint();
    if (!cp) throw new PedigreeError('NOT_FOUND', 'the log is empty: no checkpoint has been signed yet');
    c.header('Cache-Control', 'no-cache');
    return c.text(cp.note);
  });
  app.get('/v1/verifier-key', (c) => c.text(`${signer.verifierKey}\n`));
  app.get('/v1/entries/:index', async (c) => c.json(entryJson(await getEntry(store, parseIndexParam(c.req.param('index'), 'index')))));
  app.get('/v1/entries', async (c) => {
    const eventId = c.req.query('eventID');
    if (eventId === undefined) throw new PedigreeError('BAD_REQUEST', 'give ?eventID=… or GET /v1/entries/{index}');
    const found = await findEntriesByEventId(store, eventId);
    return c.json({ entries: found.map(entryJson) });
  });
  app.get('/v1/proofs/inclusion', async (c) => {
    const index = parseIndexParam(c.req.query('index'), 'index');
    const size = parseOptionalIndexParam(c.req.query('size'), 'size');
    const p = await proveInclusion(store, index, size, checkpoints);
    return c.json({ index: p.index, size: p.size, leafHash: base64(p.leafHash), hashes: p.hashes.map(base64) });
  });
  app.get('/v1/proofs/consistency', async (c) => {
    const from = parseIndexParam(c.req.query('from'), 'from');
    const to = parseIndexParam(c.req.query('to'), 'to');
    const p = await proveConsistency(store, from, to, checkpoints);
    return c.json({ from: p.from, to: p.to, hashes: p.hashes.map(base64) });
  });
  return app;
}
