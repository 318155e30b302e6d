// Strict parsing of query and path parameters (attacker-controlled): integers only in canonical decimal form.
import { PedigreeError } from '../domain/pedigree-error.js';

export function parseIndexParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new PedigreeError('BAD_REQUEST', `${name} must be a non-negative integer`);
  }
  return Number(value);
}

export function parseOptionalIndexParam(value: string | undefined, name: string): number | undefined {
  return value === undefined || value === '' ? undefined : parseIndexParam(value, name);
}
