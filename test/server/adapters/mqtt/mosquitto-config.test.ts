// The Mosquitto password file and ACL rendered from the accounts and topic-acl.ts, and the shipped mosquitto.conf.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MOSQUITTO_ACL_FILE,
  MOSQUITTO_PASSWORD_FILE,
  renderMosquittoAcl,
  renderMosquittoPasswordFile,
  writeMosquittoFiles,
  type MosquittoAclAccount,
} from '../../../../server/adapters/mqtt/mosquitto-config.js';
import { hashMqttPassword, type MqttAccount } from '../../../../server/adapters/mqtt/mqtt-credentials.js';

const SHIPPED_CONF = fileURLToPath(new URL('../../../../server/adapters/mqtt/mosquitto.conf', import.meta.url));

const ledger: MosquittoAclAccount = { username: 'pedigree-ledger', principal: { kind: 'ledger' }, active: true };
const gwA: MosquittoAclAccount = {
  username: 'gw-a',
  principal: { kind: 'device', device: 'gw-a', siteGln: '4012345000009' },
  active: true,
};
const witness: MosquittoAclAccount = { username: 'witness-1', principal: { kind: 'observer' }, active: true };

describe('the ACL file', () => {
  it('gives devices their own topics by %u pattern and their site alerts, recalls and checkpoint per user', () => {
    const acl = renderMosquittoAcl([ledger, gwA, witness]);
    const lines = acl.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      'pattern write pedigree/v1/devices/%u/events',
      'pattern write pedigree/v1/devices/%u/recall-acks',
      'pattern read pedigree/v1/devices/%u/receipts',
      'user pedigree-ledger',
      'topic deny pedigree/v1/devices/pedigree-ledger/events',
      'topic deny pedigree/v1/devices/pedigree-ledger/recall-acks',
      'topic deny pedigree/v1/devices/pedigree-ledger/receipts',
      'topic write pedigree/v1/devices/+/receipts',
      'topic write pedigree/v1/sites/+/alerts',
      'topic write pedigree/v1/recalls/+',
      'topic write pedigree/v1/checkpoint',
      'topic read pedigree/v1/devices/+/events',
      'topic read pedigree/v1/devices/+/recall-acks',
      'user gw-a',
      'topic read pedigree/v1/sites/4012345000009/alerts',
      'topic read pedigree/v1/recalls/#',
      'topic read pedigree/v1/checkpoint',
      'user witness-1',
      'topic deny pedigree/v1/devices/witness-1/events',
      'topic deny pedigree/v1/devices/witness-1/recall-acks',
      'topic deny pedigree/v1/devices/witness-1/receipts',
      'topic read pedigree/v1/recalls/#',
      'topic read pedigree/v1/checkpoint',
    ]);
  });

  it('leaves revoked devices out', () => {
    const acl = renderMosquittoAcl([ledger, { ...gwA, active: false }]);
    expect(acl).not.toContain('gw-a');
  });

  it.each([
    ['a newline (a line injected into the file)', 'gw-a\ntopic readwrite #'],
    ['a space', 'gw a'],
    ['a wildcard (it would widen %u)', 'gw-+'],
    ['a slash', 'gw/a'],
    ['a colon', 'gw:a'],
  ])('refuses a username with %s', (_name, username) => {
    expect(() =>
      renderMosquittoAcl([
        { username, principal: { kind: 'device', device: username, siteGln: '4012345000009' }, active: true },
      ]),
    ).toThrow();
    expect(() => renderMosquittoPasswordFile([{ username, passwordHash: '$7$101$AAAA$AAAA' }])).toThrow();
  });

  it("refuses a device whose username is not its device id (%u would name another device's topics)", () => {
    expect(() => renderMosquittoAcl([{ ...gwA, username: 'gw-b' }])).toThrow(/device id/);
  });

  it('refuses a site GLN that is not a plain topic level, and a username given twice', () => {
    expect(() =>
      renderMosquittoAcl([{ ...gwA, principal: { kind: 'device', device: 'gw-a', siteGln: '+' } }]),
    ).toThrow();
    expect(() => renderMosquittoAcl([gwA, gwA])).toThrow(/twice/);
  });
});

describe('the password file', () => {
  it('has one username:$7$ line per account', async () => {
    const hash = await hashMqttPassword('secret');
    expect(renderMosquittoPasswordFile([{ username: 'gw-a', passwordHash: hash }])).toBe(`gw-a:${hash}\n`);
  });

  it('refuses a plaintext password or another hash scheme', () => {
    expect(() => renderMosquittoPasswordFile([{ username: 'gw-a', passwordHash: 'secret' }])).toThrow(/\$7\$/);
  });
});

describe('writeMosquittoFiles', () => {
  it('writes both files, mode 0600, with the ledger and the active accounts only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pedigree-mosquitto-files-'));
    try {
      const passwordHash = await hashMqttPassword('secret');
      const accounts: MqttAccount[] = [
        { ...gwA, passwordHash },
        {
          username: 'gw-old',
          principal: { kind: 'device', device: 'gw-old', siteGln: '4012345000009' },
          passwordHash,
          active: false,
        },
      ];
      const files = await writeMosquittoFiles(dir, accounts, { username: 'pedigree-ledger', passwordHash });
      expect(files).toEqual({
        passwordFile: join(dir, MOSQUITTO_PASSWORD_FILE),
        aclFile: join(dir, MOSQUITTO_ACL_FILE),
      });
      const passwd = await readFile(files.passwordFile, 'utf8');
      expect(passwd.split('\n').map((l) => l.split(':')[0])).toEqual(['pedigree-ledger', 'gw-a', '']);
      expect(await readFile(files.aclFile, 'utf8')).toContain('user gw-a\n');
      expect(await readFile(files.aclFile, 'utf8')).not.toContain('gw-old');
      for (const file of Object.values(files)) expect((await stat(file)).mode & 0o777).toBe(0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the shipped mosquitto.conf', () => {
  it('refuses anonymous clients, names the written files and raises the queue limits', async () => {
    const conf = await readFile(SHIPPED_CONF, 'utf8');
    const settings = new Map(
      conf
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#'))
        .map((l) => [l.split(' ')[0]!, l.slice(l.indexOf(' ') + 1)] as const),
    );
    expect(settings.get('allow_anonymous')).toBe('false');
    expect(settings.get('password_file')).toBe(MOSQUITTO_PASSWORD_FILE);
    expect(settings.get('acl_file')).toBe(MOSQUITTO_ACL_FILE);
    expect(settings.get('listener')).toBe('1883');
    expect(Number(settings.get('max_queued_messages'))).toBeGreaterThanOrEqual(100_000);
  });
});
