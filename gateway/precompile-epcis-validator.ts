// Build time only (build-bundle.ts): ajv standalone code for `#/definitions/EPCIS-Document-Event` of GS1's EPCIS 2.0
// JSON Schema, compiled with the options schemas/epcis/validate.ts uses, as an ES module whose default export is the
// validate function. Never imported by the running gateway (ajv's code generator is what the bundle leaves out).
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import schema from '../schemas/epcis/EPCIS-JSON-Schema.json' with { type: 'json' };

const SCHEMA_ID = 'https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json';

type SchemaObject = Record<string, unknown>;

// CommonJS modules with `exports.default`: under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => Ajv;
const standaloneCode = ((standaloneModule as unknown as { default?: typeof standaloneModule }).default ??
  standaloneModule) as unknown as (ajv: Ajv, validate: unknown) => string;

/**
 * The string-list `uniqueItems` of epcList and persistentDisposition get `type: "string"` beside their `$ref`, as in
 * schemas/epcis/validate.ts: the referenced definitions are strings already, so acceptance is unchanged, and ajv then
 * checks uniqueness with a hash map instead of comparing every pair.
 */
function withLinearUniqueItems(source: SchemaObject): SchemaObject {
  const copy = structuredClone(source);
  const definitions = copy['definitions'] as Record<string, SchemaObject>;
  const disposition = (definitions['persistentDisposition']?.['allOf'] as SchemaObject[] | undefined)?.[0]?.['properties'] as
    | Record<string, SchemaObject>
    | undefined;
  for (const list of [definitions['epcList'], disposition?.['set'], disposition?.['unset']]) {
    const items = list?.['items'] as SchemaObject | undefined;
    if (!list || list['uniqueItems'] !== true || !items || typeof items['$ref'] !== 'string') {
      throw new Error('EPCIS JSON Schema layout changed: revisit withLinearUniqueItems');
    }
    items['type'] = 'string';
  }
  return copy;
}

/** ES module source: `export default function (data) → boolean`. */
export function precompileEpcisEventValidator(): string {
  const ajv = new Ajv({
    allErrors: false,
    strict: false,
    validateFormats: true,
    validateSchema: false,
    code: { source: true, esm: true },
  });
  addFormats(ajv, ['uri', 'date-time']);
  ajv.addSchema(withLinearUniqueItems(schema as SchemaObject), SCHEMA_ID);
  const event = ajv.compile({ $ref: `${SCHEMA_ID}#/definitions/EPCIS-Document-Event` });
  return standaloneCode(ajv, event);
}
