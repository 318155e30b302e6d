// `npm run gateway -- …`: run a gateway from site.json, generate its key, enrol it, list what the ledger rejected.
//
//   npm run gateway -- --config site.json [--json]             run (Ctrl-C stops cleanly)
//   npm run gateway -- keygen --config site.json [--force]     write the device key, print the public key
//   npm run gateway -- enroll --config site.json --admin-token T [--create-site]
//   npm run gateway -- rejected --config site.json             the local rejected list
//
// On an edge box: `npm run build:gateway` once (after every update), then `npm run gateway:start -- --config
// site.json`: the same commands, bundled and run by plain node within 80 MB (build-bundle.ts).
import { parseArgs } from 'node:util';
import { pino, type Logger } from 'pino';
import { adminTokenFrom, loadGatewayConfig, type GatewayConfig } from './config.js';
import { generateDeviceKey, loadCredentials, loadLedgerTrust, loadSecretKey } from './device-files.js';
import { enrollGateway } from './enroll.js';
import { startGateway } from './gateway.js';
import { readRejected } from './rejected-list.js';
import { formatStatusLine } from './status-line.js';

const USAGE = `usage: npm run gateway -- [run|keygen|enroll|rejected] --config site.json [options]
  run       (default) read the scanners, sign, store, publish; --json for JSON logs
  keygen    write the device key (keyFile in site.json); --force replaces an existing one
  enroll    register the device with the ledger; --admin-token T (or PEDIGREE_ADMIN_TOKEN), --create-site
  rejected  print the envelopes the ledger rejected
production: npm run build:gateway, then npm run gateway:start -- [command] --config site.json (same commands)`;

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** Compact human-readable log lines for the operator's terminal (pino JSON with --json). */
function humanDestination(write: (line: string) => void) {
  return {
    write(json: string) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(json) as Record<string, unknown>;
      } catch {
        write(json);
        return;
      }
      const { level, time, msg, pid: _pid, hostname: _host, ...rest } = o;
      const t = new Date(typeof time === 'number' ? time : Date.now()).toISOString().slice(11, 19);
      const fields = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${t} ${(LEVEL_NAMES[level as number] ?? String(level)).padEnd(5)} ${String(msg ?? '')}${fields ? `  ${fields}` : ''}\n`);
    },
  };
}

function fail(message: string): never {
  process.stderr.write(`gateway: ${message}\n`);
  process.exit(2);
}

function configOrExit(path: string | undefined): GatewayConfig {
  const loaded = loadGatewayConfig(path, process.env);
  if (!loaded.ok) fail(loaded.message);
  return loaded.config;
}

async function run(config: GatewayConfig, json: boolean, statusMs: number): Promise<void> {
  const tty = !json && process.stderr.isTTY === true;
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) process.stderr.write('\r\x1b[K');
    statusShown = false;
  };
  const logger: Logger = json
    ? pino({ level: config.logLevel })
    : pino(
        { level: config.logLevel },
        humanDestination((line) => {
          clearStatus();
          process.stderr.write(line);
        }),
      );
  let secretKey: Uint8Array;
  let credentials;
  let trust;
  try {
    secretKey = loadSecretKey(config.keyFile);
    credentials = loadCredentials(config.credentialsFile);
    trust = loadLedgerTrust(config);
  } catch (e) {
    fail((e as Error).message);
  }
  const gateway = await startGateway({ config, secretKey, credentials, trust, logger });
  let ticks = 0;
  const timer = setInterval(() => {
    const status = gateway.status();
    ticks += 1;
    if (json) logger.info({ status }, 'status');
    else if (tty) {
      clearStatus();
      process.stderr.write(formatStatusLine(status).slice(0, (process.stderr.columns ?? 200) - 1));
      statusShown = true;
    } else if (ticks % 10 === 0) logger.info(formatStatusLine(status)); // a log file: every 10 intervals
  }, statusMs);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    clearStatus();
    logger.info({ signal }, 'stopping');
    await gateway.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
      'admin-token': { type: 'string' },
      'create-site': { type: 'boolean', default: false },
      'status-interval': { type: 'string', default: '1000' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = positionals[0] ?? 'run';
  const config = configOrExit(values.config);
  switch (command) {
    case 'run':
      await run(config, values.json, Math.max(200, Number(values['status-interval']) || 1000));
      return;
    case 'keygen': {
      try {
        const publicKey = generateDeviceKey(config.keyFile, { force: values.force });
        process.stdout.write(`${JSON.stringify({ device: config.device, keyFile: config.keyFile, publicKey })}\n`);
      } catch (e) {
        fail((e as Error).message);
      }
      return;
    }
    case 'enroll': {
      const adminToken = adminTokenFrom(values['admin-token'], process.env);
      if (!adminToken) fail('enroll needs --admin-token or PEDIGREE_ADMIN_TOKEN');
      try {
        const r = await enrollGateway(config, { adminToken, createSite: values['create-site'] });
        process.stdout.write(`${JSON.stringify({ device: r.device, location: r.location, publicKey: r.publicKey, credentialsFile: config.credentialsFile })}\n`);
      } catch (e) {
        fail((e as Error).message);
      }
      return;
    }
    case 'rejected':
      for (const r of readRejected(config.dataDir)) process.stdout.write(`${JSON.stringify({ at: r.at, seq: r.seq, code: r.code, eventID: r.eventID })}\n`);
      return;
    default:
      fail(`unknown command ${command}\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((e: unknown) => fail((e as Error)?.stack ?? String(e)));
