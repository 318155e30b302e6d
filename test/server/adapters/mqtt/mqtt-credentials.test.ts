// Device MQTT credentials: generated once, stored as Mosquitto's $7$ PBKDF2-SHA512 hash, verified by either broker.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  MQTT_PBKDF2_ITERATIONS,
  generateMqttPassword,
  hashMqttPassword,
  isMqttPasswordHash,
  verifyMqttPassword,
} from '../../../../server/adapters/mqtt/mqtt-credentials.js';

const mosquittoPasswd = [
  '/usr/bin/mosquitto_passwd',
  '/usr/local/bin/mosquitto_passwd',
  '/opt/homebrew/bin/mosquitto_passwd',
].find((p) => existsSync(p));

describe('a generated password', () => {
  it('is 24 random bytes in base64url', () => {
    const a = generateMqttPassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(24);
    expect(generateMqttPassword()).not.toBe(a);
  });
});

describe('a stored hash', () => {
  it('has the layout mosquitto_passwd writes: $7$101$<12-byte salt>$<64-byte PBKDF2-SHA512>', async () => {
    const stored = await hashMqttPassword(generateMqttPassword());
    const [empty, seven, iterations, salt, hash, ...rest] = stored.split('$');
    expect([empty, seven, iterations, rest]).toEqual(['', '7', String(MQTT_PBKDF2_ITERATIONS), []]);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(12);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(64);
    expect(isMqttPasswordHash(stored)).toBe(true);
  });

  it('is salted: the same password hashes differently each time', async () => {
    const password = generateMqttPassword();
    expect(await hashMqttPassword(password)).not.toBe(await hashMqttPassword(password));
  });

  it('verifies the right password, given as text or as the bytes of a CONNECT packet', async () => {
    const password = generateMqttPassword();
    const stored = await hashMqttPassword(password);
    expect(await verifyMqttPassword(password, stored)).toBe(true);
    expect(await verifyMqttPassword(Buffer.from(password), stored)).toBe(true);
  });

  it('refuses a wrong, empty or truncated password', async () => {
    const password = generateMqttPassword();
    const stored = await hashMqttPassword(password);
    expect(await verifyMqttPassword(generateMqttPassword(), stored)).toBe(false);
    expect(await verifyMqttPassword('', stored)).toBe(false);
    expect(await verifyMqttPassword(password.slice(0, -1), stored)).toBe(false);
  });

  it.each([
    ['plaintext', 'secret'],
    ['another scheme', '$6$salt$hash'],
    ['no iterations', '$7$$U1/nsMw3g6Go7v5a$aZGS'],
    ['a hash of the wrong length', '$7$101$U1/nsMw3g6Go7v5a$aZGSjINFqC7gdJ+73c26CA=='],
    ['an absurd iteration count', `$7$99999999$U1/nsMw3g6Go7v5a$${Buffer.alloc(64).toString('base64')}`],
    ['nothing', ''],
  ])('is refused, never thrown on, when it is %s', async (_name, stored) => {
    expect(isMqttPasswordHash(stored)).toBe(false);
    expect(await verifyMqttPassword('secret', stored)).toBe(false);
  });
});

describe.skipIf(mosquittoPasswd === undefined)(
  `a line written by mosquitto_passwd${mosquittoPasswd ? '' : ' (skipped: mosquitto_passwd is not installed)'}`,
  () => {
    it('verifies with verifyMqttPassword, so both sides agree on the format', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pedigree-passwd-'));
      try {
        const file = join(dir, 'passwd');
        const password = generateMqttPassword();
        await promisify(execFile)(mosquittoPasswd!, ['-c', '-b', file, 'gw-a', password]);
        const [username, stored] = (await readFile(file, 'utf8')).trim().split(':');
        expect(username).toBe('gw-a');
        expect(isMqttPasswordHash(stored!)).toBe(true);
        expect(await verifyMqttPassword(password, stored!)).toBe(true);
        expect(await verifyMqttPassword(generateMqttPassword(), stored!)).toBe(false);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
