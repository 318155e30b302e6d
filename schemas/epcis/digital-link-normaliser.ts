// Rewrites a GS1 Digital Link URI on any domain into the constrained canonical form the CBV 2.0 event hash uses.
//
// CBV 2.0 "Event hash ID" (the step "convert every EPC URI, EPC class URI and Digital Link URI into a
// canonical GS1 Digital Link URI"), as GS1's reference implementation RalphTro/epcis-event-hash-generator
// does it in `dl_normaliser.py` (the http(s) branch): drop the query string, map short key names to AIs,
// move to https://id.gs1.org, pad GTINs to 14 digits, drop the CPV (22) and, when a serial is present, the
// lot (10); then accept only the canonical shapes. Anything else is left as it was (returns undefined).
// EPC URNs are not handled here: schemas/gs1/epc-uri.ts converts those.
//
// Input is attacker-controlled; every pattern below is linear (one unbounded class, then literals).

// The reference accepts `^https?:` … `/<key>/dddd…` with the key before any '?' or '#' (its other
// alternative, a bare 10-letter path, can never yield a canonical link). Tested as a scan, not a
// backtracking pattern: values are attacker-controlled.
const KEY_PATH = /\/(?:01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai)\/\d{4}[^/]/;

function hasDigitalLinkShape(value: string): boolean {
  if (!value.startsWith('https:') && !value.startsWith('http:')) return false;
  const key = KEY_PATH.exec(value);
  if (!key) return false;
  const query = value.search(/[?#]/);
  return query === -1 || key.index < query;
}

const SHORT_NAMES: readonly (readonly [string, string])[] = [
  ['/gtin/', '/01/'],
  ['/itip/', '/8006/'],
  ['/cpid/', '/8010/'],
  ['/gln/', '/414/'],
  ['/party/', '/417/'],
  ['/gsrnp/', '/8017/'],
  ['/gsrn/', '/8018/'],
  ['/gcn/', '/255/'],
  ['/sscc/', '/00/'],
  ['/gdti/', '/253/'],
  ['/ginc/', '/401/'],
  ['/gsin/', '/402/'],
  ['/grai/', '/8003/'],
  ['/giai/', '/8004/'],
  ['/cpv/', '/22/'],
  ['/lot/', '/10/'],
  ['/ser/', '/21/'],
];

const CANONICAL_PREFIX = /^https:\/\/id\.gs1\.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^/]+)/;

/** Primary keys in the order the reference looks for them when moving a URI to id.gs1.org. */
const PRIMARY_KEYS = ['/00/', '/01/', '/253/', '/255/', '/401/', '/402/', '/414/', '/417/', '/8003/', '/8004/', '/8006/', '/8010/', '/8017/', '/8018/'];

// GS1 GenSpecs §7.11 CSET 82 subset the reference allows in serials, lots and other alphanumeric keys.
const C = `[\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]`;
const ID = '^https:\\/\\/id\\.gs1\\.org\\/';

const CPV_LAST = new RegExp(`${ID}(8006\\/\\d{18}|01\\/\\d{14})\\/22\\/(${C}{0,20})$`);
const CPV_INNER = new RegExp(`${ID}(8006\\/\\d{18}|01\\/\\d{14})\\/22\\/([\\x2F\\x22\\x27\\x2D\\x2E\\x30-\\x39\\x3B-\\x3F\\x41-\\x5A\\x5F\\x61-\\x7A]{0,20})$`);
const LOT_AND_SERIAL = new RegExp(`${ID}(8006\\/\\d{18}|01\\/\\d{14})\\/10\\/(${C}{0,20})\\/21\\/(${C}{0,20})$`);

