// `npm start`: the ledger with its embedded broker and database (and, unless --no-sim, the simulated supply chain).
import { setFlagsFromString } from 'node:v8';
import { pino } from 'pino';
import { loadConfig } from './config.js';
import { startLedger, StartupError } from './ledger.js';
import { socatAvailable, startDemo } from './start-demo.js';

/**
 * Lets V8's old generation grow to four times what survived its last full collection before the next one (unless
 * `--heap-growing-percent` is given on the command line). With its own choice the heap of a busy ledger (≈ 45 MB
 * live) was collected in full every ≈ 3 s, and each collection's concurrent marking took a core from the
 * PostgreSQL backends for ≈ 100 ms: verifications queued behind it (bench/verify at 3,000/s: p99 17.6–25.8 ms
 * without, 7.1–10.9 ms with; bench/RESULTS.md, session 8). It costs memory while busy (≈ 200 MB of heap instead of
 * ≈ 100); V8 still shrinks the heap when the ledger goes idle. Read at every full collection, so setting it here,
 * before any load, is enough.
 */
function tuneHeapGrowth(): void {
  if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) {
    setFlagsFromString('--heap-growing-percent=300');
  }
}

async function main(): Promise<void> {
  tuneHeapGrowth();
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
    `  Open ${ledger.httpUrl}/ to verify a pack (sign in with a token; the pages also show alerts, recalls and the ledger).`,
    `  HTTP API:   ${ledger.httpUrl}/v1/checkpoint  (signed checkpoint)`,
    `  MQTT:       ${ledger.mqttUrl}`,
    `  Verifier key: ${ledger.signer.verifierKey}`,
  ];
  if (ledger.generatedAdminToken) {
    lines.push(`  Admin token (shown once; keep it): ${ledger.generatedAdminToken}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let demo: { stop(): Promise<void> } | undefined;
  if (!noSim) {
    if (!socatAvailable()) {
      print('  The simulated supply chain needs socat for its serial lines (apt-get install socat); the ledger runs alone.');
    } else {
      try {
        const simLogger = logger.child({ component: 'sim' }, { level: 'warn' });
        demo = await startDemo({ httpUrl: ledger.httpUrl, mqttUrl: ledger.mqttUrl, dataDir: config.dataDir, registry: ledger.registry, logger: simLogger, print });
      } catch (e) {
        logger.error({ err: e }, 'the simulated supply chain could not start; the ledger runs alone');
      }
    }
  }
  print('  Stop with Ctrl-C.\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing the open batch and its receipts');
    await demo?.stop().catch((e) => logger.error({ err: e }, 'stopping the simulation failed'));
    await ledger.stop();
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

await main();
