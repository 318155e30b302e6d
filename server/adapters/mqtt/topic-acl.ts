// Who may publish and subscribe what on the broker (DESIGN.md §4 "Access"): one pure rule set, enforced by the
// embedded broker and rendered into Mosquitto's ACL file, so both brokers refuse the same things.
import { DEVICE_ID_PATTERN, topics } from '../../../schemas/topics.js';

/**
 * An authenticated MQTT client. `ledger` is the ledger server's own client; `device` a gateway enrolled at one
 * site; `observer` a read-only party (a witness following recalls and checkpoints).
 */
export type Principal =
  | { readonly kind: 'ledger' }
  | { readonly kind: 'device'; readonly device: string; readonly siteGln: string }
  | { readonly kind: 'observer' };

export type PrincipalKind = Principal['kind'];

export type AclAccess = 'publish' | 'subscribe';

/** Stands, as a whole topic level, for the principal's own device id (Mosquitto's `%u`: username = device id). */
export const DEVICE_LEVEL = '{device}';
/** Stands, as a whole topic level, for the GLN of the device's site. */
export const GLN_LEVEL = '{gln}';

export interface AclRule {
  readonly principal: PrincipalKind;
  readonly access: AclAccess;
  /** An MQTT topic filter; `subscribe` also grants receiving what it matches. */
  readonly filter: string;
}

/**
 * The whole access policy. Anything not granted here is refused. Only the ledger publishes what gateways act
 * on (receipts, alerts, recalls, checkpoints); a device publishes only its own events and recall acknowledgements. Recall ids are a single
 * level (`topics.recall`), so `recalls/#` grants no more than `recalls/+` plus the parent level.
 */
export const ACL_RULES: readonly AclRule[] = [
  { principal: 'ledger', access: 'publish', filter: topics.deviceReceipts('+') },
  { principal: 'ledger', access: 'publish', filter: topics.siteAlerts('+') },
  { principal: 'ledger', access: 'publish', filter: topics.allRecalls },
  { principal: 'ledger', access: 'publish', filter: topics.checkpoint },
  // `$share/{group}/…` (DESIGN.md §4 scale-out) is checked on the filter after the group, ledger only.
  { principal: 'ledger', access: 'subscribe', filter: topics.allDeviceEvents },
  { principal: 'ledger', access: 'subscribe', filter: topics.allDeviceRecallAcks },

  { principal: 'device', access: 'publish', filter: topics.deviceEvents(DEVICE_LEVEL) },
  { principal: 'device', access: 'publish', filter: topics.deviceRecallAcks(DEVICE_LEVEL) },
  { principal: 'device', access: 'subscribe', filter: topics.deviceReceipts(DEVICE_LEVEL) },
  { principal: 'device', access: 'subscribe', filter: topics.siteAlerts(GLN_LEVEL) },
  { principal: 'device', access: 'subscribe', filter: topics.recall('#') },
  { principal: 'device', access: 'subscribe', filter: topics.checkpoint },

  { principal: 'observer', access: 'subscribe', filter: topics.recall('#') },
  { principal: 'observer', access: 'subscribe', filter: topics.checkpoint },
];

/** A principal's grants, resolved once (at CONNECT) and then checked for every packet. */
export interface TopicAcl {
  /** May this client PUBLISH to `topic`? Attacker-controlled topic. */
  canPublish(topic: string): boolean;
  /** Is every topic that `filter` can match one this client may receive? Attacker-controlled filter. */
  canSubscribe(filter: string): boolean;
  /** May a message on `topic` be delivered to this client (checked again at delivery, as Mosquitto does)? */
  canReceive(topic: string): boolean;
}

const SHARE_PREFIX = '$share/';
/** MQTT 3.1.1 §1.5.3: strings are at most 65,535 bytes of UTF-8. */
const MAX_TOPIC_BYTES = 65_535;

/** The grants of `principal`, with `{device}` and `{gln}` filled in; none for a malformed principal. */
export function grantedFilters(principal: Principal, access: AclAccess): string[] {
  if (!isWellFormedPrincipal(principal)) return [];
  return ACL_RULES.filter((r) => r.principal === principal.kind && r.access === access).flatMap((r) => {
    const filter = fillFilter(r.filter, principal);
    return filter === undefined ? [] : [filter];
  });
}

/**
 * `template` with its `{device}` and `{gln}` levels replaced by the principal's own; undefined when the
 * principal has no value for a level or a value that is not a safe topic level (a `+`, `#` or `/` in a device
 * id would widen the grant: CVE-2017-7650 in Mosquitto's `%u`).
 */
