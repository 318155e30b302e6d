// bench/schemas: single-core rates of the contracts every message passes through — element strings parsed,
// EPCs decoded, event hash IDs, envelopes signed (noble) and verified (noble and node:crypto).
//   npm run bench -- schemas
import { cpus } from 'node:os';
import { parseScan } from '../../schemas/gs1/scan-data.js';
import { decodeEpcHex } from '../../schemas/gs1/epc-binary.js';
import { buildCommissioningEvent } from '../../schemas/epcis/build-object-events.js';
import { computeEventHashId } from '../../schemas/epcis/event-hash.js';
import { validateEpcisEvent } from '../../schemas/epcis/validate.js';
import { signEnvelope, verifyEnvelopeNoble } from '../../schemas/signing/envelope.js';
import { verifyEnvelope, Ed25519KeyCache } from '../../schemas/signing/verify-envelope.js';
import { generateKeyPair } from '../../schemas/signing/keys.js';
import type { JsonObject } from '../../schemas/signing/canonical-bytes.js';
import { fmt, measureRate, printTable } from '../lib/stats.js';

const GS = '\u001d';
// A pharma pack as a DataMatrix scanner sends it: GTIN, serial, lot, expiry.
const scans = Array.from({ length: 1000 }, (_, i) => `]d2010950600013435221SN${100000 + i}${GS}10LOT${i % 50}${GS}17281231`);
const epcs = Array.from({ length: 1000 }, (_, i) => `3074257BF7194E4000${(0x1a85 + i).toString(16).toUpperCase().padStart(6, '0')}`);
const built = buildCommissioningEvent({
  units: [{ gtin: '09506000134352', serial: 'SN100001' }],
  lot: 'LOT7',
  expiry: '2028-12-31',
  eventTime: '2026-11-20T10:00:00.000Z',
  eventTimeZoneOffset: '+00:00',
  readPoint: { gln: '9521234500001', extension: 'line-1' },
});
if (!built.ok) throw new Error(built.message);
const event = built.value as unknown as JsonObject;
const events = Array.from({ length: 1000 }, (_, i) => ({ ...event, eventTime: new Date(Date.UTC(2026, 10, 20, 10, 0, 0, i)).toISOString() }));
const keys = generateKeyPair();
const envelopes = Array.from({ length: 200 }, (_, i) => signEnvelope({ v: 1, device: 'gw-bench', seq: i, event }, keys.secretKey));
const cache = new Ed25519KeyCache();
const keyObject = cache.get(keys.publicKey);
if (!keyObject.ok) throw new Error('key');

for (const s of scans.slice(0, 3)) if (!parseScan(s).ok) throw new Error(`scan does not parse: ${JSON.stringify(s)}`);
for (const e of epcs.slice(0, 3)) if (!decodeEpcHex(e).ok) throw new Error(`EPC does not decode: ${e}`);

const rows: [string, number, string][] = [
  ['element strings parsed (]d2 01+21+10+17)', measureRate((i) => parseScan(scans[i % 1000]!)), '≥ 200,000'],
  ['SGTIN-96 EPCs decoded', measureRate((i) => decodeEpcHex(epcs[i % 1000]!)), ''],
  ['event hash IDs (commissioning ObjectEvent)', measureRate((i) => computeEventHashId(events[i % 1000]!)), '≥ 50,000'],
  ['events validated (official JSON Schema)', measureRate((i) => validateEpcisEvent(events[i % 1000]!)), ''],
  ['envelopes signed (noble)', measureRate((i) => signEnvelope({ v: 1, device: 'gw-bench', seq: i, event }, keys.secretKey)), ''],
  ['envelopes verified (noble, browser/gateway)', measureRate((i) => verifyEnvelopeNoble(envelopes[i % 200]!, keys.publicKey)), ''],
  ['envelopes verified (node:crypto, server)', measureRate((i) => verifyEnvelope(envelopes[i % 200]!, keyObject.value)), ''],
];
console.log(`\nbench/schemas — ${new Date().toISOString()} — one core of ${cpus()[0]?.model ?? 'cpu'} — node ${process.version}\n`);
printTable(['operation', 'per second', 'target'], rows.map(([n, r, t]) => [n, fmt(r), t]));
const noble = rows[5]![1];
const node = rows[6]![1];
console.log(`\nnode:crypto verifies ${(node / noble).toFixed(1)}× faster than @noble/curves here.`);
