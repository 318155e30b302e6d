// The broker access policy (DESIGN.md §4 "Access"): every topic of the contract against every kind of principal.
import { describe, expect, it } from 'vitest';
import { topics } from '../../../../schemas/topics.js';
import {
  canPublish,
  canReceive,
  canSubscribe,
  grantedFilters,
  type Principal,
} from '../../../../server/adapters/mqtt/topic-acl.js';

const ledger: Principal = { kind: 'ledger' };
const deviceA: Principal = { kind: 'device', device: 'gw-a', siteGln: '4012345000009' };
const observer: Principal = { kind: 'observer' };

/** Each topic of DESIGN.md §4, named from device A's point of view. */
const contract = {
  ownEvents: topics.deviceEvents('gw-a'),
  otherEvents: topics.deviceEvents('gw-b'),
  ownRecallAcks: topics.deviceRecallAcks('gw-a'),
  otherRecallAcks: topics.deviceRecallAcks('gw-b'),
  ownReceipts: topics.deviceReceipts('gw-a'),
  otherReceipts: topics.deviceReceipts('gw-b'),
  ownSiteAlerts: topics.siteAlerts('4012345000009'),
  otherSiteAlerts: topics.siteAlerts('4012345000016'),
  recall: topics.recall('R-2024-0001'),
  checkpoint: topics.checkpoint,
} as const;
type ContractTopic = keyof typeof contract;

const expected: Record<Principal['kind'], { publish: ContractTopic[]; receive: ContractTopic[] }> = {
  ledger: {
    publish: ['ownReceipts', 'otherReceipts', 'ownSiteAlerts', 'otherSiteAlerts', 'recall', 'checkpoint'],
    receive: ['ownEvents', 'otherEvents', 'ownRecallAcks', 'otherRecallAcks'],
  },
  device: { publish: ['ownEvents', 'ownRecallAcks'], receive: ['ownReceipts', 'ownSiteAlerts', 'recall', 'checkpoint'] },
  observer: { publish: [], receive: ['recall', 'checkpoint'] },
};

describe('the topics of the MQTT contract', () => {
  for (const principal of [ledger, deviceA, observer]) {
    describe(`for a ${principal.kind}`, () => {
      for (const [name, topic] of Object.entries(contract) as [ContractTopic, string][]) {
        const publishes = expected[principal.kind].publish.includes(name);
        const receives = expected[principal.kind].receive.includes(name);
        const may = (yes: boolean) => (yes ? 'may' : 'may not');
        it(`${may(publishes)} publish and ${may(receives)} subscribe to ${name} (${topic})`, () => {
          expect(canPublish(principal, topic)).toBe(publishes);
          expect(canSubscribe(principal, topic)).toBe(receives);
          expect(canReceive(principal, topic)).toBe(receives);
        });
      }
    });
  }
});

describe('when a device subscribes with wildcards', () => {
  it.each([
    '#',
    '+',
    '+/#',
    'pedigree/#',
    'pedigree/+/#',
    'pedigree/v1/#',
    'pedigree/v1/+',
    'pedigree/v1/devices/#',
    'pedigree/v1/devices/+/receipts',
    'pedigree/v1/devices/+/#',
    'pedigree/v1/devices/gw-a/#',
    'pedigree/v1/devices/gw-a/+',
    'pedigree/v1/devices/+/events',
    'pedigree/v1/sites/+/alerts',
    'pedigree/v1/sites/#',
    'pedigree/v1/+/gw-a/receipts',
    '+/v1/devices/gw-a/receipts',
    'pedigree/v1/devices/gw-b/receipts',
  ])('refuses %s, which could match another device or site', (filter) => {
    expect(canSubscribe(deviceA, filter)).toBe(false);
  });

  it.each([
    'pedigree/v1/recalls/+',
    'pedigree/v1/recalls/#',
    'pedigree/v1/recalls/R-2024-0001',
    'pedigree/v1/checkpoint',
    'pedigree/v1/devices/gw-a/receipts',
    'pedigree/v1/sites/4012345000009/alerts',
  ])('grants %s, which matches only what it may read', (filter) => {
    expect(canSubscribe(deviceA, filter)).toBe(true);
  });

  it('refuses malformed filters: # not last, + or # inside a level, an empty filter', () => {
    for (const filter of ['pedigree/v1/recalls/#/x', 'pedigree/v1/recalls/R+1', 'pedigree/v1/recalls/a#', '']) {
      expect(canSubscribe(deviceA, filter)).toBe(false);
    }
  });
});

