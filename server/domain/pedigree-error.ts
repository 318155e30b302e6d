// A refused command (STYLE.md habit 8): a stable code the HTTP edge maps to a status, and a message saying what to do.

export const COMMAND_ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'INVALID_GLN',
  'INVALID_SGLN',
  'INVALID_PUBLIC_KEY',
  'INVALID_DEVICE_ID',
  'INVALID_ROLE',
  'PARTY_EXISTS',
  'PARTY_NOT_FOUND',
  'LOCATION_EXISTS',
  'LOCATION_NOT_FOUND',
  'DEVICE_EXISTS',
  'DEVICE_NOT_FOUND',
  'DEVICE_ALREADY_REVOKED',
  'ENTRY_NOT_FOUND',
  'INDEX_OUT_OF_RANGE',
  'SIZE_OUT_OF_RANGE',
  'INVALID_RANGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'UNAVAILABLE',
  'ALERT_RESOLVED',
  'TOKEN_NOT_FOUND',
  'TOKEN_ALREADY_REVOKED',
  'LAST_ADMIN_TOKEN',
  'INVALID_COMPANY_PREFIX',
  'PREFIX_TAKEN',
  'PARTY_TOKEN_REQUIRED',
  'RECALL_NOT_FOUND',
  'RECALL_CLOSED',
  'RECALL_UNITS_OUTSTANDING',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

export class PedigreeError extends Error {
  readonly code: CommandErrorCode;
  constructor(code: CommandErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PedigreeError';
    this.code = code;
  }
}
