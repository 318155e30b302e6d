// A gateway's recall acknowledgement from MQTT (server/domain/receive-recall-ack.ts), against in-memory ports: recorded
// for the party owning the device's location, or refused with a code (nothing thrown) whatever the input.
import { describe, expect, it } from 'vitest';
import { signDeviceMessage } from '../../../schemas/signing/device-message.js';
import { generateKeyPair } from '../../../schemas/signing/keys.js';
import { topics } from '../../../schemas/topics.js';
import { receiveRecallAck } from '../../../server/domain/receive-recall-ack.js';
import type { DeviceRecord, RecallRecord, RecallSiteRecord } from '../../../server/domain/ports.js';

const RECALL = 'rcl-00000000000000aa';
const old = generateKeyPair();
const current = generateKeyPair();
const devices = new Map<string, DeviceRecord>([
  ['gw-ph', { device: 'gw-ph', location: 'https://id.gs1.org/414/9521234500017/254/counter', party: '9521234500017', status: 'active', keys: [{ keyNo: 1, publicKey: old.publicKey, fromSeq: 0 }, { keyNo: 2, publicKey: current.publicKey, fromSeq: 500 }] }],
  ['gw-gone', { device: 'gw-gone', location: 'https://id.gs1.org/414/9521234500024', party: '9521234500024', status: 'revoked', keys: [{ keyNo: 1, publicKey: current.publicKey, fromSeq: 0 }] }],
]);

function setup() {
  const acks: { id: string; site: string; device: string | null; tokenId: number | null }[] = [];
  const o = {
    devices: { findDevice: async (d: string) => devices.get(d) },
    clock: { now: () => new Date('2026-11-24T09:00:00.000Z') },
    recalls: {
      findRecall: async (id: string) => (id === RECALL ? ({ id } as RecallRecord) : undefined),
      acknowledge: async (id: string, site: string, a: { tokenId: number | null; device: string | null; note: string | null; at: string }): Promise<RecallSiteRecord> => {
        acks.push({ id, site, device: a.device, tokenId: a.tokenId });
        return { site, notifiedAt: null, acknowledgedAt: a.at, note: a.note, acknowledgedByDevice: a.device };
      },
    },
  };
  return { o, acks };
}

const ack = (device: string, secretKey: Uint8Array, recallId = RECALL, topicDevice = device) =>
  new TextEncoder().encode(JSON.stringify(signDeviceMessage('recall-ack', { recallId, ackedAt: '2026-11-24T08:59:00Z' }, secretKey, topics.deviceRecallAcks(topicDevice))));

describe('receiving a recall acknowledgement', () => {
  it('records it for the site owning the device, signed with its current key', async () => {
    const { o, acks } = setup();
    const r = await receiveRecallAck(o, topics.deviceRecallAcks('gw-ph'), ack('gw-ph', current.secretKey));
    expect(r).toMatchObject({ ok: true, device: 'gw-ph', recallId: RECALL, site: { site: '9521234500017', acknowledgedByDevice: 'gw-ph' } });
    expect(acks).toEqual([{ id: RECALL, site: '9521234500017', device: 'gw-ph', tokenId: null }]);
  });

  it.each([
    ['signed with a key the device rotated away from', () => ack('gw-ph', old.secretKey), 'gw-ph', 'SIGNATURE_INVALID'],
    ['from a revoked device', () => ack('gw-gone', current.secretKey), 'gw-gone', 'DEVICE_REVOKED'],
    ['from a device never enrolled', () => ack('gw-nobody', current.secretKey), 'gw-nobody', 'UNKNOWN_DEVICE'],
    ['for a recall that does not exist', () => ack('gw-ph', current.secretKey, 'rcl-00000000000000bb'), 'gw-ph', 'RECALL_NOT_FOUND'],
    ['signed for another device’s topic', () => ack('gw-ph', current.secretKey, RECALL, 'gw-other'), 'gw-ph', 'TOPIC_DEVICE_MISMATCH'],
    ['that is not JSON', () => new TextEncoder().encode('{'), 'gw-ph', 'INVALID_JSON'],
    ['that is not UTF-8', () => Uint8Array.of(0xff, 0xfe), 'gw-ph', 'INVALID_JSON'],
    ['that is not a device message', () => new TextEncoder().encode('{"v":1}'), 'gw-ph', 'DEVICE_MESSAGE_INVALID'],
    ['that is far too large', () => new Uint8Array(100_000), 'gw-ph', 'PAYLOAD_TOO_LARGE'],
  ])('refuses one %s', async (_name, payload, device, code) => {
    const { o, acks } = setup();
    const r = await receiveRecallAck(o, topics.deviceRecallAcks(device), payload());
    expect(r).toMatchObject({ ok: false, code, device });
    expect(acks).toEqual([]);
  });

  it('refuses a topic that is not a recall-acks topic', async () => {
    const { o } = setup();
    expect(await receiveRecallAck(o, topics.deviceEvents('gw-ph'), ack('gw-ph', current.secretKey))).toMatchObject({ ok: false, code: 'TOPIC_DEVICE_MISMATCH', device: null });
  });
});
