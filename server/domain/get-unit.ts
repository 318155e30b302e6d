// The current custody state of one unit (DESIGN.md §6), with its open alerts.
import type { AlertRecord, UnitState } from './custody-model.js';
import { PedigreeError } from './pedigree-error.js';
import type { CustodyStore } from './ports.js';

export async function getUnit(custody: CustodyStore, epc: string): Promise<{ state: UnitState; alerts: AlertRecord[]; steps: number }> {
  const view = await custody.unitView(epc);
  if (!view) throw new PedigreeError('NOT_FOUND', `no custody event names ${epc}`);
  return { state: view.state, alerts: view.alerts.filter((a) => a.status !== 'resolved'), steps: view.steps.length };
}
