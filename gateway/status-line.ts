// The operator's status: one compact line (reads, pending in outbox, last receipt, connection), refreshed in place.
import type { GatewayStatus } from './gateway.js';

function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
}

export function formatStatusLine(status: GatewayStatus, now: Date = new Date()): string {
  const scanners = status.scanners.map((s) => `${s.name}:${s.mode}${s.connected ? '' : '(unplugged)'}`).join(' ');
  const r = status.reads;
  const last = status.lastReceipt
    ? `#${status.lastReceipt.seq} ${status.lastReceipt.status}${status.lastReceipt.code ? ` ${status.lastReceipt.code}` : ''} ${ago(status.lastReceipt.at, now)}`
    : 'none';
  return [
    `${status.device} [${status.link}]`,
    `reads ${r.frames} ok ${r.recorded} dup ${r.duplicates} refused ${r.refused}`,
    `outbox ${status.outbox.pending} pending ${status.outbox.inFlight} in flight`,
    `receipt ${last}`,
    status.outbox.rejected > 0 ? `REJECTED ${status.outbox.rejected}` : '',
    status.recalls > 0 ? `recalls ${status.recalls}` : '',
    status.suspects > 0 ? `suspect ${status.suspects}` : '',
    status.checkpointSize !== undefined ? `log ${status.checkpointSize}` : '',
    scanners,
  ]
    .filter((p) => p !== '')
    .join(' | ');
}
