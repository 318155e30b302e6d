// Runs the simulated supply chain against a running ledger, each site's gateway in its own process:
//   npx tsx firmware-sim/main.ts --http http://127.0.0.1:8080 --mqtt mqtt://127.0.0.1:1883 --admin-token T
//     [--work-dir ./sim-data] [--cycles N] [--recall-after-s 60] [--seed 1]
// Ctrl-C stops it (gateways finish what they read and stop cleanly).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gatewayProcessLauncher } from './gateway-process.js';
import { startSupplyChain } from './supply-chain.js';

const { values } = parseArgs({
  options: {
    http: { type: 'string', default: 'http://127.0.0.1:8080' },
    mqtt: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
    'admin-token': { type: 'string' },
    'work-dir': { type: 'string', default: './sim-data' },
    cycles: { type: 'string' },
    'recall-after-s': { type: 'string' },
    seed: { type: 'string' },
  },
});
const adminToken = values['admin-token'];
if (!adminToken) {
  process.stderr.write('firmware-sim: --admin-token is required (the ledger admin token, to create sites and enrol gateways)\n');
  process.exit(2);
}
const repoRoot = resolve(import.meta.dirname, '..');
const chain = await startSupplyChain({
  httpUrl: values.http,
  mqttUrl: values.mqtt,
  adminToken,
  workDir: resolve(values['work-dir']),
  launchGateway: gatewayProcessLauncher({ repoRoot, adminToken }),
  faults: { cloneAtCycle: 3, unknownSerialAtCycle: 4, wrongLotAtCycle: 5, unplugAtCycle: 6 },
  ...(values['recall-after-s'] !== undefined ? { recallAfterMs: Number(values['recall-after-s']) * 1000 } : {}),
  ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  onLog: (message, detail) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`),
});
const summary = setInterval(() => {
  const s = chain.stats;
  process.stdout.write(`cycles ${s.cycles} scans ${s.scans} ack ${s.acks} nak ${s.naks} faults ${s.faults.length}\n`);
}, 5000);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  clearInterval(summary);
  await chain.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (values.cycles !== undefined) {
  for (let i = 0; i < Number(values.cycles); i++) await chain.runCycle();
  await stop();
} else {
  await chain.run();
}