export function fillFilter(template: string, principal: Principal): string | undefined {
  const out: string[] = [];
  for (const level of template.split('/')) {
    if (level !== DEVICE_LEVEL && level !== GLN_LEVEL) {
      out.push(level);
      continue;
    }
    if (principal.kind !== 'device') return undefined;
    const value = level === DEVICE_LEVEL ? principal.device : principal.siteGln;
    if (!DEVICE_ID_PATTERN.test(value)) return undefined;
    out.push(value);
  }
  return out.join('/');
}

/** A device id and GLN become topic levels, so they must be safe ones (DEVICE_ID_PATTERN). */
export function isWellFormedPrincipal(principal: Principal): boolean {
  if (principal.kind !== 'device') return true;
  return DEVICE_ID_PATTERN.test(principal.device) && DEVICE_ID_PATTERN.test(principal.siteGln);
}

/** Does `template` contain the `{device}` level (Mosquitto renders it as a `%u` pattern)? */
export function namesDevice(template: string): boolean {
  return template.split('/').includes(DEVICE_LEVEL);
}

export function topicAcl(principal: Principal): TopicAcl {
  const publish = grantedFilters(principal, 'publish').map(levels);
  const subscribe = grantedFilters(principal, 'subscribe').map(levels);
  const matchesAny = (granted: string[][], topic: string): boolean => {
    if (!isTopicName(topic)) return false;
    const t = levels(topic);
    return granted.some((g) => filterMatches(g, t));
  };
  return {
    canPublish: (topic) => matchesAny(publish, topic),
    canReceive: (topic) => matchesAny(subscribe, topic),
    canSubscribe: (filter) => {
      let f = filter;
      if (f.startsWith(SHARE_PREFIX)) {
        // MQTT 5 §4.8.2: `$share/{ShareName}/{filter}`; only the ledger's processes share a subscription.
        if (principal.kind !== 'ledger') return false;
        const rest = f.slice(SHARE_PREFIX.length);
        const slash = rest.indexOf('/');
        const group = rest.slice(0, slash);
        if (slash <= 0 || /[+#]/.test(group)) return false;
        f = rest.slice(slash + 1);
      }
      if (!isTopicFilter(f)) return false;
      const requested = levels(f);
      return subscribe.some((g) => filterCovers(g, requested));
    },
  };
}

export function canPublish(principal: Principal, topic: string): boolean {
  return topicAcl(principal).canPublish(topic);
}

export function canSubscribe(principal: Principal, filter: string): boolean {
  return topicAcl(principal).canSubscribe(filter);
}

export function canReceive(principal: Principal, topic: string): boolean {
  return topicAcl(principal).canReceive(topic);
}

function levels(s: string): string[] {
  return s.split('/');
}

function isWellFormed(s: string): boolean {
  // MQTT-4.7.3-1 (non-empty), MQTT-1.5.3-2 (no U+0000), MQTT-1.5.3-1 (length).
  return s.length > 0 && !s.includes('\u0000') && Buffer.byteLength(s, 'utf8') <= MAX_TOPIC_BYTES;
}

/** A topic name as PUBLISH carries it: no wildcards (MQTT-3.3.2-2), and none of our topics starts with `$`. */
function isTopicName(topic: string): boolean {
  return isWellFormed(topic) && !/[+#]/.test(topic) && !topic.startsWith('$');
}

/** MQTT 3.1.1 §4.7.1: `#` only as the whole last level, `+` only as a whole level. */
function isTopicFilter(filter: string): boolean {
  if (!isWellFormed(filter) || filter.startsWith('$')) return false;
  const ls = levels(filter);
  return ls.every(
    (l, i) => (l === '#' ? i === ls.length - 1 : l === '+' || !/[+#]/.test(l)),
  );
}

/** MQTT 3.1.1 §4.7: does filter `f` match topic name `t` (both split into levels)? `a/#` matches `a`. */
function filterMatches(f: readonly string[], t: readonly string[]): boolean {
  for (let i = 0; i < f.length; i++) {
    const fl = f[i];
    if (fl === '#') return true;
    const tl = t[i];
    if (tl === undefined || (fl !== '+' && fl !== tl)) return false;
  }
  return f.length === t.length;
}

/**
 * Does the granted filter `g` match every topic the requested filter `r` can match? A requested `+` is covered
 * only by a granted `+` or `#`, a requested `#` only by a granted `#`: `devices/+/receipts` is refused to a device
 * although `devices/{itself}/receipts` is granted. One grant must cover the whole request (conservative: a filter
 * only a union of grants covers is refused).
 */
function filterCovers(g: readonly string[], r: readonly string[]): boolean {
  for (let i = 0; i < g.length; i++) {
    const gl = g[i];
    if (gl === '#') return true;
    const rl = r[i];
    if (rl === undefined || rl === '#') return false;
    if (gl !== '+' && gl !== rl) return false;
  }
  return g.length === r.length;
}
