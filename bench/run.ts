// `npm run bench [-- <name> [flags]]`: runs one benchmark (schemas, ingest, custody, proofs, verify, gateway, recall) or all.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const all = ['schemas', 'ingest', 'custody', 'proofs', 'verify', 'gateway', 'recall'];
const [name, ...flags] = process.argv.slice(2);
const names = name && !name.startsWith('-') ? [name] : all;
let failed = 0;
for (const n of names) {
  const script = fileURLToPath(new URL(`./${n}/run.ts`, import.meta.url));
  if (!existsSync(script)) {
    console.error(`bench: no benchmark "${n}" (have: ${all.join(', ')})`);
    failed++;
    continue;
  }
  console.error(`\n=== bench/${n} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, ...(name === n ? flags : [])], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
