// `npm run pedigree -- <command>`: the admin's command line. Registry verbs go through the HTTP API with the admin
// token; store-level commands (audit, mosquitto-config, rebuild-state) open the store directly.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { callAdminApi } from './admin-client.js';
import { runAudit } from './run-audit.js';
import { runRebuildState } from './run-rebuild-state.js';
import { writeMosquittoConfig } from './write-mosquitto-files.js';

type Flags = Record<string, string | boolean | undefined>;

interface Command {
  readonly usage: string;
  readonly flags: Record<string, { type: 'string' | 'boolean' }>;
  run(flags: Flags, config: Config): Promise<number>;
}

function required(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v === '') throw new Error(`missing --${name}`);
  return v;
}

function api(flags: Flags, config: Config) {
  return {
    url: typeof flags.url === 'string' ? flags.url : `http://${config.httpHost}:${config.httpPort}`,
    token: typeof flags.token === 'string' ? flags.token : config.adminToken,
  };
}

async function printApi(result: Promise<{ ok: boolean; status: number; body: unknown }>): Promise<number> {
  const r = await result;
  const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2);
  (r.ok ? process.stdout : process.stderr).write(`${text}\n`);
  return r.ok ? 0 : 1;
}

const HTTP_FLAGS = { url: { type: 'string' }, token: { type: 'string' } } as const;

