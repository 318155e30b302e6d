// Renders topic-acl.ts and the stored credential hashes into Mosquitto's password file and ACL file, read by the
// shipped mosquitto.conf next to this file (DESIGN.md §4: "for Mosquitto the project ships the equivalent").
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICE_ID_PATTERN } from '../../../schemas/topics.js';
import { isMqttPasswordHash, type MqttAccount, type MqttCredential } from './mqtt-credentials.js';
import {
  ACL_RULES,
  DEVICE_LEVEL,
  fillFilter,
  isWellFormedPrincipal,
  namesDevice,
  type AclAccess,
} from './topic-acl.js';

/** File names the shipped mosquitto.conf refers to (`password_file`, `acl_file`). */
export const MOSQUITTO_PASSWORD_FILE = 'pedigree.passwd';
export const MOSQUITTO_ACL_FILE = 'pedigree.acl';

export interface MosquittoFiles {
  readonly passwordFile: string;
  readonly aclFile: string;
}

export type MosquittoAclAccount = Pick<MqttAccount, 'username' | 'principal' | 'active'>;

const MOSQUITTO_ACCESS: Readonly<Record<AclAccess, 'read' | 'write'>> = { publish: 'write', subscribe: 'read' };

/**
 * The ACL file for the active accounts, rule for rule ACL_RULES. A device connects with its device id as
 * username, so the rules naming `{device}` become `pattern … %u` lines; the others (its site's alerts: `%u` is
 * the device, not the site; recalls; the checkpoint) go in its `user` block. Patterns apply to every user, so
 * ledger and observer blocks take them back with `topic deny`. No `topic` line precedes the first `user` line:
 * there it would apply to anonymous clients only, which the shipped conf refuses.
 */
export function renderMosquittoAcl(accounts: readonly MosquittoAclAccount[]): string {
  const active = accounts.filter((a) => a.active);
  checkAccounts(active);
  const patterns = ACL_RULES.filter((r) => r.principal === 'device' && namesDevice(r.filter));
  const lines = [
    '# Pedigree broker ACL (DESIGN.md §4), generated from server/adapters/mqtt/topic-acl.ts: regenerate, do not edit.',
    ...patterns.map((r) => `pattern ${MOSQUITTO_ACCESS[r.access]} ${r.filter.replaceAll(DEVICE_LEVEL, '%u')}`),
  ];
  for (const { username, principal } of active) {
    lines.push('', `user ${username}`);
    if (principal.kind !== 'device') {
      for (const r of patterns) lines.push(`topic deny ${r.filter.replaceAll(DEVICE_LEVEL, username)}`);
    }
    for (const r of ACL_RULES) {
      if (r.principal !== principal.kind || namesDevice(r.filter)) continue;
      lines.push(`topic ${MOSQUITTO_ACCESS[r.access]} ${fillFilter(r.filter, principal)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `username:$7$…` lines, as mosquitto_passwd writes them. Pass only the accounts that may connect. */
export function renderMosquittoPasswordFile(credentials: readonly MqttCredential[]): string {
  checkUsernames(credentials.map((c) => c.username));
  for (const { username, passwordHash } of credentials) {
    if (!isMqttPasswordHash(passwordHash)) {
      throw new Error(`MQTT account ${username}: the stored password hash is not in Mosquitto's $7$ format`);
    }
  }
  return credentials.map((c) => `${c.username}:${c.passwordHash}\n`).join('');
}

/**
 * Writes `pedigree.passwd` and `pedigree.acl` into `dir` (beside the shipped mosquitto.conf) for the ledger and
 * every active account; revoked ones are left out. Each file is written whole, then renamed into place, so a
 * Mosquitto reloading on SIGHUP never reads half a file. Mode 0600: hand them to the user Mosquitto runs as.
 */
export async function writeMosquittoFiles(
  dir: string,
  accounts: readonly MqttAccount[],
  ledger: MqttCredential,
): Promise<MosquittoFiles> {
  const active = [{ ...ledger, principal: { kind: 'ledger' } as const, active: true }, ...accounts].filter(
    (a) => a.active,
  );
  // Render both before writing either: a bad account leaves the files as they were.
  const passwordText = renderMosquittoPasswordFile(active);
  const aclText = renderMosquittoAcl(active);
  const files = { passwordFile: join(dir, MOSQUITTO_PASSWORD_FILE), aclFile: join(dir, MOSQUITTO_ACL_FILE) };
  await writeAtomically(files.passwordFile, passwordText);
  await writeAtomically(files.aclFile, aclText);
  return files;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, path);
}

function checkAccounts(accounts: readonly MosquittoAclAccount[]): void {
  checkUsernames(accounts.map((a) => a.username));
  for (const { username, principal } of accounts) {
    if (principal.kind !== 'device') continue;
    if (principal.device !== username) {
      throw new Error(`MQTT account ${username}: a device's username must be its device id (${principal.device})`);
    }
    if (!isWellFormedPrincipal(principal)) {
      const gln = JSON.stringify(principal.siteGln);
      throw new Error(`MQTT account ${username}: site GLN ${gln} cannot be a topic level`);
    }
  }
}

/** Usernames are written one a line and substituted for `%u`: no spaces, newlines, `:`, `/`, `+` or `#`. */
function checkUsernames(usernames: readonly string[]): void {
  const seen = new Set<string>();
  for (const username of usernames) {
    if (!DEVICE_ID_PATTERN.test(username)) {
      throw new Error(`MQTT username ${JSON.stringify(username)} does not match ${DEVICE_ID_PATTERN}`);
    }
    if (seen.has(username)) throw new Error(`MQTT username ${username} appears twice`);
    seen.add(username);
  }
}
