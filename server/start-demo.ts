// The simulated supply chain `npm start` runs beside the ledger: one manufacturer, two distributors, three
// pharmacies, gateways on simulated serial scanners (socat pseudo-terminals), a clone, an unknown serial, a wrong
// lot and a recall a minute in. Wiring only: the scenario is firmware-sim's, the gateways are gateway/'s.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { startSupplyChain, type SupplyChain } from '../firmware-sim/supply-chain.js';
import { enrollAndStartGateway } from '../gateway/launch-site.js';
import { createToken } from './domain/create-token.js';
import { createParty } from './domain/create-party.js';
import { PedigreeError } from './domain/pedigree-error.js';
import type { RegistryStore } from './domain/ports.js';

export interface DemoOptions {
  readonly httpUrl: string;
  readonly mqttUrl: string;
  readonly dataDir: string;
  readonly registry: RegistryStore;
  readonly logger: Logger;
  readonly print: (line: string) => void;
}

const DEMO_REGULATOR_GLN = '9521234900009';

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function startDemo(o: DemoOptions): Promise<{ stop(): Promise<void> }> {
  // The simulation enrols its sites and gateways through the admin API, with a token of its own.
  const admin = await createToken(o.registry, { role: 'admin' });
  const chain: SupplyChain = await startSupplyChain({
    httpUrl: o.httpUrl,
    mqttUrl: o.mqttUrl,
    adminToken: admin.token,
    workDir: join(o.dataDir, 'sim'),
    launchGateway: (site) => enrollAndStartGateway(site.configPath, { adminToken: admin.token, logger: o.logger }),
    faults: { cloneAtCycle: 3, unknownSerialAtCycle: 4, wrongLotAtCycle: 5, unplugAtCycle: 6 },
    recallAfterMs: 60_000,
    onLog: (message, detail) => o.logger.info(detail ?? {}, message),
  });
  const pharmacy = chain.sites.find((s) => s.role === 'pharmacy');
  try {
    await createParty(o.registry, { gln: DEMO_REGULATOR_GLN, name: 'Demo Regulator', role: 'regulator' });
  } catch (e) {
    if (!(e instanceof PedigreeError && e.code === 'PARTY_EXISTS')) throw e;
  }
  const regulator = await createToken(o.registry, { party: DEMO_REGULATOR_GLN, role: 'regulator' });
  o.print(`  Simulated supply chain: ${chain.sites.length} sites (${chain.sites.map((s) => s.role).join(', ')}); a recall is issued a minute in.`);
  if (pharmacy) {
    const token = await createToken(o.registry, { party: pharmacy.gln, role: 'pharmacy' });
    o.print(`  Demo pharmacy (${pharmacy.gln}) token: ${token.token}`);
  }
  o.print(`  Demo regulator token: ${regulator.token}`);
  o.print(`  Sign in at ${o.httpUrl}/ with the pharmacy token to verify packs, or the regulator token to follow the recall.`);
  o.print(`  Try: curl -H "Authorization: Bearer <pharmacy token>" "${o.httpUrl}/v1/alerts?site=${pharmacy?.gln ?? ''}"`);
  const running = chain.run().catch((e) => o.logger.error({ err: e }, 'supply chain stopped'));
  const summary = setInterval(() => {
    const s = chain.stats;
    o.print(`  sim: cycles ${s.cycles} · scans ${s.scans} · ack ${s.acks} · nak ${s.naks} · faults ${s.faults.join(', ') || 'none yet'}`);
  }, 5000);
  summary.unref();
  return {
    async stop() {
      clearInterval(summary);
      await chain.stop();
      await running;
    },
  };
}