export const COMMANDS: Record<string, Command> = {
  'party create': {
    usage: 'party create --gln GLN --name NAME --role manufacturer|distributor|pharmacy|regulator',
    flags: { ...HTTP_FLAGS, gln: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' } },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'POST', '/v1/parties', { gln: required(f, 'gln'), name: required(f, 'name'), role: required(f, 'role') })),
  },
  'location create': {
    usage: 'location create --sgln SGLN --party GLN --name NAME',
    flags: { ...HTTP_FLAGS, sgln: { type: 'string' }, party: { type: 'string' }, name: { type: 'string' } },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'POST', '/v1/locations', { sgln: required(f, 'sgln'), party: required(f, 'party'), name: required(f, 'name') })),
  },
  'device enroll': {
    usage: 'device enroll --device ID --location SGLN --public-key BASE64URL   (prints the MQTT credentials once)',
    flags: { ...HTTP_FLAGS, device: { type: 'string' }, location: { type: 'string' }, 'public-key': { type: 'string' } },
    run: (f, c) =>
      printApi(callAdminApi(api(f, c), 'POST', '/v1/devices', { device: required(f, 'device'), location: required(f, 'location'), publicKey: required(f, 'public-key') })),
  },
  'device revoke': {
    usage: 'device revoke --device ID',
    flags: { ...HTTP_FLAGS, device: { type: 'string' } },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'POST', `/v1/devices/${encodeURIComponent(required(f, 'device'))}/revoke`)),
  },
  'device rotate': {
    usage: 'device rotate --device ID --public-key BASE64URL [--from-seq N]',
    flags: { ...HTTP_FLAGS, device: { type: 'string' }, 'public-key': { type: 'string' }, 'from-seq': { type: 'string' } },
    run: (f, c) =>
      printApi(
        callAdminApi(api(f, c), 'POST', `/v1/devices/${encodeURIComponent(required(f, 'device'))}/rotate`, {
          publicKey: required(f, 'public-key'),
          ...(typeof f['from-seq'] === 'string' ? { fromSeq: Number(f['from-seq']) } : {}),
        }),
      ),
  },
  'device list': {
    usage: 'device list',
    flags: { ...HTTP_FLAGS },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'GET', '/v1/devices')),
  },
  'token create': {
    usage: 'token create --party GLN --role ROLE   (prints the token once)',
    flags: { ...HTTP_FLAGS, party: { type: 'string' }, role: { type: 'string' } },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'POST', '/v1/tokens', { party: f.party, role: required(f, 'role') })),
  },
  'token revoke': {
    usage: 'token revoke --id ID   (the id printed by token create or token list; takes effect at once)',
    flags: { ...HTTP_FLAGS, id: { type: 'string' } },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'POST', `/v1/tokens/${encodeURIComponent(required(f, 'id'))}/revoke`)),
  },
  'token list': {
    usage: 'token list   (ids, parties, roles, revoked; never the tokens themselves)',
    flags: { ...HTTP_FLAGS },
    run: (f, c) => printApi(callAdminApi(api(f, c), 'GET', '/v1/tokens')),
  },
  'party add-prefix': {
    usage: 'party add-prefix --gln GLN --prefix GCP   (a manufacturer\'s GS1 Company Prefix: it sees the pedigree of its GTINs)',
    flags: { ...HTTP_FLAGS, gln: { type: 'string' }, prefix: { type: 'string' } },
    run: (f, c) =>
      printApi(callAdminApi(api(f, c), 'POST', `/v1/parties/${encodeURIComponent(required(f, 'gln'))}/company-prefixes`, { prefix: required(f, 'prefix') })),
  },
  'mosquitto-config': {
    usage: 'mosquitto-config --out DIR --ledger-password PASSWORD   (writes pedigree.passwd and pedigree.acl for mosquitto.conf)',
    flags: { out: { type: 'string' }, 'ledger-username': { type: 'string' }, 'ledger-password': { type: 'string' } },
    async run(f, c) {
      const out = required(f, 'out');
      const r = await writeMosquittoConfig(c, out, {
        username: typeof f['ledger-username'] === 'string' ? f['ledger-username'] : 'pedigree-ledger',
        password: required(f, 'ledger-password'),
      });
      process.stdout.write(`wrote ${r.passwordFile} and ${r.aclFile} for ${r.devices} device(s); see server/adapters/mqtt/mosquitto.conf\n`);
      return 0;
    },
  },
  audit: {
    usage: 'audit   (stop a PGlite ledger first; PostgreSQL can be audited while running)',
    flags: {},
    async run(_f, c) {
      const r = await runAudit(c, (line) => process.stderr.write(`\r${line}`));
      process.stderr.write('\n');
      if (r.ok) {
        process.stdout.write(`OK: ${r.entries} entries, ${r.signatures} signatures, ${r.nodes} tree nodes, ${r.checkpoints} checkpoints verified\n`);
        return 0;
      }
      process.stdout.write(`FAILED at index ${r.index}: ${r.problem}: ${r.detail}\n`);
      return 1;
    },
  },
  'rebuild-state': {
    usage: 'rebuild-state   (replays the log into unit state, steps and alerts; stop a PGlite ledger first)',
    flags: {},
    async run(_f, c) {
      const r = await runRebuildState(c, (line) => process.stderr.write(`\r${line}`));
      process.stderr.write('\n');
      process.stdout.write(`OK: ${r.entries} entries replayed, ${r.alertsRaised} alerts new, ${r.alertsResolved} no longer raised and resolved\n`);
      return 0;
    },
  },
};

function usage(): string {
  return ['usage: npm run pedigree -- <command> [flags]', '', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`), ''].join('\n');
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const name = [argv.slice(0, 2).join(' '), argv[0] ?? ''].find((n) => n in COMMANDS);
  if (!name) {
    process.stderr.write(usage());
    return argv.length === 0 || argv[0] === 'help' ? 0 : 2;
  }
  const command = COMMANDS[name]!;
  const rest = argv.slice(name.split(' ').length);
  const loaded = loadConfig();
  if (!loaded.ok) {
    process.stderr.write(`pedigree: ${loaded.message}\n`);
    return 2;
  }
  try {
    const { values } = parseArgs({ args: [...rest], options: command.flags, strict: true, allowPositionals: false });
    return await command.run(values as Flags, loaded.config);
  } catch (e) {
    process.stderr.write(`pedigree ${name}: ${(e as Error).message}\nusage: npm run pedigree -- ${command.usage}\n`);
    return 2;
  }
}

process.exitCode = await runCli(process.argv.slice(2));
