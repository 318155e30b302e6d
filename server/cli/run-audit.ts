// `npm run audit`: opens the store directly (stop a PGlite ledger first; PostgreSQL can be audited live).
import { join } from 'node:path';
import type { Config } from '../config.js';
import { openSqlClient } from '../adapters/db/sql-client.js';
import { createSqlLedgerStore } from '../adapters/db/ledger-store.js';
import { createSqlRegistryStore } from '../adapters/db/registry-store.js';
import { loadOrCreateLedgerKey } from '../adapters/ledger-key-file.js';
import { createLedgerSigner } from '../adapters/ledger-signer.js';
import { ed25519NoteVerifier } from '../../schemas/signing/signed-note.js';
import { Ed25519KeyCache } from '../../schemas/signing/verify-envelope.js';
import { auditLog, type AuditResult } from '../domain/audit-log.js';

export async function runAudit(config: Config, progress: (line: string) => void): Promise<AuditResult> {
  const sql = await openSqlClient({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pglite') });
  try {
    const key = loadOrCreateLedgerKey(config.ledgerKeyFile ?? join(config.dataDir, 'ledger.key'));
    const signer = createLedgerSigner({ origin: config.logOrigin, secretKey: key.secretKey });
    const keys = new Ed25519KeyCache();
    const started = Date.now();
    return await auditLog({
      store: createSqlLedgerStore(sql),
      devices: createSqlRegistryStore(sql),
      origin: config.logOrigin,
      logVerifier: ed25519NoteVerifier({ name: config.logOrigin, publicKey: signer.publicKey }),
      ledgerPublicKey: signer.publicKey,
      keyObject: (k) => {
        const r = keys.get(k.publicKey);
        return r.ok ? r.value : k.publicKey;
      },
      onProgress: (done, total) => {
        const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
        progress(`audit: ${done}/${total} entries (${rate}/s)`);
      },
    });
  } finally {
    await sql.close();
  }
}