const CANONICAL_FORMS: readonly RegExp[] = [
  new RegExp(`${ID}00\\/(\\d{18})$`),
  new RegExp(`${ID}01\\/(\\d{14})\\/21\\/(${C}{0,20})$`),
  new RegExp(`${ID}01\\/(\\d{14})\\/10\\/(${C}{0,20})$`),
  new RegExp(`${ID}01\\/(\\d{14})$`),
  new RegExp(`${ID}01\\/(\\d{14})\\/235\\/(${C}{0,28})$`),
  new RegExp(`${ID}253\\/(\\d{13})(${C}{0,17})$`),
  new RegExp(`${ID}255\\/(\\d{13})(\\d{0,12})$`),
  new RegExp(`${ID}401\\/(${C}{0,30})$`),
  new RegExp(`${ID}402\\/(\\d{17})$`),
  new RegExp(`${ID}414\\/(\\d{13})$`),
  new RegExp(`${ID}414\\/(\\d{13})\\/254\\/(${C}{0,20})$`),
  new RegExp(`${ID}417\\/(\\d{13})$`),
  new RegExp(`${ID}8003\\/(\\d{14})(${C}{0,16})$`),
  new RegExp(`${ID}8004\\/(${C}{0,30})$`),
  new RegExp(`${ID}8006\\/(\\d{18})\\/21\\/(${C}{0,20})$`),
  new RegExp(`${ID}8006\\/(\\d{18})\\/10\\/(${C}{0,20})$`),
  new RegExp(`${ID}8006\\/(\\d{18})$`),
  new RegExp(`${ID}8010\\/([\\x23\\x2D\\x2F\\x30-\\x39\\x41-\\x5A]{0,30})\\/8011\\/(\\d{0,12})$`),
  new RegExp(`${ID}8010\\/([\\x23\\x2D\\x2F\\x30-\\x39\\x41-\\x5A]{0,30})$`),
  new RegExp(`${ID}8017\\/(\\d{18})$`),
  new RegExp(`${ID}8018\\/(\\d{18})$`),
];

// Already-canonical unit, SSCC, SGLN and PGLN links (no '/', '?' or '#' in the values): every step above
// leaves them as they are, so they skip the general path. This is most of what Pedigree hashes.
const P = String.raw`[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3E\x41-\x5A\x5F\x61-\x7A]{0,20}`;
const ALREADY_CANONICAL = new RegExp(String.raw`${ID}(?:01\/\d{14}\/21\/${P}|00\/\d{18}|414\/\d{13}(?:\/254\/${P})?|417\/\d{13})$`);

/**
 * The canonical `https://id.gs1.org/…` form of a Digital Link URI (attacker-controlled), or undefined
 * when the value is not a Digital Link the hash algorithm recognises (it is then hashed as written).
 */
export function normaliseDigitalLink(value: string): string | undefined {
  if (ALREADY_CANONICAL.test(value)) return value;
  if (!hasDigitalLinkShape(value)) return undefined;
  let uri = value;
  const query = uri.indexOf('?');
  if (query >= 0) uri = uri.slice(0, query);
  for (const [short, ai] of SHORT_NAMES) if (uri.includes(short)) uri = uri.split(short).join(ai);

  if (!CANONICAL_PREFIX.test(uri)) {
    for (const key of PRIMARY_KEYS) {
      const at = uri.indexOf(key);
      if (at !== -1) {
        uri = `https://id.gs1.org${uri.slice(at)}`;
        break;
      }
    }
  }

  // GS1 GenSpecs: GTIN-8/12/13 are written as GTIN-14 with leading zeros.
  if (!/^https:\/\/id\.gs1\.org\/01\/\d{14}/.test(uri)) {
    if (/^https:\/\/id\.gs1\.org\/01\/\d{13}/.test(uri)) uri = uri.split('/01/').join('/01/0');
    else if (/^https:\/\/id\.gs1\.org\/01\/\d{12}/.test(uri)) uri = uri.split('/01/').join('/01/00');
    else if (/^https:\/\/id\.gs1\.org\/01\/\d{8}/.test(uri)) uri = uri.split('/01/').join('/01/000000');
  }

  // The consumer product variant (22) does not identify the object: drop it.
  const cpvAt = uri.indexOf('/22/');
  const afterCpv = uri.slice(cpvAt + 4);
  if (CPV_LAST.test(uri)) {
    uri = uri.slice(0, cpvAt);
  } else if (CPV_INNER.test(uri)) {
    const slash = afterCpv.indexOf('/');
    uri = uri.slice(0, cpvAt) + (slash === -1 ? afterCpv.slice(-1) : afterCpv.slice(slash));
  }

  // Only the finest identification level counts: with a serial (21), the lot (10) goes.
  if (LOT_AND_SERIAL.test(uri)) {
    const lotAt = uri.indexOf('/10/');
    const afterLot = uri.slice(lotAt + 4);
    uri = uri.slice(0, lotAt) + afterLot.slice(afterLot.indexOf('/'));
  }

  return CANONICAL_FORMS.some((form) => form.test(uri)) ? uri : undefined;
}