describe('shared subscriptions ($share/{group}/{filter}, MQTT 5 §4.8.2)', () => {
  it('are granted to the ledger on the device events', () => {
    expect(canSubscribe(ledger, topics.sharedDeviceEvents)).toBe(true);
    expect(canSubscribe(ledger, '$share/pedigree/pedigree/v1/devices/gw-a/events')).toBe(true);
  });

  it('are refused to the ledger beyond what it may subscribe to, or with a malformed group', () => {
    expect(canSubscribe(ledger, '$share/pedigree/#')).toBe(false);
    expect(canSubscribe(ledger, '$share/pedigree/pedigree/v1/devices/+/receipts')).toBe(false);
    expect(canSubscribe(ledger, '$share//pedigree/v1/devices/+/events')).toBe(false);
    expect(canSubscribe(ledger, '$share/a+b/pedigree/v1/devices/+/events')).toBe(false);
    expect(canSubscribe(ledger, '$share/pedigree')).toBe(false);
  });

  it('are refused to a device, even on its own receipts', () => {
    expect(canSubscribe(deviceA, '$share/x/pedigree/v1/devices/+/events')).toBe(false);
    expect(canSubscribe(deviceA, '$share/x/pedigree/v1/devices/gw-a/receipts')).toBe(false);
    expect(canSubscribe(deviceA, '$share/x/#')).toBe(false);
  });

  it('are refused to an observer', () => {
    expect(canSubscribe(observer, '$share/x/pedigree/v1/checkpoint')).toBe(false);
  });
});

describe('when a device id or GLN would not be a plain topic level', () => {
  it.each([
    ['+', '4012345000009'],
    ['#', '4012345000009'],
    ['gw/a', '4012345000009'],
    ['gw-a\u0000', '4012345000009'],
    ['', '4012345000009'],
    ['gw-a', '+'],
    ['gw-a', '#'],
    ['gw-a', '40123/45000009'],
  ])('a device (%j at site %j) is granted nothing at all', (device, siteGln) => {
    const principal: Principal = { kind: 'device', device, siteGln };
    expect(grantedFilters(principal, 'publish')).toEqual([]);
    expect(grantedFilters(principal, 'subscribe')).toEqual([]);
    expect(canPublish(principal, topics.deviceEvents('gw-b'))).toBe(false);
    expect(canSubscribe(principal, topics.deviceReceipts('gw-b'))).toBe(false);
    expect(canSubscribe(principal, topics.checkpoint)).toBe(false);
  });
});

describe('when a publish topic is malformed', () => {
  it.each([
    ['a wildcard standing for a device', 'pedigree/v1/devices/+/events'],
    ['a multi-level wildcard', 'pedigree/v1/devices/#'],
    ['a NUL in the device id', 'pedigree/v1/devices/gw-a\u0000/events'],
    ['a trailing level', 'pedigree/v1/devices/gw-a/events/x'],
    ['a leading slash', '/pedigree/v1/devices/gw-a/events'],
    ['a $SYS topic', '$SYS/broker/clients'],
    ['nothing', ''],
  ])('a device may not publish to %s', (_name, topic) => {
    expect(canPublish(deviceA, topic)).toBe(false);
  });

  it.each([
    ['a wildcard for the device', 'pedigree/v1/devices/+/receipts'],
    ['a multi-level wildcard', 'pedigree/v1/recalls/#'],
    ['a NUL', 'pedigree/v1/checkpoint\u0000'],
    ['a recall id of two levels', 'pedigree/v1/recalls/R-1/x'],
  ])('the ledger may not publish to %s either', (_name, topic) => {
    expect(canPublish(ledger, topic)).toBe(false);
  });

  it('refuses a topic longer than MQTT allows (65,535 bytes)', () => {
    expect(canPublish(ledger, topics.recall('R'.repeat(70_000)))).toBe(false);
  });
});

describe('an observer', () => {
  it('may follow recalls and checkpoints but publish nothing, not even a checkpoint', () => {
    expect(canSubscribe(observer, topics.allRecalls)).toBe(true);
    expect(canSubscribe(observer, topics.checkpoint)).toBe(true);
    expect(canPublish(observer, topics.checkpoint)).toBe(false);
    expect(canPublish(observer, topics.recall('R-1'))).toBe(false);
    expect(canSubscribe(observer, topics.allDeviceEvents)).toBe(false);
    expect(canSubscribe(observer, '#')).toBe(false);
  });
});

describe('the ledger', () => {
  it('publishes only the ledger → device topics, and no device events', () => {
    expect(canPublish(ledger, topics.deviceEvents('gw-a'))).toBe(false);
    expect(canPublish(ledger, 'pedigree/v1/other')).toBe(false);
  });

  it('subscribes to every device events topic but to nothing wider', () => {
    expect(canSubscribe(ledger, topics.allDeviceEvents)).toBe(true);
    expect(canSubscribe(ledger, 'pedigree/v1/devices/#')).toBe(false);
    expect(canSubscribe(ledger, '#')).toBe(false);
  });
});
