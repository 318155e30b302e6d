// Validation of the GS1 identifiers admins and clients name (GLN, SGLN), as domain errors with stable codes.
import { hasValidCheckDigit } from '../../schemas/gs1/check-digit.js';
import { canonicalIdentifier } from './event-identifiers.js';
import { PedigreeError } from './pedigree-error.js';

/** A GLN is 13 digits with a valid GS1 mod-10 check digit (GS1 GenSpecs §3.4.2). */
export function requireGln(gln: unknown, field = 'gln'): string {
  if (typeof gln !== 'string' || !/^[0-9]{13}$/.test(gln) || !hasValidCheckDigit(gln)) {
    throw new PedigreeError('INVALID_GLN', `${field} must be a 13-digit GLN with a valid check digit`);
  }
  return gln;
}

/**
 * An SGLN as a Digital Link (`https://id.gs1.org/414/{gln}[/254/{ext}]`) or an EPC URN (`urn:epc:id:sgln:…`),
 * returned in canonical Digital Link form.
 */
export function requireSgln(sgln: unknown, field = 'sgln'): { sgln: string; gln: string } {
  const canonical = typeof sgln === 'string' ? canonicalIdentifier(sgln) : undefined;
  const m = canonical ? /^https:\/\/id\.gs1\.org\/414\/([0-9]{13})(?:\/254\/[^/?#]+)?$/.exec(canonical) : null;
  if (!canonical || !m) {
    throw new PedigreeError(
      'INVALID_SGLN',
      `${field} must be an SGLN, e.g. https://id.gs1.org/414/9521234500009/254/dock-1 or urn:epc:id:sgln:952123.450000.dock-1`,
    );
  }
  return { sgln: canonical, gln: m[1]! };
}
