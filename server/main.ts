// `npm start`: the ledger with its embedded broker and database (and, unless --no-sim, the simulated supply chain).
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { startLedger, StartupError } from './ledger.js';

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error(`pedigree: ${loaded.message}`);
    process.exit(2);
  }
  const config = loaded.config;
  const logger = pino({ level: config.logLevel, base: { service: 'pedigree-ledger' } });
  const noSim = process.argv.includes('--no-sim');
  let ledger;
  try {
    ledger = await startLedger(config, logger);
  } catch (e) {
    if (e instanceof StartupError) {
      console.error(`pedigree: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const lines = [
    '',
    `  Pedigree ledger is running.`,
    `  Web:        ${ledger.httpUrl}/`,
    `  Checkpoint: ${ledger.httpUrl}/v1/checkpoint`,
    `  MQTT:       ${ledger.mqttUrl}`,
    `  Verifier key: ${ledger.signer.verifierKey}`,
  ];
  if (ledger.generatedAdminToken) {
    lines.push(`  Admin token (shown once; keep it): ${ledger.generatedAdminToken}`);
  }
  if (!noSim) lines.push('  The simulated supply chain is not built yet (issue: gateway and firmware-sim); the ledger runs alone.');
  lines.push('  Stop with Ctrl-C.', '');
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the open batch and its receipts');
    await ledger.stop();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
