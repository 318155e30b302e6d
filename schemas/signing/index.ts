// Browser-safe signing contracts. verify-envelope.ts (node:crypto, server only) is deliberately not re-exported.
export * from './encoding.js';
export * from './canonical-bytes.js';
export * from './ed25519.js';
export * from './keys.js';
export * from './envelope.js';
export * from './merkle.js';
export * from './signed-note.js';
export * from './checkpoint.js';
export * from './cosignature.js';
export * from './tlog-proof.js';
export * from './ledger-message.js';
export * from './device-message.js';
