// EPCIS event validation in the gateway bundle: GS1's JSON Schema compiled ahead of time (ajv standalone code, made
// by precompile-epcis-validator.ts when `npm run build:gateway` runs) answers the common case, a valid event.
//
// Compiling the schema with ajv at start-up costs an edge box about 15 MB of RSS for the rest of its life (V8 parses
// and compiles the generated validator, and the freed compiler memory is not given back); the precompiled code is
// compiled lazily, function by function, as events exercise it (< 1 MB). Only a refusal goes to
// schemas/epcis/validate.ts, which compiles the schema then, so a refused event gets exactly the errors it gets
// everywhere else. test/gateway/gateway-bundle.test.ts checks the two agree on GS1's and OpenEPCIS's events.
import { ok } from '../schemas/result.js';
import type { EpcisValidationResult } from '../schemas/epcis/validate.js';

/** An ajv standalone validate function: true when the data conforms. */
export type PrecompiledValidator = (data: unknown) => boolean;

export function withPrecompiledEventValidator(
  precompiled: PrecompiledValidator,
  validateEpcisEvent: (event: unknown) => EpcisValidationResult<unknown>,
  maxContextEntries: number,
): (event: unknown) => EpcisValidationResult<unknown> {
  return (event) => {
    // validate.ts refuses an over-long @context before the schema (it guards ajv's pairwise uniqueItems); so does this.
    const context = event !== null && typeof event === 'object' ? (event as { '@context'?: unknown })['@context'] : undefined;
    const contextTooLong = Array.isArray(context) && context.length > maxContextEntries;
    if (!contextTooLong && precompiled(event)) return ok(event);
    return validateEpcisEvent(event);
  };
}
