// Wraps events in an EPCIS 2.0 JSON-LD EPCISDocument with the official @context and the cbvmda prefix (EPCIS 2.0 JSON-LD binding).

import type { EpcisDocument, PedigreeEvent } from './event-types.js';
import { PEDIGREE_CONTEXT } from './json-ld-context.js';

export interface EpcisDocumentOptions {
  /** The document's creation time; now by default. */
  readonly creationDate?: Date;
}

/** An EPCISDocument holding `events` in order. */
export function buildEpcisDocument(events: readonly PedigreeEvent[], options: EpcisDocumentOptions = {}): EpcisDocument {
  return {
    '@context': PEDIGREE_CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: (options.creationDate ?? new Date()).toISOString(),
    epcisBody: { eventList: events },
  };
}
