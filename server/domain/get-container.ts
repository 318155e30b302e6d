// A logistic unit (case, pallet) and everything inside it, however deep (DESIGN.md §6 aggregation).
import { PedigreeError } from './pedigree-error.js';
import type { ContainerNode, CustodyStore } from './ports.js';

/** Deeper nesting than a pallet of cases of bundles is not real stock; the bound also stops attacker-made cycles. */
export const MAX_CONTAINER_DEPTH = 16;

export async function getContainer(custody: CustodyStore, epc: string): Promise<ContainerNode> {
  const tree = await custody.containerTree(epc, MAX_CONTAINER_DEPTH);
  if (!tree || tree.state.kind !== 'container') throw new PedigreeError('NOT_FOUND', `no custody event names ${epc}`);
  return tree;
}
